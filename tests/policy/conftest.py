"""Fixtures for the verdict engine tests (builders live in tests/policy/builders.py)."""

from __future__ import annotations

import pytest

from tests.policy.builders import namespace, pod


@pytest.fixture
def world():
    """Two namespaces, a few pods: the base of the table tests."""
    return {
        "namespaces": [namespace("shop", {"team": "shop"}), namespace("web", {"team": "web"})],
        "pods": [
            pod("web-0", "shop", {"app": "web", "tier": "front"}, "10.1.0.1"),
            pod("db-0", "shop", {"app": "db"}, "10.1.0.2",
                ports=[{"name": "pg", "containerPort": 5432}, {"name": "dns", "containerPort": 53, "protocol": "UDP"},
                       {"name": "metrics", "containerPort": 9090}]),
            pod("client-0", "web", {"app": "client"}, "10.2.0.1"),
            pod("dual-0", "shop", {"app": "dual"}, ips=["10.1.0.3", "fd00::3"]),
        ],
    }
