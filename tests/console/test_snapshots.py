"""SVG snapshots of every screen (120x40) and of Status at 80x24, on the fixture clusters.

Deterministic: the fixture's capture time is fixed, nothing animates, no notification is up.
Update after a deliberate change with `pytest tests/console --snapshot-update`, and look at the
new SVGs before committing them.
"""

from __future__ import annotations

from pathlib import Path

from tests.console.helpers import make_app, settle


def _keys(*keys: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await pilot.pause(0.1)
            await settle(pilot)

    return run_before


def test_status_120x40(snap_compare, calico_dir: Path) -> None:
    assert snap_compare(make_app(calico_dir), terminal_size=(120, 40), run_before=_keys())


def test_status_80x24(snap_compare, calico_dir: Path) -> None:
    assert snap_compare(make_app(calico_dir), terminal_size=(80, 24), run_before=_keys())


def test_status_dataplane_v2_120x40(snap_compare, dpv2_dir: Path) -> None:
    assert snap_compare(make_app(dpv2_dir), terminal_size=(120, 40), run_before=_keys())


def test_nodes_120x40(snap_compare, calico_dir: Path) -> None:
    assert snap_compare(make_app(calico_dir), terminal_size=(120, 40), run_before=_keys("2"))


def test_policies_pod_120x40(snap_compare, calico_dir: Path) -> None:
    keys = ("3", "slash", *"store-5c6d-pq", "enter")
    assert snap_compare(make_app(calico_dir), terminal_size=(120, 40), run_before=_keys(*keys))


def test_policies_policy_120x40(snap_compare, calico_dir: Path) -> None:
    keys = ("3", "slash", *"allow-api", "enter")
    assert snap_compare(make_app(calico_dir), terminal_size=(120, 40), run_before=_keys(*keys))


def test_known_issues_120x40(snap_compare, calico_dir: Path) -> None:
    assert snap_compare(make_app(calico_dir), terminal_size=(120, 40), run_before=_keys("4"))


def test_runbooks_120x40(snap_compare, calico_dir: Path) -> None:
    assert snap_compare(make_app(calico_dir), terminal_size=(120, 40), run_before=_keys("5"))


def test_finding_dialog_120x40(snap_compare, calico_dir: Path) -> None:
    assert snap_compare(make_app(calico_dir), terminal_size=(120, 40), run_before=_keys("enter"))


def test_matrix_120x40(snap_compare, calico_dir: Path) -> None:
    assert snap_compare(make_app(calico_dir), terminal_size=(120, 40), run_before=_keys("6"))


def test_flows_120x40(snap_compare) -> None:
    from netpol_tui.app import NetpolApp
    from netpol_tui.sources import SourceOptions

    assert snap_compare(NetpolApp(SourceOptions(demo="dataplane-v2")), terminal_size=(120, 40), run_before=_keys("7"))
