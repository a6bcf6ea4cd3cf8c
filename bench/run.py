"""The benchmark: gunicorn (production settings) under wrk, on SQLite and PostgreSQL, at three sizes.

    make bench            # or: .venv/bin/python bench/run.py [--quick]

Writes bench/results.md and bench/results.json. Everything binds to 127.0.0.1; every
load run is bounded by wrk's duration, and the whole run by --budget seconds.
"""

import argparse
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
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
sys.path.insert(0, str(ROOT / "tests"))

from pgcluster import throwaway_cluster  # noqa: E402

FRAGMENT = "/?actor=changpeng-zhao&from=2019&to=2025&q=Binance"
ENDPOINTS = {
    "full page": ("/", {}),
    "filtered fragment": (FRAGMENT, {"HX-Request": "true"}),
    "event detail": ("/events/trump-pardons-cz/", {}),
    "events.json": ("/events.json", {}),
}
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
    .. ' "p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def production_env(database_url):
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": "benchmark-only-secret-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    }


class Gunicorn:
    def __init__(self, env, workers=2, threads=4):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "timeline.wsgi",
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
            ],
            cwd=ROOT,
            env=env,
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
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


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
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
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


def bench_size(env, label, measured, args, results, log, soak_here=False, stress_here=False):
    endpoints = all_endpoints()
    server = Gunicorn(env)
    try:
        for name, (path, headers) in endpoints.items():
            wrk(server.url + path, 2, 1, headers)  # warm caches and connections
            one = median_of([wrk(server.url + path, 1, args.seconds, headers) for _ in range(args.repeats)])
            many = median_of([wrk(server.url + path, 32, args.seconds, headers) for _ in range(args.repeats)])
            results.append(
                {"backend": label[0], "n": label[1], "endpoint": name, "c1": one, "c32": many, **measured[name]}
            )
            log(
                f"  {label[0]:8} N={label[1]:>7} {name:22} c1 p95 {one['p95_ms']:7.1f} ms  "
                f"c32 {many['rps']:7.1f} rps  errors {many['errors']}"
            )
        soak = None
        if soak_here:
            soak = wrk(server.url + FRAGMENT, 32, args.soak, ENDPOINTS["filtered fragment"][1])
            log(
                f"  soak: fragment, 32 connections, {args.soak} s: {soak['requests']} requests, {soak['errors']} errors"
            )
        stressed = None
        if stress_here and args.stress:
            stressed = stress(server, args.stress)
            log(
                f"  stress: mixed URLs, {stressed['connections']} connections, {args.stress} s: "
                f"{stressed['requests']} requests, p99 {stressed['p99_ms']:.0f} ms, {stressed['errors']} errors"
            )
        rss = server.worker_rss_mb()
    finally:
        server.stop()
    return {"backend": label[0], "n": label[1], "worker_rss_mb": rss, "soak": soak, "stress": stressed}


def run_backend(backend, database_url, args, results, runs, log):
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
        soak_here = backend == "postgres" and size == max(args.sizes)
        stress_here = size in (min(args.sizes), max(args.sizes))
        label = (backend, measured["events"])
        run = bench_size(env, label, measured["endpoints"], args, results, log, soak_here, stress_here)
        run["generate_seconds"] = generated
        runs.append(run)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 10_000, 100_000], help="synthetic events")
    parser.add_argument("--seconds", type=int, default=2, help="duration of each wrk run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--soak", type=int, default=30, help="seconds of the 32-connection soak at the largest N")
    parser.add_argument("--stress", type=int, default=60, help="seconds of the 64-connection mixed run")
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--quick", action="store_true", help="sizes 0 and 2,000, one repeat, 5 s soak")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.repeats, args.soak, args.stress = [0, 2_000], 1, 5, 5
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
    results, runs = [], []
    for backend in args.backends:
        if backend == "sqlite":
            path = OUT / "bench.sqlite3"
            path.unlink(missing_ok=True)
            run_backend("sqlite", f"sqlite:///{path}", args, results, runs, log)
        else:
            with throwaway_cluster(dbname="bench") as url:
                run_backend("postgres", url, args, results, runs, log)
    elapsed = round(time.monotonic() - started)
    report = {
        "generated": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "settings": vars(args),
        "elapsed_seconds": elapsed,
        "results": results,
        "runs": runs,
    }
    (ROOT / "bench" / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    from report import write_markdown

    write_markdown(report, ROOT / "bench" / "results.md")
    log(f"Done in {elapsed} s: bench/results.md, bench/results.json")


if __name__ == "__main__":
    main()
