"""The ports the tests' own servers (PostgreSQL, Redis, Varnish, gunicorn) listen on."""

import random
import socket

import pytest

from . import pgcluster
from .pgcluster import ephemeral_ports, free_port, throwaway_cluster


def test_a_free_port_is_below_the_range_of_outgoing_connections_and_free():
    port = free_port()
    assert pgcluster.LOWEST_PORT <= port < ephemeral_ports().start
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_seeding_random_does_not_repeat_the_ports():
    """Hypothesis seeds `random` alike in every worker while its tests run; servers must not draw alike."""
    drawn = []
    for _ in range(2):
        random.seed(14)
        drawn.append([free_port() for _ in range(3)])
    assert drawn[0] != drawn[1]


def test_the_ephemeral_range_is_read_from_the_kernel_or_assumed(tmp_path):
    ranges = tmp_path / "ip_local_port_range"
    ranges.write_text("40000\t50000\n")
    assert ephemeral_ports(ranges) == range(40000, 50001)
    assert ephemeral_ports(tmp_path / "missing") == range(32768, 61000)


def test_with_no_room_below_the_range_the_kernel_chooses(monkeypatch):
    kernels = ephemeral_ports()
    monkeypatch.setattr(pgcluster, "ephemeral_ports", lambda: range(20_500, 60_000))
    assert free_port() in kernels  # bind(0): the kernel's own ephemeral range, not ours


@pytest.mark.services
def test_postgresql_starts_on_another_port_when_its_port_was_taken_meanwhile(monkeypatch):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        ports = iter([taken.getsockname()[1]])
        monkeypatch.setattr(pgcluster, "free_port", lambda: next(ports, None) or free_port())
        with throwaway_cluster(dbname="ports") as cluster:
            assert cluster.port != taken.getsockname()[1]
            assert cluster.url.endswith(f":{cluster.port}/ports")
