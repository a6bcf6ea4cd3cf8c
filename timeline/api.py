"""The OpenAPI 3 description of the JSON endpoints, served as JSON and as a page for people."""

from django.http import JsonResponse
from django.shortcuts import render

from .dates import DatePrecision
from .models import Actor, Citation, Event

STRING = {"type": "string"}
NULLABLE_DATE = {"type": "string", "format": "date", "nullable": True}


def enum(choices):
    return {"type": "string", "enum": [value for value, _ in choices]}


FILTERS = [
    ("q", "Words that must occur in the title, summary, quotes or actor names and aliases.", STRING),
    ("actor", "Actor slug; repeat for several (any of them).", STRING),
    ("category", "Category slug; repeat for several.", STRING),
    ("certainty", "Certainty; repeat for several.", enum(Event.Certainty.choices)),
    ("source", "Source article slug; repeat for several.", STRING),
    ("era", "Era slug; repeat for several.", STRING),
    ("from", "Start of the date range as people write it: 2024, March 2025, 2025-03-13.", STRING),
    ("to", "End of the date range, same forms.", STRING),
    ("order", "`relevance`: best matches for `q` first (one page).", {"type": "string", "enum": ["relevance"]}),
]


def parameters(with_after=False):
    params = [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": text,
            "schema": {"type": "array", "items": schema}
            if name in ("actor", "category", "certainty", "source", "era")
            else schema,
            "style": "form",
            "explode": True,
        }
        for name, text, schema in FILTERS
    ]
    if with_after:
        params.append(
            {
                "name": "after",
                "in": "query",
                "required": False,
                "schema": STRING,
                "description": "Keyset position from the previous page's `next` link.",
            }
        )
    return params


EVENT = {
    "type": "object",
    "required": [
        "slug",
        "title",
        "summary",
        "date",
        "date_precision",
        "end_date",
        "date_basis",
        "date_note",
        "certainty",
        "importance",
        "categories",
        "era",
        "actors",
        "citations",
        "statements",
    ],
    "properties": {
        "slug": STRING,
        "title": STRING,
        "summary": STRING,
        "date": NULLABLE_DATE,
        "date_precision": enum(DatePrecision.choices),
        "end_date": NULLABLE_DATE,
        "date_basis": enum(Event.DateBasis.choices),
        "date_note": STRING,
        "certainty": enum(Event.Certainty.choices),
        "importance": {"type": "integer", "minimum": 1, "maximum": 3},
        "categories": {"type": "array", "items": STRING},
        "era": STRING,
        "actors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["slug", "name", "role"],
                "properties": {"slug": STRING, "name": STRING, "role": STRING},
            },
        },
        "citations": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["source", "source_file", "quote", "stance", "start", "end"],
                "properties": {
                    "source": STRING,
                    "source_file": STRING,
                    "quote": STRING,
                    "stance": enum(Citation.Stance.choices),
                    "start": {"type": "integer", "minimum": 0},
                    "end": {"type": "integer", "minimum": 0},
                },
            },
        },
        "statements": {
            "type": "array",
            "description": "The summary, sentence by sentence; `citations` are indexes into this event's `citations`. "
            "A statement with no citation is marked `context` or `external` and says why in `note`.",
            "items": {
                "type": "object",
                "required": ["text", "citations", "basis", "note"],
                "properties": {
                    "text": STRING,
                    "citations": {"type": "array", "items": {"type": "integer", "minimum": 0}},
                    "basis": {"type": "string", "enum": ["cited", "context", "external"]},
                    "note": STRING,
                },
            },
        },
    },
}
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
                "parameters": parameters(with_after=True),
                "responses": {
                    "200": {
                        "description": "A page of events.",
                        "content": {
                            "application/json": {
                                "schema": listing("events", EVENT, {"next": {"type": "string", "nullable": True}})
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
                                    {
                                        "type": "object",
                                        "required": ["slug", "name", "kind", "aliases", "description"],
                                        "properties": {
                                            "slug": STRING,
                                            "name": STRING,
                                            "kind": enum(Actor.Kind.choices),
                                            "aliases": {"type": "array", "items": STRING},
                                            "description": STRING,
                                        },
                                    },
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
                                    {
                                        "type": "object",
                                        "required": [
                                            "slug",
                                            "title",
                                            "outlet",
                                            "published",
                                            "published_precision",
                                            "seed_file",
                                            "quality_note",
                                        ],
                                        "properties": {
                                            "slug": STRING,
                                            "title": STRING,
                                            "outlet": STRING,
                                            "published": NULLABLE_DATE,
                                            "published_precision": enum(DatePrecision.choices),
                                            "seed_file": STRING,
                                            "quality_note": STRING,
                                        },
                                    },
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
                "parameters": parameters(),
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
