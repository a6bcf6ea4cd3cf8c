vcl 4.1;

import std;

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
    # No worker reads a body larger than the app accepts (timeline/web/body_limit.py, 3.5 MiB).
    if (std.integer(req.http.Content-Length, 0) > 4194304) {
        return (synth(413, "Request body too large"));
    }
    # Headers whose names hold an underscore are CGI variables to a WSGI server (SCRIPT_NAME,
    # PATH_INFO, REMOTE_USER): a client's must never reach the app, where gunicorn could take them
    # as the proxy's and answer another page under this URL. VCL cannot loop over header names,
    # so the ones a WSGI server reads are named; gunicorn.conf.py drops every other one.
    unset req.http.SCRIPT_NAME;
    unset req.http.PATH_INFO;
    unset req.http.REMOTE_USER;
    unset req.http.REMOTE_ADDR;
    unset req.http.QUERY_STRING;
    unset req.http.SERVER_NAME;
    unset req.http.SERVER_PORT;
    unset req.http.WSGI_URL_SCHEME;
    # The app answers a fragment exactly when HX-Request is "true" and HX-History-Restore-Request
    # is not "true" (http.wants_partial), and varies on both. Here the two headers take one of two
    # forms, so a shared object exists per form: a fragment, or a full page (a history restore is
    # a full page, the same object as a plain request).
    if (req.http.HX-Request == "true" && req.http.HX-History-Restore-Request != "true") {
        set req.http.HX-Request = "true";
        unset req.http.HX-History-Restore-Request;
    } else {
        unset req.http.HX-Request;
        unset req.http.HX-History-Restore-Request;
    }
    if (req.url ~ "^/admin/") {
        return (pass);
    }
}

sub vcl_hash {
    # Without DJANGO_SITE_URL the app writes absolute links with the request's scheme and host
    # (http.site_base), and the scheme may come from X-Forwarded-Proto: it keys the object, as the
    # built-in rules that run after this key it by URL and Host.
    hash_data(req.http.X-Forwarded-Proto);
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
