from django.contrib import admin
from django.urls import path
from django.views.decorators.http import require_safe

from . import annotations, api, exports, views
from .http import read_in_one_snapshot

public = [
    path("", views.chronology, name="chronology"),
    path("events.json", views.events_json, name="events_json"),
    path("actors.json", views.actors_json, name="actors_json"),
    path("sources.json", views.sources_json, name="sources_json"),
    path("events.csv", exports.events_csv, name="events_csv"),
    path("citations.csv", exports.citations_csv, name="citations_csv"),
    path("events.ics", exports.events_ics, name="events_ics"),
    path("events.timelinejs.json", exports.events_timelinejs, name="events_timelinejs"),
    path("annotations.jsonld", annotations.annotations_jsonld, name="annotations_jsonld"),
    path("feed/", exports.event_feed, name="feed"),
    path("embed/", exports.embed, name="embed"),
    path("api/", api.api_page, name="api"),
    path("api/schema.json", api.schema_json, name="api_schema"),
    path("events/<slug:slug>/", views.event_detail, name="event_detail"),
    path("actors/", views.actor_index, name="actor_index"),
    path("actors/<slug:slug>/", views.actor_detail, name="actor_detail"),
    path("sources/", views.source_index, name="source_index"),
    path("sources/<slug:slug>/", views.source_detail, name="source_detail"),
]

# The public site only reads, each request from one snapshot of the database: anything but
# GET or HEAD is 405. Curators write in the admin.
for pattern in public:
    pattern.callback = require_safe(read_in_one_snapshot(pattern.callback))

urlpatterns = [*public, path("admin/", admin.site.urls)]
