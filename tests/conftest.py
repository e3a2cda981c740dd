"""Shared fixtures and the Hypothesis profile.

Property tests must not flake on a busy 2-core CI machine: no per-example deadline, no
"too slow" health check, and under CI (CI=true) a fixed example sequence so a red run can be
reproduced exactly.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

FIXTURES = Path(__file__).parent / "fixtures"

settings.register_profile("netpol", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("netpol-ci", parent=settings.get_profile("netpol"), derandomize=True)
settings.load_profile("netpol-ci" if os.environ.get("CI") else "netpol")


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's ~/.config/netpol-tui/config.toml: each sees an empty config home."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))
