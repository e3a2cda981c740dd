"""Failures become banners (never tracebacks), degraded modes say why, hostile text stays inert."""

from __future__ import annotations

from pathlib import Path

import pytest

from netpol_tui.sources import SourceError
from netpol_tui.widgets.banner import Banner
from netpol_tui.widgets.virtual_list import VirtualList
from tests.console import cluster_fixture
from tests.console.helpers import make_app, record_notifications, screen_text, settle, sync

MARKUP = "[bold red]x[/]"
OSC52_ATTACK = "\x1b]52;c;ZXZpbCBjb21tYW5k\x07"
RTL = "\u202eevil\u202c שלום"
WIDE = "ポッド名前"
LONG = "A" * 10_000


def banner(app) -> str:
    return app.screen.query_one(Banner).plain


def assert_inert(text: str) -> None:
    for bad in ("\x1b", "\x07", "\u202e", "\x9b"):
        assert bad not in text


@sync
async def test_a_failed_load_shows_the_reason_and_r_retries(calico_dir: Path) -> None:
    attempts: list[int] = []

    def loader(options, progress):
        attempts.append(1)
        if len(attempts) == 1:
            raise SourceError("nothing usable was loaded from ./dump", hint="Use --demo, or --files with kubectl output.")
        return cluster_fixture.load(calico_dir)

    app = make_app(calico_dir, loader)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        text = banner(app)
        assert "Loading failed: nothing usable was loaded from ./dump" in text
        assert "Press r to retry" in text
        assert "Traceback" not in screen_text(app)
        await pilot.press("r")
        await settle(pilot)
        assert "Loading failed" not in banner(app)
        assert app.state.report is not None


@sync
async def test_an_unexpected_loader_crash_is_a_banner_too(calico_dir: Path) -> None:
    def loader(options, progress):
        raise RuntimeError("connection reset by peer")

    app = make_app(calico_dir, loader)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "Loading failed: RuntimeError: connection reset by peer" in banner(app)
        await pilot.press("2", "3", "4", "5")
        await settle(pilot)
        assert "Loading failed" in banner(app), "every screen shows it"


@sync
async def test_failed_checks_keep_status_nodes_and_policies_working(calico_dir: Path, monkeypatch) -> None:
    import netpol_tui.checks

    def broken(*args, **kwargs):
        raise KeyError("GKE013")

    monkeypatch.setattr(netpol_tui.checks, "run_checks", broken)
    app = make_app(calico_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = banner(app)
        assert "The checks failed: KeyError: 'GKE013'" in text
        assert "Status, Nodes and Policies still work" in text
        assert "The checks did not run" in screen_text(app)
        await pilot.press("3", "slash", *"db-0", "enter")
        await pilot.pause(0.1)
        await settle(pilot)
        assert "Policies selecting this pod (2)" in screen_text(app)
        await pilot.press("4")
        await settle(pilot)
        assert "unknown" in screen_text(app)
        await pilot.press("5")
        await settle(pilot)
        assert "? unknown" in screen_text(app)


@sync
async def test_a_failed_engine_says_what_still_works(calico_dir: Path, monkeypatch) -> None:
    import netpol_tui.policy

    class Broken:
        def __init__(self, *args, **kwargs) -> None:
            raise ValueError("index exploded")

    monkeypatch.setattr(netpol_tui.policy, "PolicyEngine", Broken)
    app = make_app(calico_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "The verdict engine failed: ValueError: index exploded" in banner(app)
        await pilot.press("3")
        await settle(pilot)
        notes = record_notifications(app)
        await pilot.press("e")
        await settle(pilot)
        assert any("engine is not ready" in n.message for n in notes)


@sync
async def test_kubernetes_only_mode_is_announced(tmp_path: Path) -> None:
    directory = cluster_fixture.write("calico", tmp_path / "k8s", drop=("cluster.json", "operations.json"))
    app = make_app(directory)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = banner(app)
        assert "Kubernetes-only mode: the input holds no GKE cluster description" in text
        assert "verdicts follow Kubernetes API semantics" in text
        screen = screen_text(app)
        assert "no GKE cluster information" in screen
        assert "unknown" in screen


def hostile_documents() -> dict:
    pod = cluster_fixture.pod(f"evil-{OSC52_ATTACK}-{WIDE}", "hostile", {"app": MARKUP}, "10.8.9.9",
                              "gke-shop-prod-default-pool-00a1", waiting="ContainerCreating", phase="Pending",
                              annotations={"note": RTL, "cni.projectcalico.org/ipAddrs": '["10.8.9.9"]'})
    event = {"apiVersion": "v1", "kind": "Event",
             "metadata": {"name": "evil.1", "namespace": "hostile"},
             "involvedObject": {"kind": "Pod", "name": pod["metadata"]["name"], "namespace": "hostile"},
             "reason": "FailedCreatePodSandBox", "type": "Warning",
             "message": f"{MARKUP} {OSC52_ATTACK} {RTL} {WIDE} {LONG} ipAddrs is not compatible with configured "
                        "IPAM: host-local"}
    namespace = {"apiVersion": "v1", "kind": "Namespace",
                 "metadata": {"name": "hostile", "labels": {"team": MARKUP, "kubernetes.io/metadata.name": "hostile"}}}
    policy = cluster_fixture.policy(f"{MARKUP}-{RTL}", "hostile", {
        "podSelector": {"matchLabels": {"app": f"{MARKUP}{OSC52_ATTACK}"}}, "policyTypes": ["Ingress"]})
    return {"hostile.json": {"apiVersion": "v1", "kind": "List", "items": [namespace, pod, event, policy]}}


@pytest.fixture
def hostile_dir(tmp_path: Path) -> Path:
    return cluster_fixture.write("calico", tmp_path / "hostile", extra=hostile_documents())


@sync
async def test_hostile_names_labels_annotations_and_events_stay_inert(hostile_dir: Path) -> None:
    app = make_app(hostile_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        frames = [screen_text(app)]
        findings = app.screen.query_one("#findings", VirtualList)
        target = next(f for f in app.state.report.findings if f.id == "KI002" and "hostile" in str(f.subject))
        if not findings.select_key(target):  # KI002's findings are grouped: open the group first
            _, group_row = findings.find(lambda key: getattr(key, "key", None) == ("KI002", None))
            assert findings.select_key(group_row.key)
            await pilot.press("enter")
            await settle(pilot)
            assert findings.select_key(target)
        await pilot.press("enter")
        await settle(pilot)
        frames.append(screen_text(app))
        await pilot.press("escape", "y")
        await settle(pilot)
        frames.append(screen_text(app))
        await pilot.press("escape", "3", "slash", *"hostile", "enter")
        await settle(pilot)
        for _ in range(3):
            await pilot.press("down")
            await pilot.pause(0.1)
            await settle(pilot)
            frames.append(screen_text(app))
            await pilot.press("y")
            await settle(pilot)
            frames.append(screen_text(app))
            await pilot.press("escape")
        for key in ("2", "4", "5"):
            await pilot.press(key)
            await settle(pilot)
            frames.append(screen_text(app))
        for frame in frames:
            assert_inert(frame)
        everything = "\n".join(frames)
        assert MARKUP in everything, "markup is shown literally, not interpreted"
        assert "evil-" in everything and WIDE in everything
