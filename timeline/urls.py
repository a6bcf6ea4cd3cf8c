"""Every URL of the site. Public URLs go through one pipeline (http.public): read-only, cookie-free,
one snapshot, conditional on the data, shareable by a shared cache. A page that reads no query
parameter says so (`reads=NONE`), so what is appended to its address never makes another stored
response; the embed alone may be framed. Curators write in the admin."""

from django.contrib import admin
from django.urls import path

from timeline.curation import desk as curation
from timeline.web import annotations, api, corrections, exports, views
from timeline.web.feed_page import feed_page
from timeline.web.http import public

NONE = ()
handler400 = "timeline.web.body_limit.bad_request"

urlpatterns = [
    path("", public(views.chronology), name="chronology"),
    path("timeline/", public(views.chart), name="chart"),  # the address shared links use
    path("embed/", public(views.embed, framed=True), name="embed"),
    path("facets/<slug:name>/", public(views.facet_options), name="facet_options"),
    path("events/<slug:slug>/", public(views.event_detail, reads=NONE), name="event_detail"),
    path("events/<slug:slug>/detail/", public(views.event_part, reads=("q",)), name="event_part"),
    path("actors/", public(views.actor_index, reads=NONE), name="actor_index"),
    path("actors/<slug:slug>/", public(views.actor_detail, reads=NONE), name="actor_detail"),
    path("sources/", public(views.source_index, reads=NONE), name="source_index"),
    path("sources/<slug:slug>/", public(views.source_detail, reads=NONE), name="source_detail"),
    path("events.json", public(views.events_json), name="events_json"),
    path("actors.json", public(views.actors_json, reads=NONE), name="actors_json"),
    path("sources.json", public(views.sources_json, reads=NONE), name="sources_json"),
    path("events.csv", public(exports.events_csv), name="events_csv"),
    path("citations.csv", public(exports.citations_csv), name="citations_csv"),
    path("events.ics", public(exports.events_ics), name="events_ics"),
    path("events.timelinejs.json", public(exports.events_timelinejs), name="events_timelinejs"),
    path("annotations.jsonld", public(annotations.annotations_jsonld), name="annotations_jsonld"),
    path("feed/", public(exports.event_feed), name="feed"),
    path("feed/about/", public(feed_page(exports.event_feed, "events")), name="feed_page"),
    path("corrections/", public(views.corrections_list), name="corrections"),
    path("corrections/feed/", public(corrections.correction_feed), name="corrections_feed"),
    path(
        "corrections/feed/about/",
        public(feed_page(corrections.correction_feed, "corrections")),
        name="corrections_feed_page",
    ),
    path("api/", public(api.api_page, reads=NONE), name="api"),
    path("api/schema.json", public(api.schema_json, reads=NONE), name="api_schema"),
    path("admin/desk/", admin.site.admin_view(curation.desk), name="curators_desk"),
    path("admin/", admin.site.urls),
]
