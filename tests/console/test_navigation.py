"""Go to object (issue 12 item 1): from each finding kind, from evidence lines, between a pod's
policies and a policy's pods; `y` is the selected object's YAML everywhere; the breadcrumb shows
the path and Esc walks it back."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from netpol_tui.app import NetpolApp
from netpol_tui.checks.model import Evidence, Subject
from netpol_tui.dialogs.finding import FindingDialog
from netpol_tui.dialogs.yaml_view import YamlDialog
from netpol_tui.model.objects import WORKLOAD_KINDS
from netpol_tui.screens.navigation import MODE_OF_KIND, Crumb, ObjectRef, Trail, evidence_ref
from netpol_tui.sources import SourceOptions
from netpol_tui.widgets.breadcrumb import Breadcrumb
from netpol_tui.widgets.related import RelatedList
from netpol_tui.widgets.virtual_list import VirtualList
from tests.console.helpers import make_app, screen_text, settle, sync

SIZE = (120, 40)


def _finding(subject: Subject) -> SimpleNamespace:
    return SimpleNamespace(subject=subject, id="X001")


def test_evidence_paths_name_their_objects() -> None:
    pool = _finding(Subject("NodePool", None, "highmem-pool"))
    policy = _finding(Subject("NetworkPolicy", "shop", "allow-web"))
    cases = [
        (pool, "Node gke-a-1 metadata.labels[projectcalico.org/ds-ready]", ObjectRef("Node", None, "gke-a-1")),
        (pool, "nodePools[batch].config.machineType", ObjectRef("NodePool", None, "batch")),
        (pool, "Pods on these nodes (not protected)", ObjectRef("NodePool", None, "highmem-pool")),
        (pool, "cluster.networkPolicy.enabled", ObjectRef("Cluster", None, "cluster")),
        (policy, "spec.podSelector", ObjectRef("NetworkPolicy", "shop", "allow-web")),
        (policy, "live pods in namespace shop", ObjectRef("Namespace", "shop", "shop")),
        (policy, "Pod data/db-0 metadata.annotations[x]", ObjectRef("Pod", "data", "db-0")),
        (policy, "Event data/e1 on pod db-0", ObjectRef("Pod", "data", "db-0")),
        (policy, "StatefulSet data/db status.replicas", ObjectRef("StatefulSet", "data", "db")),
        (policy, "Service frontend/storefront: load balanced", ObjectRef("Service", "frontend", "storefront")),
        (policy, "NetworkPolicies in payments", ObjectRef("Namespace", "payments", "payments")),
    ]
    for finding, path, expected in cases:
        assert evidence_ref(finding, Evidence(path, "x")) == expected, path


def test_trail_walks_back_and_says_where_it_has_been() -> None:
    trail = Trail("status")
    trail.push(Crumb("policies", ObjectRef("Pod", "shop", "web-1")))
    trail.push(Crumb("nodes", ObjectRef("Node", None, "n1")))
    titles = {"status": "Status", "policies": "Policies", "nodes": "Nodes"}
    assert trail.text(titles) == "Status › Policies: pod shop/web-1 › Nodes: node n1"
    assert trail.back().mode == "policies" and trail.back().mode == "status" and trail.back() is None


def _expected_row(app: NetpolApp, ref: ObjectRef) -> bool:
    """Whether the highlighted row of the current screen shows `ref` (a workload: one of its pods
    or its namespace; an Ingress: its namespace)."""
    screen = app.screen
    if ref.mode == "status":
        return screen.id == "status-screen"
    if ref.mode == "nodes":
        node = screen.query_one("#nodes", VirtualList).highlighted_row.key
        return node.name == ref.name if ref.kind == "Node" else node.node_pool == ref.name
    kind, obj = screen.query_one("#objects", VirtualList).highlighted_row.key
    if ref.kind in (*WORKLOAD_KINDS, "Ingress"):
        return (kind == "pod" and obj.namespace == ref.namespace) or (kind == "ns" and obj == ref.namespace)
    if ref.kind == "Namespace":
        return kind == "ns" and obj == ref.name
    code = {"Pod": "pod", "NetworkPolicy": "pol", "Service": "svc"}[ref.kind]
    return kind == code and (obj.namespace, obj.name) == (ref.namespace, ref.name)


async def _select_finding(pilot, finding) -> None:
    """Highlight `finding` on Status, opening its check's group first when it is grouped."""
    findings = pilot.app.screen.query_one("#findings", VirtualList)
    if not findings.select_key(finding):
        _, group = findings.find(lambda key: getattr(key, "key", None) == (finding.id, None))
        assert findings.select_key(group.key)
        await pilot.press("enter")
        await settle(pilot)
        assert findings.select_key(finding)


async def _go_from_every_finding(app: NetpolApp, pilot) -> set[str]:
    kinds = set()
    for finding in app.state.report.findings:
        if MODE_OF_KIND.get(finding.subject.kind) is None:
            continue
        await _select_finding(pilot, finding)
        await pilot.press("g")
        await settle(pilot)
        ref = ObjectRef.of(finding.subject)
        assert app.current_mode == ref.mode, finding
        assert _expected_row(app, ref), finding
        kinds.add(ref.kind)
        if ref.mode != "status":
            assert "Esc back" in screen_text(app)
            await pilot.press("escape")
            await settle(pilot)
        else:  # the cluster is the Status summary: it gets the focus
            assert app.focused.id == "status-summary"
            app.screen.query_one("#findings", VirtualList).focus()
        assert app.current_mode == "status"
        assert app.screen.query_one("#findings", VirtualList).highlighted_row.key == finding, "Esc reselects"
    return kinds


@sync
async def test_g_goes_from_every_finding_to_its_object_and_esc_comes_back(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        kinds = await _go_from_every_finding(app, pilot)
        assert {"NodePool", "Service", "Namespace", "NetworkPolicy", "Cluster"} <= kinds


@sync
async def test_g_goes_from_every_finding_of_both_demos() -> None:
    kinds: set[str] = set()
    for demo in ("calico", "dataplane-v2"):
        app = NetpolApp(SourceOptions(demo=demo))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            kinds |= await _go_from_every_finding(app, pilot)
    assert {"StatefulSet", "NetworkPolicy", "Service"} <= kinds


@sync
async def test_finding_dialog_evidence_goes_to_the_node_and_y_is_the_objects_yaml(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # GKE003, the first error
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, FindingDialog) and dialog.finding.id == "GKE003"
        pool = dialog.finding.subject.name
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, YamlDialog) and app.screen.title_text == f"nodepool {pool}"
        assert "finding" not in app.screen.yaml_text.split("\n", 1)[0]
        await pilot.press("escape")
        evidence = dialog.query_one("#finding-evidence")
        evidence.focus()
        await pilot.pause()
        node_name = dialog.finding.evidence[0].path.split()[1]
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, YamlDialog) and app.screen.title_text == f"node {node_name}"
        await pilot.press("escape")
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "nodes" and not app.screen.is_modal
        assert app.screen.query_one("#nodes", VirtualList).highlighted_row.key.name == node_name
        crumb = app.screen.query_one(Breadcrumb)
        assert crumb.display and f"Status: GKE003 {pool} › Nodes: node {node_name}" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, YamlDialog) and app.screen.title_text == f"node {node_name}"
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert app.current_mode == "status"
        assert isinstance(app.screen, FindingDialog) and app.screen.finding.id == "GKE003", "Esc reopens the dialog"


@sync
async def test_from_a_pods_policies_to_a_policys_pods_and_back(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3", "slash", *"pod store-5c6d-pq", "enter")
        await pilot.pause(0.1)
        await settle(pilot)
        objects = app.screen.query_one("#objects", VirtualList)
        pod = objects.highlighted_row.key[1]
        related = app.screen.query_one(RelatedList)
        labels = [str(related.get_option_at_index(i).prompt) for i in range(related.option_count)]
        assert "policy default-deny-ingress (selects this pod)" in labels
        index = next(i for i, label in enumerate(labels) if label.startswith("policy allow-store-from-web"))
        related.focus()
        related.highlighted = index
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, YamlDialog) and app.screen.title_text == "policy shop/allow-store-from-web"
        await pilot.press("escape", "g")
        await pilot.pause(0.1)
        await settle(pilot)
        kind, policy = objects.highlighted_row.key
        assert (kind, policy.name) == ("pol", "allow-store-from-web")
        assert objects.filter_text == "", "the filter that hid the policy was cleared"
        # a policy that selects pods lists them; Enter on one goes there
        await pilot.press("slash", *"pol default-deny-ingress shop", "enter")
        await pilot.pause(0.1)
        await settle(pilot)
        pods = [ref for ref in related.refs if ref.kind == "Pod"]
        assert pods and ObjectRef("Pod", "shop", pod.name) in pods
        related.focus()
        related.highlighted = related.refs.index(ObjectRef("Pod", "shop", pod.name))
        await pilot.press("enter")
        await pilot.pause(0.1)
        await settle(pilot)
        assert objects.highlighted_row.key == ("pod", pod)
        assert app.trail.crumbs[-2].ref == ObjectRef("NetworkPolicy", "shop", "default-deny-ingress")
        assert f"› Policies: pod shop/{pod.name}   Esc back" in screen_text(app), "the breadcrumb ends here"
        await pilot.press("escape")
        await settle(pilot)
        assert objects.highlighted_row.key[1].name == "default-deny-ingress", "Esc reselects the policy"

