"""A throwaway PostgreSQL 15 cluster on 127.0.0.1, run as the postgres user (it refuses root).

    python tests/pgcluster.py -- COMMAND...   runs COMMAND with DATABASE_URL pointing at a
                                              fresh cluster, then stops and removes it.

Fails loudly, never silently skips, when the cluster cannot start.
"""

import contextlib
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


class ClusterError(RuntimeError):
    pass


LOWEST_PORT = 20_000
PORTS = random.SystemRandom()  # whoever seeds `random` (Hypothesis does, in its tests), ports differ


def ephemeral_ports(path="/proc/sys/net/ipv4/ip_local_port_range"):
    """The range the kernel takes outgoing connections' local ports from."""
    try:
        low, high = map(int, Path(path).read_text().split())
    except (OSError, ValueError):
        return range(32_768, 61_000)
    return range(low, high + 1)


def free_port(attempts=200):
    """A port on 127.0.0.1 that nothing listens on, below the ephemeral range.

    bind(0) hands out a port from the ephemeral range, which the kernel also gives to outgoing
    connections (the tests' own, to PostgreSQL, Redis and gunicorn): one of those took such a
    port before the PostgreSQL meant for it could bind it. A random port below that range,
    checked free, leaves only two servers drawing the same port at the same moment.
    """
    top = ephemeral_ports().start
    if top - LOWEST_PORT < 1_000:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]
    for _ in range(attempts):
        port = PORTS.randrange(LOWEST_PORT, top)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise OSError(f"no free port between {LOWEST_PORT} and {top} after {attempts} attempts")


def as_postgres(args, **kwargs):
    command = [str(a) for a in args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, capture_output=True, text=True, **kwargs)


class Cluster(str):
    """A cluster that a test may stop and start again, to see the app through an outage.

    It is also its DATABASE_URL as a string, so callers written as ``with throwaway_cluster() as url``
    (bench/) keep working.
    """

    def __new__(cls, workdir, port, dbname):
        return super().__new__(cls, f"postgres://postgres@127.0.0.1:{port}/{dbname}")

    def __init__(self, workdir, port, dbname):
        self.workdir, self.port, self.dbname = workdir, port, dbname
        self.data, self.log = workdir / "data", workdir / "server.log"
        self.options = (
            f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={workdir / 'run'} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )

    @property
    def url(self):
        return str(self)

    def start(self):
        result = as_postgres(
            [PG_BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-o", self.options, "-w", "-t", "30", "start"]
        )
        if result.returncode:
            log = self.log.read_text() if self.log.exists() else ""
            raise ClusterError(f"PostgreSQL did not start:\n{result.stderr}\n{log}")

    def stop(self):
        """A fast shutdown: open connections are cut, as when the database host goes away."""
        result = as_postgres([PG_BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", "30", "stop"])
        if result.returncode:
            raise ClusterError(f"PostgreSQL did not stop:\n{result.stderr}")


EXTENSIONS = ("rum",)  # the search's index (timeline/listing/search.py): Debian's postgresql-15-rum


def create_extensions(cluster, dbname):
    """The extensions the app's migrations use, created as the superuser the app need not be."""
    for name in EXTENSIONS:
        command = [PG_BIN / "psql", "-h", "127.0.0.1", "-p", cluster.port, "-U", "postgres", "-d", dbname]
        result = as_postgres([*command, "-v", "ON_ERROR_STOP=1", "-c", f"CREATE EXTENSION IF NOT EXISTS {name}"])
        if result.returncode:
            raise ClusterError(
                f"CREATE EXTENSION {name} failed (apt-get install postgresql-15-{name}):\n{result.stderr}"
            )


@contextlib.contextmanager
def throwaway_cluster(dbname="timeline"):
    """Yields a running Cluster (its DATABASE_URL is .url); the cluster and its data are gone afterwards."""
    if not (PG_BIN / "initdb").exists():
        raise ClusterError(f"PostgreSQL binaries not found in {PG_BIN} (apt-get install postgresql-15).")
    workdir = Path(tempfile.mkdtemp(prefix="pgcluster-"))
    cluster = Cluster(workdir, free_port(), dbname)
    (workdir / "run").mkdir()
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres")
        shutil.chown(workdir / "run", "postgres")
    workdir.chmod(0o700)
    try:
        result = as_postgres(
            [PG_BIN / "initdb", "-D", cluster.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]
        )
        if result.returncode:
            raise ClusterError(f"initdb failed:\n{result.stderr}")
        for attempt in range(3):
            try:
                cluster.start()
                break
            except ClusterError as exc:
                if "Address already in use" not in str(exc) or attempt == 2:
                    raise
                cluster = Cluster(workdir, free_port(), dbname)  # someone bound the port since it was chosen
        create_extensions(cluster, "template1")  # Django's test databases are copies of template1
        result = as_postgres([PG_BIN / "createdb", "-h", "127.0.0.1", "-p", cluster.port, "-U", "postgres", dbname])
        if result.returncode:
            raise ClusterError(f"createdb failed:\n{result.stderr}")
        yield cluster
    finally:
        if (cluster.data / "postmaster.pid").exists():
            as_postgres([PG_BIN / "pg_ctl", "-D", cluster.data, "-m", "fast", "-w", "stop"])
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv):
    if "--" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    command = argv[argv.index("--") + 1 :]
    try:
        with throwaway_cluster() as cluster:
            print(f"PostgreSQL cluster ready at {cluster.url}", flush=True)
            return subprocess.run(command, env={**os.environ, "DATABASE_URL": cluster.url}).returncode
    except ClusterError as exc:
        print(f"ERROR: cannot run on PostgreSQL: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv))
