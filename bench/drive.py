"""A bounded HTTP driver: each path asked once, in order, on one keep-alive connection.

wrk repeats one URL (the warm path); this asks many URLs once each (the cold path), and
reads `X-Query-Count` when the server sends it (TIMELINE_QUERY_COUNT_HEADER=1).
"""

import http.client
import statistics
import time
from urllib.parse import parse_qs, urlsplit


def percentiles(values):
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 2),
        "max_ms": round(ordered[-1], 2),
    }


def state_kind(path):
    """ "search" for a state with a search word, "filters" for one without: their costs differ in kind."""
    return "search" if parse_qs(urlsplit(path).query).get("q") else "filters"


def by_kind(timed):
    """Percentiles of [(path, ms)] for each kind of state."""
    kinds = {}
    for path, ms in timed:
        kinds.setdefault(state_kind(path), []).append(ms)
    return {kind: percentiles(times) for kind, times in sorted(kinds.items())}


class Connection:
    def __init__(self, base_url, timeout=30):
        parts = urlsplit(base_url)
        self.host, self.port, self.timeout = parts.hostname, parts.port, timeout
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def get(self, path, headers=None):
        """(status, headers, body bytes, milliseconds)."""
        started = time.perf_counter()
        try:
            self.conn.request("GET", path, headers=headers or {})
            response = self.conn.getresponse()
            body = response.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            raise
        return response.status, response.headers, body, (time.perf_counter() - started) * 1000

    def close(self):
        self.conn.close()


def each_once(base_url, paths, headers=None, budget=300.0):
    """Latency percentiles, query counts and statuses of one GET per path, stopping at `budget` seconds."""
    conn = Connection(base_url)
    deadline = time.monotonic() + budget
    timed, queries, statuses, errors, each = [], [], {}, 0, []
    try:
        for path in paths:
            if time.monotonic() > deadline:
                break
            try:
                status, response_headers, _, ms = conn.get(path, headers)
            except (http.client.HTTPException, OSError):
                errors += 1
                each.append(None)
                continue
            timed.append((path, ms))
            each.append(round(ms, 2))
            statuses[status] = statuses.get(status, 0) + 1
            if "X-Query-Count" in response_headers:
                queries.append(int(response_headers["X-Query-Count"]))
    finally:
        conn.close()
    summary = {
        **percentiles([ms for _, ms in timed]),
        "by_kind": by_kind(timed),
        "statuses": statuses,
        "errors": errors,
        "ms": each,
    }
    if queries:
        summary["queries_max"], summary["queries_median"] = max(queries), statistics.median(queries)
    return summary


def pooled(passes, paths):
    """One summary of several passes over the same paths, each pass's "ms" in the paths' order (None where a
    request failed): percentiles of every request of every pass, and each pass's own p95 beside them.

    One pass of 65 first-time states gave p95s 16% apart on the same code (bench/notes.md); pooled,
    the p95 is read from three times the requests, and the passes' spread is shown, not hidden."""
    timed = [
        (path, ms)
        for one in passes
        for path, ms in zip(paths, one["ms"], strict=False)  # a pass cut short by its budget has fewer
        if ms is not None
    ]
    summary = {
        **passes[0],
        **percentiles([ms for _, ms in timed]),
        "by_kind": by_kind(timed),
        "states": len(set(paths)),
        "passes_p95_ms": [one.get("p95_ms") for one in passes],
        "ms": [one["ms"] for one in passes],
    }
    statuses = [one["statuses"] for one in passes]
    if isinstance(statuses[0], dict):
        summary["statuses"] = {code: sum(found.get(code, 0) for found in statuses) for code in set().union(*statuses)}
    else:
        summary["statuses"] = sorted(set().union(*statuses))
    if "errors" in summary:
        summary["errors"] = sum(one["errors"] for one in passes)
    if "queries_max" in summary:
        summary["queries_max"] = max(one.get("queries_max", 0) for one in passes)
    if "queries_median" in summary:
        summary["queries_median"] = statistics.median(one.get("queries_median", 0) for one in passes)
    return summary


def repeated(base_url, path, count, headers=None):
    """Percentiles of `count` sequential GETs of one path (the static file's latency, for ratios)."""
    return each_once(base_url, [path] * count, headers, budget=60)
