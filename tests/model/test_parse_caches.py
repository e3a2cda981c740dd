"""The pod parser's caches of repeated values (quantities, node IPs, container ports): shared
results, the same answers as without them, bounded, and never a way around validation."""

from __future__ import annotations

import pytest

from netpol_tui.model import parse_core
from netpol_tui.model.parse import ParseError, parse_pod


def pod(name: str, host_ip: object = "10.128.0.7", cpu: object = "250m") -> dict:
    return {"metadata": {"name": name, "namespace": "shop"},
            "spec": {"containers": [{"name": "app", "ports": [{"containerPort": 8080, "name": "http"}],
                                     "resources": {"requests": {"cpu": cpu, "memory": "64Mi"}}}]},
            "status": {"hostIP": host_ip, "podIP": "10.64.0.1"}}


def test_repeated_values_are_shared_and_equal() -> None:
    first, second = parse_pod(pod("a")), parse_pod(pod("b"))
    assert first.ports[0] is second.ports[0]
    assert first.ports == second.ports and first.ports[0].container == "app"
    assert first.cpu_request_millis == second.cpu_request_millis == 250
    assert first.memory_request_bytes == 64 * 2**20 and first.host_ip == "10.128.0.7"


def test_without_room_in_the_caches_the_answers_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    cached = parse_pod(pod("a", host_ip="10.128.0.9", cpu="1500m"))
    for name in ("_CPU_TEXT", "_MEMORY_TEXT", "_IPV4_SEEN", "_PORT_SEEN"):
        monkeypatch.setattr(parse_core, name, {})
    monkeypatch.setattr(parse_core, "_CACHE_LIMIT", 0)
    uncached = parse_pod(pod("a", host_ip="10.128.0.9", cpu="1500m"))
    assert uncached == cached and uncached.ports[0] is not cached.ports[0]
    assert not parse_core._PORT_SEEN and not parse_core._CPU_TEXT and not parse_core._IPV4_SEEN


def test_cached_values_do_not_let_bad_ones_through() -> None:
    parse_pod(pod("good"))
    with pytest.raises(ParseError, match="status.hostIP is not an IP address"):
        parse_pod(pod("bad", host_ip="10.128.0.7 "))
    with pytest.raises(ParseError, match=r"spec.containers\[0\].resources.requests"):
        parse_pod(pod("bad", cpu="250 m"))
    with pytest.raises(ParseError, match="must not be negative"):
        parse_pod(pod("bad", cpu=-1))
