"""A throwaway PostgreSQL 15 cluster on 127.0.0.1, run as the postgres user (it refuses root).

    python tests/pgcluster.py -- COMMAND...   runs COMMAND with DATABASE_URL pointing at a
                                              fresh cluster, then stops and removes it.

Fails loudly, never silently skips, when the cluster cannot start.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


class ClusterError(RuntimeError):
    pass


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_postgres(args, **kwargs):
    command = [str(a) for a in args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, capture_output=True, text=True, **kwargs)


@contextlib.contextmanager
def throwaway_cluster(dbname="timeline"):
    """Yields a DATABASE_URL; the cluster and its data are gone afterwards."""
    if not (PG_BIN / "initdb").exists():
        raise ClusterError(f"PostgreSQL binaries not found in {PG_BIN} (apt-get install postgresql-15).")
    workdir = Path(tempfile.mkdtemp(prefix="pgcluster-"))
    data, sockets = workdir / "data", workdir / "run"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres")
        shutil.chown(sockets, "postgres")
    workdir.chmod(0o700)
    port = free_port()
    started = False
    try:
        result = as_postgres(
            [PG_BIN / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]
        )
        if result.returncode:
            raise ClusterError(f"initdb failed:\n{result.stderr}")
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={sockets} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        result = as_postgres(
            [PG_BIN / "pg_ctl", "-D", data, "-l", workdir / "server.log", "-o", options, "-w", "-t", "30", "start"]
        )
        if result.returncode:
            log = (workdir / "server.log").read_text() if (workdir / "server.log").exists() else ""
            raise ClusterError(f"PostgreSQL did not start:\n{result.stderr}\n{log}")
        started = True
        result = as_postgres([PG_BIN / "createdb", "-h", "127.0.0.1", "-p", port, "-U", "postgres", dbname])
        if result.returncode:
            raise ClusterError(f"createdb failed:\n{result.stderr}")
        yield f"postgres://postgres@127.0.0.1:{port}/{dbname}"
    finally:
        if started:
            as_postgres([PG_BIN / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop"])
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv):
    if "--" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    command = argv[argv.index("--") + 1 :]
    try:
        with throwaway_cluster() as url:
            print(f"PostgreSQL cluster ready at {url}", flush=True)
            return subprocess.run(command, env={**os.environ, "DATABASE_URL": url}).returncode
    except ClusterError as exc:
        print(f"ERROR: cannot run on PostgreSQL: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv))
