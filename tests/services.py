"""Throwaway Redis and Varnish on 127.0.0.1, each in a temp dir it owns, stopped by its pid.

    python tests/services.py [--postgres] [--redis] -- COMMAND...

runs COMMAND with DATABASE_URL (a fresh PostgreSQL cluster, see pgcluster.py) and REDIS_URL
(a fresh redis-server) set, then stops both. Tests and bench/ use the context managers.
Fails loudly, never silently skips, when a service cannot start.
"""

import argparse
import contextlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__:  # imported by the tests
    from .pgcluster import ClusterError, free_port, throwaway_cluster
else:  # run as a script, or imported by bench/ with tests/ on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from pgcluster import ClusterError, free_port, throwaway_cluster

PROJECT = Path(__file__).resolve().parent.parent
REDIS_SERVER = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")
VARNISHD = os.environ.get("VARNISHD", "/usr/sbin/varnishd")


class ServiceError(RuntimeError):
    pass


def manage(env, *args):
    """Run a manage.py command of this project with the environment given (a server's settings)."""
    subprocess.run(
        [sys.executable, "manage.py", *args, "-v0"],
        cwd=PROJECT,
        env=env,
        check=True,
        capture_output=True,
        timeout=180,
    )


def http_get(port, path, headers=None):
    """(status, headers, text) of one GET on 127.0.0.1:port."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        conn.close()


def wait_for_port(port, process, name, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServiceError(f"{name} exited with status {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise ServiceError(f"{name} did not listen on 127.0.0.1:{port} within {seconds} s")


def stop(process, seconds=15):
    """SIGTERM to this one pid, then SIGKILL if it does not exit in time."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=seconds)


def start_gunicorn(env, port, log, name="gunicorn"):
    """One gunicorn worker with two threads on 127.0.0.1:port, as the project starts it (gunicorn.conf.py
    read from the project's directory), listening when this returns; stop it with stop()."""
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "timeline.project.wsgi", "-b", f"127.0.0.1:{port}"]
        + ["-w", "1", "--threads", "2", "--no-control-socket"],
        cwd=PROJECT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, process, name)
    except ServiceError:
        stop(process)
        raise
    return process


def redis_ping(url, seconds=10):
    """True once the server at redis://127.0.0.1:PORT/0 answers PING."""
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


@contextlib.contextmanager
def throwaway_redis():
    """Yields the REDIS_URL of a redis-server in the foreground, memory only, on a free port."""
    if not Path(REDIS_SERVER).exists():
        raise ServiceError(f"{REDIS_SERVER} not found (apt-get install redis-server).")
    workdir = Path(tempfile.mkdtemp(prefix="redis-"))
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    log = (workdir / "redis.log").open("w")
    process = subprocess.Popen(
        [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(workdir)]
        + ["--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes"]
        + ["--maxmemory", "256mb", "--maxmemory-policy", "allkeys-lru"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, process, "redis-server")
        if not redis_ping(url):
            raise ServiceError("redis-server does not answer PING")
        yield url
    except ServiceError as exc:
        raise ServiceError(f"{exc}\n{(workdir / 'redis.log').read_text()}") from None
    finally:
        stop(process)
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


class Varnish:
    """A running varnishd: .url to send requests to, .stats() for its counters."""

    def __init__(self, workdir, port):
        self.workdir, self.port = workdir, port
        self.url = f"http://127.0.0.1:{port}"

    def stats(self):
        """The MAIN counters (cache_hit, cache_miss, cache_hitpass, client_req …) as a dict."""
        out = subprocess.run(
            ["varnishstat", "-n", str(self.workdir / "n"), "-1", "-j"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
        counters = json.loads(out)
        counters = counters.get("counters", counters)
        return {
            name.split(".", 1)[1]: value["value"]
            for name, value in counters.items()
            if name.startswith("MAIN.") and isinstance(value, dict) and "value" in value
        }


@contextlib.contextmanager
def throwaway_varnish(backend_port, vcl_path, memory="64m"):
    """Yields a Varnish on a free port in front of 127.0.0.1:backend_port, with the VCL at vcl_path.

    The VCL's backend is set from backend_port: it must declare `.port = "BACKEND_PORT";`.
    """
    if not Path(VARNISHD).exists():
        raise ServiceError(f"{VARNISHD} not found (apt-get install varnish).")
    workdir = Path(tempfile.mkdtemp(prefix="varnish-"))
    workdir.chmod(0o755)
    vcl = workdir / "default.vcl"
    vcl.write_text(Path(vcl_path).read_text().replace("BACKEND_PORT", str(backend_port)))
    vcl.chmod(0o644)
    port = free_port()
    log = (workdir / "varnish.log").open("w")
    process = subprocess.Popen(
        [VARNISHD, "-F", "-a", f"127.0.0.1:{port}", "-T", "none", "-n", str(workdir / "n")]
        + ["-f", str(vcl), "-s", f"malloc,{memory}"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, process, "varnishd")
        yield Varnish(workdir, port)
    except ServiceError as exc:
        raise ServiceError(f"{exc}\n{(workdir / 'varnish.log').read_text()}") from None
    finally:
        stop(process)
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL cluster (DATABASE_URL)")
    parser.add_argument("--redis", action="store_true", help="a throwaway redis-server (REDIS_URL)")
    if "--" not in argv:
        parser.print_help(sys.stderr)
        return 2
    args = parser.parse_args(argv[: argv.index("--")])
    command = argv[argv.index("--") + 1 :]
    env = dict(os.environ)
    try:
        with contextlib.ExitStack() as stack:
            if args.postgres:
                env["DATABASE_URL"] = stack.enter_context(throwaway_cluster()).url
                print(f"PostgreSQL cluster ready at {env['DATABASE_URL']}", flush=True)
            if args.redis:
                env["REDIS_URL"] = stack.enter_context(throwaway_redis())
                print(f"Redis ready at {env['REDIS_URL']}", flush=True)
            return subprocess.run(command, env=env).returncode
    except (ClusterError, ServiceError) as exc:
        print(f"ERROR: cannot start the services: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
