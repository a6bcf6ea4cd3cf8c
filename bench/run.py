"""The benchmark: gunicorn (production settings) under wrk, on SQLite and PostgreSQL, at three sizes.

    make bench            # or: .venv/bin/python bench/run.py [--quick]

At each size: the warm path (wrk repeating one URL), the cold path (bench/cold.py's
first-time states, in-process and over HTTP), and where it applies the stress run, the edge
cache (Varnish, bench/varnish.vcl), the page load in Chromium (bench/pageload.py) and two
instances sharing one Redis. Writes bench/results.md and .json (--quick: bench/results-quick.*). Everything
binds to 127.0.0.1; every load run is bounded by wrk's duration or a time budget.
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from drive import each_once, pooled, repeated  # noqa: E402
from pgcluster import free_port, throwaway_cluster  # noqa: E402
from services import throwaway_redis, throwaway_varnish  # noqa: E402

FRAGMENT = "/?actor=changpeng-zhao&from=2019&to=2025&q=Binance"
ENDPOINTS = {
    "full page": ("/", {}),
    "filtered fragment": (FRAGMENT, {"HX-Request": "true"}),
    "event detail": ("/events/trump-pardons-cz/", {}),
    "events.json": ("/events.json", {}),
}
# Through the edge cache: the corpus front page and a shared filtered link are the targets;
# /api/schema.json (no cookie, no validators) shows the cache working whatever the pages send.
SHARED_LINK = "/?actor=changpeng-zhao&from=2024"
EDGE = {
    "static file": (None, {}),
    "front page": ("/", {}),
    "shared filtered link": (SHARED_LINK, {}),
    "filtered fragment": (SHARED_LINK, {"HX-Request": "true"}),
    "api schema": ("/api/schema.json", {}),
}
VCL = ROOT / "bench" / "varnish.vcl"
HTMX = {"HX-Request": "true"}
STATIC_REQUESTS = 200  # the static file, timed on each fragment pass's server
LUA = OUT / "report.lua"
MIXED_LUA = OUT / "mixed.lua"
# The stress run rotates through what readers do: pages, htmx fragments, JSON, exports, filters.
MIXED = [
    ("/", {}),
    (FRAGMENT, {"HX-Request": "true"}),
    ("/?certainty=confirmed&from=2024", {}),
    ("/?actor=justin-sun", {"HX-Request": "true"}),
    ("/?q=pardon&order=relevance", {}),
    ("/events/trump-pardons-cz/", {}),
    ("/actors/changpeng-zhao/", {}),
    ("/events.json?from=2025", {}),
    ("/feed/?actor=changpeng-zhao", {}),
    ("/sources/", {}),
]
LUA_SOURCE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "socket_errors": %d, "non_2xx": %d,'
    .. ' "error_kinds": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "non_2xx": %d},'
    .. ' "p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def production_env(database_url):
    """Production settings on 127.0.0.1; one process's own cache unless a run adds REDIS_URL itself."""
    inherited = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "TIMELINE_QUERY_COUNT_HEADER")}
    return {
        **inherited,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": "benchmark-only-secret-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "MALLOC_ARENA_MAX": "2",  # as docs/deploy.md starts gunicorn (bench/notes.md: 10-15 MB a worker)
    }


class Gunicorn:
    def __init__(self, env, workers=2, threads=4):
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "timeline.project.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(threads),
                "--log-level",
                "warning",
                # Room for a slow event index build (gunicorn.conf.py builds it at worker start;
                # seconds at 100,000 events) on a busy machine.
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,  # its own process group, so stop() ends the workers with it
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def worker_rss_mb(self):
        out = subprocess.run(
            ["ps", "-o", "rss=", "--ppid", str(self.process.pid)], capture_output=True, text=True
        ).stdout.split()
        return [round(int(kb) / 1024, 1) for kb in out]

    def stop(self):
        """The arbiter and every worker: a worker busy in a long request must not outlive the run."""
        group = os.getpgid(self.process.pid)
        os.killpg(group, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        self.process.wait()


def wrk(url, connections, seconds, headers, script=LUA):
    threads = min(connections, 2)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(script), url]
    for name, value in headers.items():
        command[1:1] = ["-H", f"{name}: {value}"]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30).stdout
    data = json.loads(re.search(r"WRKJSON (.*)", out).group(1))
    data["rps"] = round(data["requests"] / (data["duration_us"] / 1e6), 1)
    data["errors"] = data["socket_errors"] + data["non_2xx"]
    return data


def mixed_lua(paths):
    """A wrk script that sends each thread's requests round the list, reporting like report.lua."""

    def entry(path, headers):
        fields = ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items())
        return f"  {{path = {json.dumps(path)}, headers = {{{fields}}}}}"

    entries = ",\n".join(entry(path, headers) for path, headers in paths)
    return (
        f"local paths = {{\n{entries}\n}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #paths + 1\n"
        "  return wrk.format('GET', paths[i].path, paths[i].headers)\n"
        "end\n" + LUA_SOURCE
    )


def stress(server, seconds, connections=64):
    """Many readers at once on a mix of URLs; any socket error, timeout (5 s) or non-2xx is an error."""
    data = wrk(server.url + "/", connections, seconds, {}, script=MIXED_LUA)
    data["connections"], data["seconds"], data["paths"] = connections, seconds, [p for p, _ in MIXED]
    return data


def drain(url, headers, baseline_ms, limit=20):
    """Wait until requests queued by a load run have finished (bounded by `limit` seconds)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        started = time.monotonic()
        request = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
        except OSError:  # still queued behind the load run
            continue
        if (time.monotonic() - started) * 1000 <= max(3 * baseline_ms, 5):
            return


def median_of(runs):
    summary = {}
    for key in ("rps", "p50_ms", "p95_ms", "p99_ms"):
        values = [run[key] for run in runs]
        summary[key] = round(statistics.median(values), 2)
        summary[f"{key}_spread"] = [round(min(values), 2), round(max(values), 2)]
    summary["errors"] = sum(run["errors"] for run in runs)
    summary["requests"] = sum(run["requests"] for run in runs)
    return summary


def static_path():
    manifest = json.loads((ROOT / "staticfiles" / "staticfiles.json").read_text())
    return "/static/" + manifest["paths"]["timeline/site.css"]


def all_endpoints():
    return {**ENDPOINTS, "static file (ceiling)": (static_path(), {})}


def measure(env):
    """{"events": count, "endpoints": {name: queries, in-process times, bytes}}, from bench/measure.py."""
    command = [PYTHON, "bench/measure.py", json.dumps(all_endpoints())]
    return json.loads(subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout)


def cold_in_process(env, budget, passes):
    """bench/cold.py: the first-time states and their in-process cost with empty caches, the page and
    fragment passes `passes` times, each time in a fresh process, pooled (drive.pooled)."""
    command = [PYTHON, "bench/cold.py", "--budget", str(budget)]
    cold = json.loads(subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout)
    again = [
        json.loads(
            subprocess.run(
                [*command, "--passes-only"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(passes - 1)
    ]
    for kind in ("page", "fragment"):
        cold[kind] = pooled([cold[kind], *(one[kind] for one in again)], cold["paths"])
    return cold


def cache_layers(env):
    """bench/layers.py: the same states with every cache layer, then without each."""
    command = [PYTHON, "bench/layers.py"]
    return json.loads(subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout)


def warm_workers(url, path="/", headers=None, connections=8):
    """Several connections at once, so every worker answers `path` at least once.

    A fresh worker has its event index from start-up (gunicorn.conf.py); its first requests
    still fill its template and vocabulary caches, which is not a filter state's cost.
    """
    threads = [threading.Thread(target=each_once, args=(url, [path], headers, 300)) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)


def cold_over_http(env, paths, budget, passes):
    """The same states over HTTP, each asked once, pages and fragments each on a fresh gunicorn; `passes`
    times, pooled (drive.pooled).

    The static file is timed by the same driver on the same server, for the ×static ratio.
    """
    found = {"page": [], "fragment": [], "static": []}
    for _ in range(passes):
        for kind, headers in (("page", {}), ("fragment", HTMX)):
            server = Gunicorn(env)
            try:
                warm_workers(server.url)  # both workers read the vocabularies, as any earlier reader would
                found[kind].append(each_once(server.url, paths, headers, budget))
                if kind == "fragment":
                    found["static"].append(repeated(server.url, static_path(), STATIC_REQUESTS))
            finally:
                server.stop()
    result = {kind: pooled(found[kind], paths) for kind in ("page", "fragment")}
    result["static"] = pooled(found["static"], [static_path()] * STATIC_REQUESTS)
    result["static"].pop("ms")  # 200 times a pass of one file: their percentiles say it
    return result


def edge(server, ceiling_rps, args, log):
    """Varnish in front of `server`: hit ratio and requests/s through it, as a share of the static ceiling."""
    rows = {}
    with throwaway_varnish(server.port, VCL) as varnish:
        for name, (path, headers) in EDGE.items():
            url = varnish.url + (path or static_path())
            wrk(url, 2, 1, headers)  # the first request fills the cache
            before = varnish.stats()
            run = median_of([wrk(url, 32, args.seconds, headers) for _ in range(args.repeats)])
            after = varnish.stats()
            requests = after["client_req"] - before["client_req"]
            hits = after["cache_hit"] - before["cache_hit"]
            rows[name] = {
                "path": path or "static",
                "headers": headers,
                **run,
                "hit_ratio": round(hits / requests, 4) if requests else 0,
                "x_static": round(run["rps"] / ceiling_rps, 3) if ceiling_rps else 0,
            }
            log(
                f"  edge: {name:22} {run['rps']:8.1f} rps  hit ratio {rows[name]['hit_ratio']:.3f}  "
                f"×static {rows[name]['x_static']:.3f}  errors {run['errors']}"
            )
    return {"ceiling_rps": ceiling_rps, "rows": rows}


def page_load(server, log):
    from pageload import measure as measure_page_load

    loaded = measure_page_load(server.url)
    for name, figures in loaded.items():
        log(
            f"  page load: {name:10} first paint {figures['fcp_ms']} ms, drawn {figures['drawn_ms']} ms, "
            f"load {figures['load_ms']} ms, {figures['bytes_gzip']:,} bytes gzip"
        )
    return loaded


def two_instances(env, paths, args, log):
    """Two gunicorns on one database and one Redis: states computed on A, then asked on B; both under load."""
    with throwaway_redis() as redis_url:
        shared = {**env, "REDIS_URL": redis_url, "TIMELINE_QUERY_COUNT_HEADER": "1"}
        a, b = Gunicorn(shared), Gunicorn(shared)
        try:
            for server in (a, b):
                warm_workers(server.url)
            on_a = each_once(a.url, paths, budget=args.cold_budget)
            on_b = each_once(b.url, paths[: on_a["n"]], budget=args.cold_budget)
            loads = {}

            def load(name, server):
                loads[name] = wrk(server.url + "/", 16, args.stress or args.seconds, {}, script=MIXED_LUA)

            threads = [threading.Thread(target=load, args=item) for item in (("a", a), ("b", b))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=(args.stress or args.seconds) + 60)
        finally:
            a.stop()
            b.stop()
    result = {
        "cold_on_a": on_a,
        "then_on_b": on_b,
        "load": {
            "connections": 32,
            "seconds": args.stress or args.seconds,
            "rps": round(sum(x["rps"] for x in loads.values()), 1),
            "requests": sum(x["requests"] for x in loads.values()),
            "errors": sum(x["errors"] for x in loads.values()),
            "error_kinds": {
                kind: sum(x["error_kinds"][kind] for x in loads.values())
                for kind in next(iter(loads.values()))["error_kinds"]
            },
            "p99_ms": max(x["p99_ms"] for x in loads.values()),
        },
    }
    log(
        f"  two instances: first-time state on A p95 {on_a.get('p95_ms')} ms ({on_a.get('queries_median')} queries), "
        f"then on B p95 {on_b.get('p95_ms')} ms ({on_b.get('queries_median')} queries); mixed load on both: "
        f"{result['load']['rps']} rps, {result['load']['errors']} errors"
    )
    return result


def optional(part, measure_part, log):
    """A part that needs more than gunicorn (Chromium, Varnish): its failure is reported, not fatal."""
    try:
        return measure_part()
    except Exception as exc:  # noqa: BLE001 (any failure of the part goes in the report)
        log(f"  {part}: not measured: {exc!r}")
        return {"error": repr(exc)[:300]}


def bench_size(env, label, measured, args, results, log, here):
    endpoints = all_endpoints()
    server = Gunicorn(env)
    run = {"backend": label[0], "n": label[1]}
    try:
        for name, (path, headers) in endpoints.items():
            drain(server.url + static_path(), {}, 20, limit=60)  # requests queued by the previous endpoint's run
            warm_workers(server.url, path, headers)  # warm caches and connections
            one = median_of([wrk(server.url + path, 1, args.seconds, headers) for _ in range(args.repeats)])
            many = median_of([wrk(server.url + path, 32, args.seconds, headers) for _ in range(args.repeats)])
            results.append(
                {"backend": label[0], "n": label[1], "endpoint": name, "c1": one, "c32": many, **measured[name]}
            )
            log(
                f"  {label[0]:8} N={label[1]:>7} {name:22} c1 p95 {one['p95_ms']:7.1f} ms  "
                f"c32 {many['rps']:7.1f} rps  errors {many['errors']}"
            )
        ceiling = results[-1]["c32"]["rps"]
        page_p50 = next(r["c1"]["p50_ms"] for r in results[-len(endpoints) :] if r["endpoint"] == "full page")
        # The browser and Varnish parts come first, each once the queue left by wrk has drained.
        if "pageload" in here:
            drain(server.url + "/", {}, max(page_p50, 50), limit=60)
            run["pageload"] = optional("pageload", lambda: page_load(server, log), log)
        if "edge" in here:
            drain(server.url + "/", {}, max(page_p50, 50), limit=60)
            run["edge"] = optional("edge", lambda: edge(server, ceiling, args, log), log)
        if "soak" in here:
            run["soak"] = wrk(server.url + FRAGMENT, 32, args.soak, ENDPOINTS["filtered fragment"][1])
            log(
                f"  soak: fragment, 32 connections, {args.soak} s: {run['soak']['requests']} requests, "
                f"{run['soak']['errors']} errors"
            )
        if "stress" in here and args.stress:
            hard = run["stress"] = stress(server, args.stress)
            log(
                f"  stress: mixed URLs, {hard['connections']} connections, {args.stress} s: "
                f"{hard['requests']} requests, p99 {hard['p99_ms']:.0f} ms, {hard['errors']} errors"
            )
        run["worker_rss_mb"] = server.worker_rss_mb()
    finally:
        server.stop()
    return run


def where(backend, size, args, done):
    """Which of the optional parts run at this backend and size."""
    here = set()
    if backend == "postgres" and size == max(args.sizes):
        here |= {"soak", "two instances"}
    if size in (min(args.sizes), max(args.sizes)) or (backend == "sqlite" and size == 10_000):
        here.add("stress")
    if size == min(args.sizes):
        here.add("edge")
    if size == args.pageload_size and "pageload" not in done:
        here.add("pageload")
        done.add("pageload")
    return here


def run_backend(backend, database_url, args, results, runs, log, done):
    env = production_env(database_url)
    manage(env, "migrate", "--noinput")
    manage(env, "reload_timeline")
    for size in args.sizes:
        started = time.monotonic()
        if size:
            manage(env, "generate_benchmark_events", "--count", str(size))
        generated = round(time.monotonic() - started, 1)
        measured = measure(env)
        log(f"{backend}: {measured['events']} events (generated in {generated} s)")
        cold = cold_in_process(env, args.cold_budget, args.cold_passes)
        cold["http"] = cold_over_http(env, cold["paths"], args.cold_budget, args.cold_passes)
        if size:
            cold["layers"] = cache_layers(env)
        log(
            f"  cold: {cold['page']['states']} first-time states, {args.cold_passes} passes pooled, "
            f"in-process p95 page {cold['page']['p95_ms']} ms, "
            f"fragment {cold['fragment']['p95_ms']} ms; over HTTP p95 page {cold['http']['page']['p95_ms']} ms, "
            f"fragment {cold['http']['fragment']['p95_ms']} ms, static {cold['http']['static']['p95_ms']} ms"
        )
        here = where(backend, size, args, done)
        label = (backend, measured["events"])
        run = bench_size(env, label, measured["endpoints"], args, results, log, here)
        run["generate_seconds"], run["cold"] = generated, cold
        run["after_change"], run["startup_ms"] = measured.get("after_change"), measured.get("startup_ms")
        if "two instances" in here:
            run["two_instances"] = two_instances(env, cold["paths"], args, log)
        runs.append(run)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 10_000, 100_000], help="synthetic events")
    parser.add_argument("--seconds", type=int, default=2, help="duration of each wrk run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--soak", type=int, default=30, help="seconds of the 32-connection soak at the largest N")
    parser.add_argument("--stress", type=int, default=60, help="seconds of the 64-connection mixed run")
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--cold-budget", type=int, default=120, help="seconds for each pass over first-time states")
    parser.add_argument(
        "--cold-passes", type=int, default=3, help="passes over the first-time states, each in a fresh process"
    )
    parser.add_argument("--pageload-size", type=int, default=10_000, help="the size whose page is loaded in Chromium")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the figures of the backends not run now from the existing report (rerun one backend)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="sizes 0 and 10,000, one repeat, short runs; writes bench/results-quick.*"
    )
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.repeats, args.seconds, args.soak, args.stress = [0, 10_000], 1, 2, 5, 5
        args.cold_budget, args.cold_passes = 60, 2
    output = ROOT / "bench" / ("results-quick" if args.quick else "results")
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk (make bench does this).")
    OUT.mkdir(parents=True, exist_ok=True)
    LUA.write_text(LUA_SOURCE)
    MIXED_LUA.write_text(mixed_lua(MIXED))
    started = time.monotonic()
    lines = []

    def log(line):
        print(line, flush=True)
        lines.append(line)

    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=production_env("sqlite:///" + str(OUT / "unused.sqlite3")),
        check=True,
    )
    results, runs, done = [], [], set()
    if args.keep and output.with_suffix(".json").exists():
        earlier = json.loads(output.with_suffix(".json").read_text())
        results = [r for r in earlier["results"] if r["backend"] not in args.backends]
        runs = [r for r in earlier["runs"] if r["backend"] not in args.backends]
        done = {"pageload"} if any(r.get("pageload") for r in runs) else set()

    def write_report(final):
        """Written after each backend too, so a run cut short keeps what it measured."""
        report = {
            "generated": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
            "settings": vars(args),
            "elapsed_seconds": round(time.monotonic() - started),
            "results": results,
            "runs": runs,
        }
        output.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
        from report import write_markdown

        try:
            write_markdown(report, output.with_suffix(".md"))
        except (KeyError, StopIteration, IndexError, ValueError) as problem:
            if final:
                raise
            log(f"The partial report has no markdown yet ({problem!r}); the JSON has every figure so far.")

    for backend in args.backends:
        if backend == "sqlite":
            path = OUT / "bench.sqlite3"
            path.unlink(missing_ok=True)
            run_backend("sqlite", f"sqlite:///{path}", args, results, runs, log, done)
        else:
            with throwaway_cluster(dbname="bench") as url:
                run_backend("postgres", url, args, results, runs, log, done)
        write_report(final=backend == args.backends[-1])
    log(f"Done in {round(time.monotonic() - started)} s: {output.relative_to(ROOT)}.md and .json")


if __name__ == "__main__":
    main()
