"""The console's Explain form on snapshots with a kind not read: UNKNOWN, with the reasons."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from netpol_tui.dialogs.explain import ExplainDialog
from tests.console import cluster_fixture
from tests.console.helpers import make_app, screen_text, settle, sync

FILES = {"NetworkPolicy": "networkpolicies.json", "Namespace": "namespaces.json", "Pod": "pods.json"}
FROM_WEB_NAMESPACE = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                      "metadata": {"name": "allow-web-team", "namespace": "payments"},
                      "spec": {"podSelector": {"matchLabels": {"app": "db"}}, "policyTypes": ["Ingress"],
                               "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": "web"}}}],
                                            "ports": [{"port": 9000}]}]}}


def forbidden_dir(directory: Path, kind: str) -> Path:
    """The calico fixture as saved from a live read where listing `kind` was forbidden."""
    policies = cluster_fixture.calico_documents()["networkpolicies.json"]
    policies["items"].append(FROM_WEB_NAMESPACE)
    cluster_fixture.write("calico", directory, extra={"networkpolicies.json": policies}, drop=(FILES[kind],))
    manifest = {"apiVersion": "netpol-tui/v1", "kind": "NetpolTuiSnapshot", "capturedAt": "2026-11-20T10:00:00+00:00",
                "unknown": [{"kind": kind, "reason": f"forbidden: list {FILES[kind][:-5]} at cluster scope"}]}
    (directory / "manifest.json").write_bytes(orjson.dumps(manifest))
    return directory


@pytest.mark.parametrize("kind, src, dst, port, permission", [
    ("NetworkPolicy", "payments/api-6f7b-zz1aa", "payments/db-0", "5432", "kubectl auth can-i list networkpolicies -A"),
    ("Namespace", "shop/web-7d9f8-abcde", "payments/db-0", "9000", "kubectl auth can-i list namespaces"),
    ("Pod", "10.8.2.20", "10.8.2.10", "5432", "kubectl auth can-i list pods -A"),
    ("Pod", "payments/api-6f7b-zz1aa", "payments/db-0", "5432", "kubectl auth can-i list pods -A"),
])
@sync
async def test_explain_form_says_unknown_and_why(tmp_path: Path, kind, src, dst, port, permission) -> None:
    app = make_app(forbidden_dir(tmp_path / "dump", kind))
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        app.screen.action_explain()
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExplainDialog)
        dialog.query_one("#explain-from").value = src
        dialog.query_one("#explain-to").value = dst
        dialog.query_one("#explain-port").value = port
        dialog.action_explain()
        await settle(pilot)
        text = screen_text(app)
        assert "UNKNOWN" in text and "ALLOWED" not in text and "DENIED" not in text
        assert "It depends on data that was not read" in text and "objects were not read" in text
        from netpol_tui.screens.policy_views import VERDICT_BADGES, explain_text

        assert "green" not in VERDICT_BADGES[None] and "red" not in VERDICT_BADGES[None]
        copied = explain_text(dialog.result)
        assert "UNKNOWN" in copied and f"{kind} objects were not read" in copied and permission in copied


def test_fixture_answers_definitely_with_everything_read(tmp_path: Path) -> None:
    """The same questions on the full fixture are definite, so the UNKNOWNs above come from the gaps."""
    from netpol_tui.policy import PolicyEngine

    directory = forbidden_dir(tmp_path / "dump", "NetworkPolicy")
    policies = cluster_fixture.calico_documents()["networkpolicies.json"]
    policies["items"].append(FROM_WEB_NAMESPACE)
    (directory / "networkpolicies.json").write_text(json.dumps(policies))
    (directory / "manifest.json").unlink()
    engine = PolicyEngine(cluster_fixture.load(directory))
    for src, dst, port, expected in (("payments/api-6f7b-zz1aa", "payments/db-0", 5432, True),
                                     ("shop/web-7d9f8-abcde", "payments/db-0", 9000, True),
                                     ("10.8.2.20", "10.8.2.10", 5432, True)):
        assert engine.evaluate(engine.resolve(src)[0], engine.resolve(dst)[0], port).allowed is expected


def _render(group) -> str:
    import io

    from rich.console import Console

    console = Console(width=200, file=io.StringIO(), color_system=None)
    console.print(group)
    return console.file.getvalue()


def test_pod_and_namespace_details_do_not_claim_isolation_without_policies(tmp_path: Path) -> None:
    from netpol_tui.policy import PolicyEngine
    from netpol_tui.screens.policy_views import namespace_details, pod_details

    snapshot = cluster_fixture.load(forbidden_dir(tmp_path / "dump", "NetworkPolicy"))
    engine = PolicyEngine(snapshot)
    db = engine.pod("payments", "db-0")
    text = _render(pod_details(engine, db))
    assert "Isolation  unknown" in text and "kubectl auth can-i list networkpolicies -A" in text
    assert "not isolated" not in text and "all its traffic is allowed" not in text
    text = _render(namespace_details(engine, snapshot, "payments"))
    assert "unknown" in text and "selected by no policy" not in text
