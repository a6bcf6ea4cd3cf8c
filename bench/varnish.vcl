vcl 4.1;

# The edge cache in front of gunicorn (bench/run.py and docs/deploy.md). Varnish's built-in
# rules still run after these subroutines: a request with a Cookie or Authorization header
# is passed to the app, and a response with Set-Cookie, `private`, `no-cache` or `no-store`
# is never stored. Nothing is stripped from requests or responses, so whatever the app
# marks as personal stays personal; only public responses are shared.
# bench/run.py replaces BACKEND_PORT with the port of the gunicorn it started.

backend app {
    .host = "127.0.0.1";
    .port = "BACKEND_PORT";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
}

sub vcl_recv {
    # htmx sends exactly "true"; any other value is a full page to Django (django-htmx),
    # so it is the same variant as no header at all.
    if (req.http.HX-Request && req.http.HX-Request != "true") {
        unset req.http.HX-Request;
    }
    if (req.url ~ "^/admin/") {
        return (pass);
    }
}

sub vcl_backend_response {
    # A short TTL for pages and JSON: at most 10 s, less if the app says less; then up to
    # 30 s of grace, in which a reader gets the stored copy while one request refreshes it.
    # Fingerprinted static files (/static/…) keep the year the app gives them.
    if (bereq.url !~ "^/static/" && beresp.ttl > 10s) {
        set beresp.ttl = 10s;
    }
    if (beresp.grace < 30s) {
        set beresp.grace = 30s;
    }
    # Kept a little longer so a refresh can be a conditional request (ETag / Last-Modified).
    set beresp.keep = 60s;
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
}
