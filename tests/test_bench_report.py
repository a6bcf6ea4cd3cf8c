"""The benchmark's own arithmetic: how first-time states are split by kind, and what the targets table says
of them. The figures are made up here; bench/results.md holds the measured ones."""

import importlib.util

import pytest
from django.conf import settings


def bench_module(name):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", settings.BASE_DIR / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


drive, report = bench_module("drive"), bench_module("report")


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/?q=binance", "search"),
        ("/?actor=changpeng-zhao&q=pardon", "search"),
        ("/?actor=changpeng-zhao&from=2024&to=2024", "filters"),
        ("/?q=", "filters"),
        ("/?category=legal&certainty=confirmed", "filters"),
    ],
)
def test_a_state_is_a_search_when_it_has_a_search_word(path, kind):
    assert drive.state_kind(path) == kind


def test_percentiles_by_kind():
    timed = [(f"/?actor=a{i}", float(i)) for i in range(1, 21)] + [("/?q=binance", 200.0), ("/?q=dhabi", 10.0)]
    kinds = drive.by_kind(timed)
    assert kinds["filters"] == {"n": 20, "p50_ms": 10.5, "p95_ms": 19.0, "max_ms": 20.0}
    assert kinds["search"]["n"] == 2 and kinds["search"]["max_ms"] == 200.0


def cold_run(matching):
    paths = [f"/?actor=a{i}" for i in range(50)] + [f"/?q={row['word']}" for row in matching]
    kinds = {"filters": {"n": 50, "p50_ms": 30.0, "p95_ms": 44.0}, "search": {"n": 15, "p50_ms": 70.0, "p95_ms": 240.0}}
    part = {"n": 65, "p50_ms": 40.0, "p95_ms": 210.0, "queries_max": 6, "by_kind": kinds}
    return {"paths": paths, "page": part, "fragment": part, "matching": matching}


def test_the_targets_row_says_why_the_searches_miss():
    matching = [{"word": "binance", "matches": 55553, "ms": 160.0}, {"word": "trump", "matches": 50314, "ms": 140.0}]
    matching += [{"word": f"w{i}", "matches": 100, "ms": 4.0} for i in range(13)]
    why = report.why_searches_miss(cold_run(matching))
    assert "the 50 filter states alone page 44.0 ms, fragment 44.0 ms" in why
    assert "2 of the 15 one-word searches take over 50 ms in the database's match query alone" in why
    assert "up to 160.0 ms for 55,553 matches of “binance”" in why
    assert why.endswith("3% of all states")
    matching[2:5] = [{"word": f"v{i}", "matches": 20000, "ms": 90.0} for i in range(3)]
    assert report.why_searches_miss(cold_run(matching)).endswith("8% of all states, more than the 5% a p95 leaves out")


def test_the_kinds_table_has_a_row_per_run():
    matching = [{"word": "binance", "matches": 5530, "ms": 11.4}, {"word": "dhabi", "matches": 93, "ms": 0.6}]
    run = {"backend": "sqlite", "n": 10_039, "cold": {**cold_run(matching), "http": {}}}
    lines = report.kinds_section([run])
    row = next(line for line in lines if line.startswith("| sqlite"))
    assert "| 50: 30.0 / 44.0 | 15: 70.0 / 240.0 |" in row
    assert "| 0 of 2 | “binance”: 5,530 matches, 11.4 ms |" in row
    assert report.kinds_section([{"backend": "sqlite", "n": 39}]) == []


def test_each_kind_over_the_static_file():
    http = {
        "static": {"p95_ms": 2.0},
        "page": {"by_kind": {"filters": {"p95_ms": 40.0}, "search": {"p95_ms": 90.0}}},
        "fragment": {"by_kind": {"filters": {"p95_ms": 50.0}, "search": {"p95_ms": 60.0}}},
    }
    assert report.kinds_over_static(http) == "; by kind: filters 25×, search 45×"
