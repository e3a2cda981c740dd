"""Fixture clusters for the console tests, written once per session as kubectl/gcloud files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.console import cluster_fixture


@pytest.fixture(scope="session")
def calico_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cluster_fixture.write("calico", tmp_path_factory.mktemp("calico"))


@pytest.fixture(scope="session")
def dpv2_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cluster_fixture.write("dataplane-v2", tmp_path_factory.mktemp("dpv2"))


@pytest.fixture(scope="session")
def calico_snapshot(calico_dir: Path):
    return cluster_fixture.load(calico_dir)


@pytest.fixture(scope="session")
def dpv2_snapshot(dpv2_dir: Path):
    return cluster_fixture.load(dpv2_dir)


@pytest.fixture(autouse=True)
def _no_local_clipboard(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never touch the machine's clipboard; OSC 52 is what they observe."""
    monkeypatch.setenv("NETPOL_TUI_NO_LOCAL_CLIPBOARD", "1")
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.delenv("TERM_PROGRAM", raising=False)


@pytest.fixture(autouse=True)
def _fixed_wall_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The header's "N min ago" counts against a fixed now (37 minutes after the fixtures'
    capture time), so no frame depends on the day the tests run."""
    from datetime import timedelta

    from netpol_tui.widgets import header

    monkeypatch.setattr(header, "clock", lambda: cluster_fixture.CAPTURED_AT + timedelta(minutes=37))
