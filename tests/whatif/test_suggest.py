"""`explain --suggest`: the proposal makes the asked flow allowed, names its blast radius, and
uses labels that survive a rollout."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netpol_tui.cli import main
from netpol_tui.policy import PolicyEngine
from netpol_tui.policy.results import Direction, Endpoint
from netpol_tui.whatif.blast import targeted
from netpol_tui.whatif.classes import workload_of
from netpol_tui.whatif.diff import apply_change, diff_engines
from netpol_tui.whatif.facts import supported
from netpol_tui.whatif.suggest import NoSuggestion, identifying_labels, suggest
from tests.policy.builders import MODELS, pod, policy, snapshot
from tests.policy.test_properties import PORTS, cluster_st

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(cluster_st(), st.integers(0, 3), st.integers(0, 3), st.sampled_from(PORTS), st.sampled_from(("TCP", "UDP")),
       st.sampled_from(MODELS))
def test_a_suggestion_allows_the_flow_and_reports_exactly_the_diff(cluster, i, j, port, protocol, model) -> None:
    pods, policies, namespaces = cluster
    src, dst = pods[i % len(pods)], pods[j % len(pods)]
    engine = PolicyEngine(snapshot(pods, policies, namespaces), model)
    verdict = engine.evaluate(Endpoint.for_pod(src), Endpoint.for_pod(dst), port, protocol)
    try:
        item = suggest(engine, Endpoint.for_pod(src), Endpoint.for_pod(dst), port, protocol)
    except NoSuggestion:
        assert verdict.allowed is not False or src is dst
        return
    assert verdict.allowed is False
    after = PolicyEngine(apply_change(engine.snapshot, item.policies), model)
    assert after.evaluate(Endpoint.for_pod(src), Endpoint.for_pod(dst), port, protocol).allowed is True
    changes = {(c.src.label, c.dst.label, c.port, c.after) for c in diff_engines(engine, after, "b", "a").changes}
    reported = {(c.src.label, c.dst.label, c.port, c.after) for c in (*item.also_allows, *item.also_denies)}
    assert all(c.after for c in item.also_allows) and not any(c.after for c in item.also_denies)
    assert reported <= changes
    assert len(changes - reported) <= 1  # the asked flow itself (when the matrix asks its port)
    # exactly the full change diff, in its order (the blast radius may come from `blast.targeted`)
    asked = (workload_of(src), workload_of(dst), item.after.port)
    full = [c for c in diff_engines(engine, after, "b", "a").changes
            if (workload_of(c.src.pod), workload_of(c.dst.pod), c.port.port) != asked]
    assert list(item.also_allows) == [c for c in full if c.after]
    assert list(item.also_denies) == [c for c in full if not c.after]
    # A suggestion is made only for a side that isolates already, but a workload without labels of
    # its own is selected with its namespace: the targeted blast radius answers unless that
    # isolates some pod anew (or the fast path does not model the engine).
    anew = model != "none" and any(
        not p.host_network and any(after.isolating_policies(p, d) and not engine.isolating_policies(p, d)
                                   for d in (Direction.INGRESS, Direction.EGRESS))
        for p in engine.snapshot.pods if p.is_live)
    assert (targeted(engine, after, item.policies, max_share=1.0) is not None) is (supported(engine) and not anew)


def _owned(p, kind="ReplicaSet", name="web-5d8f7"):
    return dataclasses.replace(p, owner_kind=kind, owner_name=name)


def test_labels_skip_revision_hashes_and_stay_minimal() -> None:
    web = [_owned(pod(f"web-{i}", "shop", {"app": "web", "tier": "front", "pod-template-hash": "5d8f7"},
                      f"10.0.0.{i + 1}")) for i in range(2)]
    api = _owned(pod("api-0", "shop", {"app": "api", "tier": "front", "pod-template-hash": "aa"}, "10.0.0.9"),
                 name="api-aa")
    engine = PolicyEngine(snapshot([*web, api]))
    assert identifying_labels(engine, web[0]) == {"app": "web"}


def test_egress_and_ingress_both_denied_gets_two_policies_with_named_port() -> None:
    src = pod("a-0", "one", {"app": "a"}, "10.0.0.1")
    dst = pod("b-0", "two", {"app": "b"}, "10.0.0.2", ports=[{"name": "http", "containerPort": 8080}])
    deny = [policy("deny", "one", podSelector={}, policyTypes=["Egress"]),
            policy("deny", "two", podSelector={}, policyTypes=["Ingress"])]
    engine = PolicyEngine(snapshot([src, dst], deny), "calico")
    item = suggest(engine, Endpoint.for_pod(src), Endpoint.for_pod(dst), 8080)
    documents = list(yaml.safe_load_all(item.manifest))
    assert [(d["metadata"]["namespace"], d["spec"]["policyTypes"]) for d in documents] == [
        ("two", ["Ingress"]), ("one", ["Egress"])]
    ingress_peer = documents[0]["spec"]["ingress"][0]["from"][0]
    assert ingress_peer == {"podSelector": {"matchLabels": {"app": "a"}},
                            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "one"}}}
    assert documents[0]["spec"]["ingress"][0]["ports"] == [{"protocol": "TCP", "port": "http"}]
    assert documents[1]["spec"]["egress"][0]["to"][0]["podSelector"] == {"matchLabels": {"app": "b"}}


def test_no_suggestion_when_allowed_or_unknown() -> None:
    a, b = pod("a", "x", {"app": "a"}, "10.0.0.1"), pod("b", "x", {"app": "b"}, "10.0.0.2")
    with pytest.raises(NoSuggestion, match="already allowed"):
        suggest(PolicyEngine(snapshot([a, b])), Endpoint.for_pod(a), Endpoint.for_pod(b), 80)
    from netpol_tui.model.snapshot import Kind

    unread = PolicyEngine(snapshot([a, b], unread=[(Kind.NETWORK_POLICY, "forbidden (403)")]), "calico")
    with pytest.raises(NoSuggestion, match="unknown"):
        suggest(unread, Endpoint.for_pod(a), Endpoint.for_pod(b), 80)


def test_cli_block_applies_exactly_the_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["explain", "--demo", "--from", "shop/svc/web", "--to", "shop/svc/store", "--port", "80", "--suggest"]
    assert main(argv + ["--format", "yaml"]) == 1
    manifest = capsys.readouterr().out
    assert yaml.safe_load(manifest)["spec"]["podSelector"] == {"matchLabels": {"app": "store"}}
    assert main(argv) == 1
    text = capsys.readouterr().out
    block = text[text.index("kubectl apply -f - <<'EOF'"):text.index("\nEOF\n") + 5]
    stub = tmp_path / "kubectl"
    stub.write_text('#!/bin/sh\nprintf "%s\\n" "$*" > "$0.argv"; cat > "$0.stdin"\n')
    stub.chmod(0o755)
    subprocess.run(["bash", "-c", block], check=True, env={"PATH": f"{tmp_path}:/usr/bin:/bin"})
    assert (tmp_path / "kubectl.argv").read_text() == "apply -f -\n"
    assert (tmp_path / "kubectl.stdin").read_text() == manifest
    assert main(argv + ["--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    suggestion = document["suggestions"][0]
    assert suggestion["verified"] is True and suggestion["also_allows"] == [] == suggestion["also_denies"]


def test_a_proposal_never_replaces_an_existing_policy() -> None:
    src, dst = pod("a-0", "one", {"app": "a"}, "10.0.0.1"), pod("b-0", "two", {"app": "b"}, "10.0.0.2")
    existing = policy("allow-a-0-to-b-0-80", "two", podSelector={}, policyTypes=["Ingress"])
    engine = PolicyEngine(snapshot([src, dst], [existing]), "calico")
    item = suggest(engine, Endpoint.for_pod(src), Endpoint.for_pod(dst), 80)
    assert [p.name for p in item.policies] == ["allow-a-0-to-b-0-80-2"]
