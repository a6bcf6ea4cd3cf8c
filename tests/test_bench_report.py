"""The benchmark's own arithmetic: how first-time states are split by kind, and what the targets table says
of them. The figures are made up here; bench/results.md holds the measured ones."""

import contextlib
import importlib.util
import time

import pytest
from django.conf import settings


def bench_module(name):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", settings.BASE_DIR / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


drive, report, cold, pageload = (bench_module(name) for name in ("drive", "report", "cold", "pageload"))


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
    assert "2 of the 15 one-word searches take over 50 ms in their match alone" in why
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
    assert "| 0 of 2 | “binance”: 5,530 matches, 11.4 ms | n/a |" in row
    matching[1]["ranked_ms"], matching[0]["ranked_ms"] = 3.1, 24.8
    row = next(line for line in report.kinds_section([run]) if line.startswith("| sqlite"))
    assert row.endswith("| “binance”: 5,530 matches, 11.4 ms | “binance”: 5,530 matches, 24.8 ms | n/a |")
    run["cold"]["relevance"] = {"queries": 33, "at_1": 0.97, "at_3": 1.0}
    row = next(line for line in report.kinds_section([run]) if line.startswith("| sqlite"))
    assert row.endswith("| “binance”: 5,530 matches, 24.8 ms | 97% / 100% of 33 |")
    assert report.kinds_section([{"backend": "sqlite", "n": 39}]) == []


def test_each_kind_over_the_static_file():
    http = {
        "static": {"p95_ms": 2.0},
        "page": {"by_kind": {"filters": {"p95_ms": 40.0}, "search": {"p95_ms": 90.0}}},
        "fragment": {"by_kind": {"filters": {"p95_ms": 50.0}, "search": {"p95_ms": 60.0}}},
    }
    assert report.kinds_over_static(http) == "; by kind: filters 25×, search 45×"


PARTS = {"events": 8.0, "their HTML": 4.0, "facets": 1.0, "chart": 5.0, "template": 9.0}


def test_the_parts_of_a_state_by_kind():
    rows = [("/?actor=a", {**PARTS, "total": 30.0}), ("/?actor=b", {**PARTS, "events": 2.0, "total": 24.0})]
    rows += [("/?q=binance", {**PARTS, "total": 40.0})]
    kinds = cold.parts_by_kind(rows)
    assert kinds["filters"] == {
        **PARTS,
        "events": 5.0,
        "the rest": 3.0,
        "total": 27.0,
        "n": 2,
    }
    assert kinds["search"]["the rest"] == 13.0 and kinds["search"]["n"] == 1


@pytest.mark.django_db
def test_the_parts_pass_times_every_step_of_the_view(corpus, client):
    """Every step the view takes is timed: a step renamed or no longer taken would read 0 here."""
    paths = ["/?q=binance", "/?actor=changpeng-zhao&from=2024&to=2024"]
    kinds = cold.parts_pass(client, paths, time.monotonic() + 60)
    assert set(kinds) == {"filters", "search"}
    for parts in kinds.values():
        assert parts["n"] == 1
        assert all(parts[name] > 0 for name in cold.PARTS), parts
        assert parts["total"] >= sum(parts[name] for name in cold.PARTS)


def test_the_sqlite_row_says_where_the_time_goes():
    parts = {
        "search": {**PARTS, "the rest": 5.0, "total": 32.0, "n": 15},
        "filters": {**PARTS, "template": 8.5, "the rest": 5.0, "total": 20.5, "n": 50},
    }
    matching = [{"word": "binance", "matches": 5530, "ms": 7.6, "ranked_ms": 24.8}]
    cold_figures = {"parts": parts, "matching": matching, "http": {"static": {"p95_ms": 1.44}}}
    assert report.where_sqlite_goes(cold_figures) == (
        "; the budget is 28.8 ms, and in-process, with the database's caches warm, a search's full page takes "
        "32.0 ms (median): 8.0 ms choosing its events (its ranking alone up to 24.8 ms), 4.0 ms marking its "
        "words, 9.0 ms its template; a filter state's 20.5 ms, 8.5 ms of it the template"
    )
    assert report.where_sqlite_goes({**cold_figures, "parts": {}}) == ""
    lines = report.parts_section([{"backend": "sqlite", "n": 10_039, "cold": cold_figures}])
    assert "| sqlite | 10,039 | search | 15 | 8.0 | 4.0 | 1.0 | 5.0 | 9.0 | 5.0 | 32.0 |" in lines


def test_the_page_load_row_shows_the_turns():
    ours = [{"drawn_ms": 150.0}, {"drawn_ms": 300.0}, {"drawn_ms": 0}]
    theirs = [{"drawn_ms": 2400.0}, {"drawn_ms": 2700.0}, {"drawn_ms": 2500.0}]
    turns = pageload.turn_ratios(ours, theirs)
    assert turns == [16.0, 9.0]
    spread = report.turns_spread({"turn_ratios": turns, "drawn_ms_range": [150.0, 300.0]})
    assert spread == "; turn by turn 9.0× to 16.0× (1 of 2 turns at 10× or more), our page drawn in 150.0 to 300.0 ms"
    assert report.turns_spread({}) == ""


def test_a_layer_turned_off_misses_and_keeps_nothing_for_its_kind_of_key_only():
    """bench/layers.py measures a layer by its absence: its keys miss and are not kept; the others still work."""
    from django.core.cache import cache

    from timeline.cache.versions import cache_key

    layers = bench_module("layers")
    off, on = cache_key("v1", "response", "state"), cache_key("v1", "search", "state")
    cache.set(off, "stored before")
    with contextlib.ExitStack() as patches:
        for patch in layers.without({"response"}):
            patches.enter_context(patch)
        assert cache.get(off) is None and cache.get_many([off]) == {}
        cache.set(off, "kept?")
        cache.set_many({off: "kept?", on: "kept"})
        assert cache.get(on) == "kept" and cache.get_many([off, on]) == {on: "kept"}
    assert cache.get(off) == "stored before"
    assert layers.misspelled("/?actor=a&q=pardon") == "/?actor=a&q=pardno"


def test_the_layers_table_has_a_row_for_every_configuration_and_pass():
    figures = {"cpu": {"p50_ms": 2.0, "p95_ms": 3.0, "n": 30}, "wall": {"p50_ms": 4.0, "p95_ms": 5.0, "n": 30}}
    passes = {name: figures for name in report.LAYER_PASSES}
    layers = {"events": 10040, "states": 30, "all kept": passes, "without stored responses": passes}
    lines = report.layers_section([{"backend": "sqlite", "n": 10040, "cold": {"layers": layers}}])
    rows = [line for line in lines if line.startswith("| sqlite")]
    assert [row.split(" | ")[2] for row in rows] == ["all kept", "without stored responses"]
    assert all(row.count("2.0/3.0 (4.0/5.0)") == len(report.LAYER_PASSES) for row in rows)


def test_passes_pooled_are_percentiles_of_every_request_with_each_pass_beside():
    paths = [f"/?actor=a{i}" for i in range(20)] + ["/?q=binance"]
    first = {"p95_ms": 21.0, "statuses": {"200": 21}, "errors": 0, "ms": [float(i) for i in range(1, 22)]}
    second = {"p95_ms": 40.0, "statuses": {"200": 20}, "errors": 1, "ms": [None, *(2.0 * i for i in range(2, 22))]}
    third = {"p95_ms": 5.0, "statuses": {"200": 5}, "errors": 0, "ms": [1.0] * 5}  # cut short by its budget
    pooled = drive.pooled([first, second, third], paths)
    every = sorted([float(i) for i in range(1, 22)] + [2.0 * i for i in range(2, 22)] + [1.0] * 5)
    assert pooled["n"] == len(every) == 46
    assert pooled["p95_ms"] == every[round(0.95 * 45)] and pooled["max_ms"] == 42.0
    assert pooled["by_kind"]["search"] == {"n": 2, "p50_ms": 31.5, "p95_ms": 42.0, "max_ms": 42.0}
    assert pooled["states"] == 21 and pooled["passes_p95_ms"] == [21.0, 40.0, 5.0]
    assert pooled["statuses"] == {"200": 46} and pooled["errors"] == 1
    in_process = [{"p95_ms": 9.0, "statuses": [200], "queries_max": q, "ms": [9.0] * 21} for q in (5, 7)]
    pooled = drive.pooled(in_process, paths)
    assert pooled["statuses"] == [200] and pooled["queries_max"] == 7 and pooled["n"] == 42


def test_the_targets_count_states_not_requests_and_show_each_pass():
    matching = [{"word": f"w{i}", "matches": 100, "ms": 4.0} for i in range(15)]
    cold = cold_run(matching)
    for kind in ("page", "fragment"):
        cold[kind] = {
            **cold[kind],
            "n": 195,
            "states": 65,
            "passes_p95_ms": [52.1, 47.3, 48.0],
            "by_kind": {"filters": {"n": 150, "p50_ms": 30.0, "p95_ms": 44.0}},
        }
    assert report.enough(cold) and report.states(cold["page"]) == 65
    assert report.passes(cold["page"]) == " [passes 52.1, 47.3, 48.0]"
    assert "the 50 filter states alone page 44.0 ms" in report.why_searches_miss(cold)
    assert report.kind_pair(cold["page"], "filters") == "50: 30.0 / 44.0"
    cold["page"]["states"] = 40
    assert not report.enough(cold)
