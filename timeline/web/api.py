"""The OpenAPI 3 description of the JSON endpoints, served as JSON and as a page for people."""

from django.http import JsonResponse
from django.shortcuts import render

from timeline.listing.parameters import ListingForm, many_valued
from timeline.web.payloads import ACTOR_FIELDS, EVENT_FIELDS, SOURCE_FIELDS, STRING, array, enum, object_schema

NULLABLE_STRING = {"type": "string", "nullable": True}


def parameters(*excluded):
    """The listing parameters, from their declarations (parameters.py), minus any excluded."""
    params = []
    for name, field in ListingForm.base_fields.items():
        if name in excluded:
            continue
        choices = getattr(field, "choices", None)
        item = enum(choices) if choices else STRING
        many = many_valued(name)
        param = {"name": name, "in": "query", "required": False, "description": field.help_text}
        param["schema"] = array(item) if many else item
        if many:
            param.update(style="form", explode=True)
        params.append(param)
    return params


ERRORS = {
    "description": "A malformed parameter; each message names it.",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["errors"],
                "properties": {"errors": {"type": "array", "items": STRING}},
            }
        }
    },
}


def listing(key, item, extra=None):
    properties = {"count": {"type": "integer", "minimum": 0}, key: {"type": "array", "items": item}}
    properties.update(extra or {})
    return {"type": "object", "required": ["count", key, *(extra or {})], "properties": properties}


SCHEMA = {
    "openapi": "3.0.3",
    "info": {
        "title": "CZ and Binance timeline",
        "version": "1",
        "description": "Read-only JSON of a source-cited timeline. Every quote is an exact substring of its "
        "article: the article's text [start:end] equals the quote.",
    },
    "paths": {
        "/events.json": {
            "get": {
                "summary": "Events in reading order (undated last), filtered like the page, 100 a page.",
                "parameters": parameters(),
                "responses": {
                    "200": {
                        "description": "A page of events.",
                        "content": {
                            "application/json": {
                                "schema": listing(
                                    "events",
                                    object_schema(EVENT_FIELDS),
                                    {"next": {"type": "string", "nullable": True}},
                                )
                            }
                        },
                    },
                    "400": ERRORS,
                },
            }
        },
        "/actors.json": {
            "get": {
                "summary": "Every actor, with every way the articles write the name.",
                "responses": {
                    "200": {
                        "description": "Actors.",
                        "content": {
                            "application/json": {
                                "schema": listing(
                                    "actors",
                                    object_schema(ACTOR_FIELDS),
                                )
                            }
                        },
                    }
                },
            }
        },
        "/sources.json": {
            "get": {
                "summary": "The five source articles.",
                "responses": {
                    "200": {
                        "description": "Sources.",
                        "content": {
                            "application/json": {
                                "schema": listing(
                                    "sources",
                                    object_schema(SOURCE_FIELDS),
                                )
                            }
                        },
                    }
                },
            }
        },
        "/events.timelinejs.json": {
            "get": {
                "summary": "The filtered, dated events in Knight Lab TimelineJS 3 format.",
                "parameters": parameters("after"),
                "responses": {
                    "200": {
                        "description": "A TimelineJS document.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["title", "events"],
                                    "properties": {
                                        "title": {"type": "object"},
                                        "events": {
                                            "type": "array",
                                            "items": {
                                                "type": "object",
                                                "required": ["start_date", "text", "group", "display_date"],
                                                "properties": {
                                                    "start_date": {"type": "object", "required": ["year"]},
                                                    "text": {"type": "object"},
                                                    "group": STRING,
                                                    "display_date": STRING,
                                                    "unique_id": STRING,
                                                },
                                            },
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "400": ERRORS,
                },
            }
        },
    },
}


def schema_json(request):
    return JsonResponse(SCHEMA, json_dumps_params={"indent": 2})


def api_page(request):
    endpoints = [
        {"path": path, **operation["get"], "params": operation["get"].get("parameters", [])}
        for path, operation in SCHEMA["paths"].items()
    ]
    return render(request, "api.html", {"endpoints": endpoints, "schema": SCHEMA})
