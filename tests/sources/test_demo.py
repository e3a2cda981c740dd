"""The bundled demos: they load cleanly, are big enough, and hold every planted fact.

Other engineers test their checks, engine and screens against the demos, so a demo that
silently loses a planted fact (a label, an event, an operation) would make their tests lie.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

import netpol_tui.demo as demo_package
from netpol_tui.demo import HEALTHY_NAMESPACES, PLANTED
from netpol_tui.model import Kind, Snapshot
from netpol_tui.model.snapshot import CRD_KINDS
from netpol_tui.sources import SourceOptions, load_snapshot
from netpol_tui.sources.demo import DEMOS, demo_path, load_demo
from netpol_tui.sources.errors import SourceError
from netpol_tui.versions import GkeVersion

ROOT = Path(__file__).resolve().parents[2]
SYSTEM = ("kube-system", "kube-public", "kube-node-lease")


@pytest.fixture(scope="module")
def calico() -> Snapshot:
    return load_demo("calico")


@pytest.fixture(scope="module")
def dpv2() -> Snapshot:
    return load_demo("dataplane-v2")


def _pod(snapshot: Snapshot, namespace: str, name: str):
    return next(pod for pod in snapshot.pods if pod.key == (namespace, name))


def _policy(snapshot: Snapshot, namespace: str, name: str):
    return next(policy for policy in snapshot.policies if policy.key == (namespace, name))


def _labels_match(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


# --------------------------------------------------------------------------- loading


@pytest.mark.parametrize("name", sorted(DEMOS))
def test_demo_loads_without_problems(name: str) -> None:
    snapshot = load_demo(name)
    assert snapshot.problems == ()
    assert snapshot.skipped_kinds == ()
    assert snapshot.unknown == ()
    assert snapshot.source.kind == "demo"
    assert snapshot.source.description == f"demo: {name}"
    assert snapshot.cluster is not None
    every_kind = set(Kind) - CRD_KINDS
    assert snapshot.loaded_kinds - CRD_KINDS == every_kind


def test_load_snapshot_routes_demo_option() -> None:
    snapshot = load_snapshot(SourceOptions(demo="dataplane-v2"))
    assert snapshot.cluster is not None and snapshot.cluster.name == "web-autopilot"


def test_unknown_demo_is_a_source_error() -> None:
    with pytest.raises(SourceError, match="unknown demo 'nope'"):
        load_demo("nope")


def test_demo_files_are_package_data_shaped() -> None:
    """pyproject ships `*/*.yaml` and `*/*.json`: no subfolders, no other suffixes."""
    for name in DEMOS:
        folder = demo_path(name)
        files = sorted(path.name for path in folder.rglob("*") if path.is_file())
        # Dataplane V2 clusters also have the network policy logging settings (NetworkLogging)
        # and the other policy kinds Dataplane V2 enforces (FQDN and Cilium policies).
        extra = ["networklogging.json", "fqdnnetworkpolicies.json", "ciliumpolicies.json"] \
            if name == "dataplane-v2" else []
        assert files == sorted(["cluster.json", "operations.json", "namespaces.yaml", "nodes.json", "pods.json",
                                "workloads.yaml", "networkpolicies.yaml", "services.yaml", "ingresses.yaml",
                                "events.json", "manifest.json", *extra])


def test_demo_files_match_their_generator(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("make_demo", ROOT / "tools" / "make_demo.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_demo", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0


# ------------------------------------------------------------------------------ sizes


def test_calico_sizes(calico: Snapshot) -> None:
    assert len(calico.cluster.node_pools) >= 3
    assert len(calico.nodes) >= 12
    assert len(calico.namespaces) >= 8
    assert len(calico.pods) >= 60
    assert len(calico.policies) >= 15


def test_dataplane_v2_sizes(dpv2: Snapshot) -> None:
    assert len(dpv2.nodes) >= 6
    assert len(dpv2.namespaces) >= 8
    assert len(dpv2.pods) >= 30
    assert len(dpv2.policies) >= 10


# ---------------------------------------------------------------------- consistency


@pytest.mark.parametrize("name", sorted(DEMOS))
def test_demo_is_internally_consistent(name: str) -> None:
    """IPs inside the ranges, pods on known nodes, selectors that match, headroom kept."""
    snapshot = load_demo(name)
    cluster = snapshot.cluster
    pod_range = ipaddress.ip_network(cluster.pod_ipv4_cidr)
    service_range = ipaddress.ip_network(cluster.services_ipv4_cidr)
    nodes = {node.name: node for node in snapshot.nodes}
    namespaces = {namespace.name for namespace in snapshot.namespaces}
    seen_ips: Counter[str] = Counter()
    for pod in snapshot.pods:
        assert pod.namespace in namespaces, pod.key
        node = nodes[pod.node_name]
        if pod.host_network:
            assert pod.pod_ips == (node.internal_ip,), pod.key
            continue
        for ip in pod.pod_ips:
            assert ipaddress.ip_address(ip) in pod_range, pod.key
            assert any(ipaddress.ip_address(ip) in ipaddress.ip_network(cidr) for cidr in node.pod_cidrs), pod.key
            seen_ips[ip] += 1
    assert [ip for ip, count in seen_ips.items() if count > 1] == []
    for service in snapshot.services:
        for ip in service.cluster_ips:
            assert ipaddress.ip_address(ip) in service_range, service.key
        if service.selector is not None:
            assert any(pod.namespace == service.namespace and _labels_match(service.selector, pod.labels)
                       for pod in snapshot.pods), service.key
    for policy in snapshot.policies:
        assert policy.namespace in namespaces
    for workload in snapshot.workloads:
        owned = [pod for pod in snapshot.pods if pod.namespace == workload.namespace
                 and _labels_match(workload.selector, pod.labels)]
        assert owned, workload.key
        if workload.kind == "DaemonSet":
            assert workload.desired_scheduled == len(owned), workload.key
    for node in snapshot.nodes:
        live = [pod for pod in snapshot.pods if pod.node_name == node.name and pod.is_live]
        assert node.allocatable_cpu_millis - sum(p.cpu_request_millis for p in live) >= 300, node.name
        assert node.allocatable_memory_bytes - sum(p.memory_request_bytes for p in live) >= 128 * 2**20, node.name
    pools = {pool.name for pool in cluster.node_pools}
    assert {node.node_pool for node in snapshot.nodes} <= pools


@pytest.mark.parametrize("name", sorted(DEMOS))
def test_every_non_system_namespace_with_running_pods_has_a_policy(name: str) -> None:
    snapshot = load_demo(name)
    with_policy = {policy.namespace for policy in snapshot.policies}
    for namespace in {pod.namespace for pod in snapshot.pods if pod.is_running}:
        if namespace in SYSTEM or namespace.startswith(("gke-", "gmp-")):
            continue
        assert namespace in with_policy, namespace


# ------------------------------------------------------------------ calico facts


def test_calico_cluster_facts(calico: Snapshot) -> None:
    cluster = calico.cluster
    assert cluster.name == "shop-prod" and cluster.project == "acme-shop-prod" and cluster.location == "europe-west1"
    assert cluster.is_standard_legacy and not cluster.autopilot
    assert cluster.addon_enabled and cluster.network_policy_enabled and cluster.network_policy_provider == "CALICO"
    assert cluster.calico_enforcement
    version = GkeVersion.parse(cluster.current_master_version)
    assert GkeVersion.parse("1.21.0-gke.1000") <= version <= GkeVersion.parse("1.21.4-gke.1499")
    assert cluster.pod_ipv4_cidr == "10.8.0.0/14" and cluster.services_ipv4_cidr == "10.12.0.0/20"
    assert cluster.workload_pool == "acme-shop-prod.svc.id.goog"
    assert all(pool.workload_metadata_mode == "GKE_METADATA" for pool in cluster.node_pools)
    assert cluster.maintenance_policy is not None and cluster.maintenance_policy.is_configured
    assert cluster.cluster_dns is None and not cluster.dns_cache_enabled
    assert cluster.any_private_endpoint is None


def test_calico_pool_mid_recreation(calico: Snapshot) -> None:
    by_pool: dict[str, list] = {}
    for node in calico.nodes:
        by_pool.setdefault(node.node_pool, []).append(node)
    assert all(node.calico_ready for node in by_pool["default-pool"] + by_pool["batch-pool"])
    highmem = by_pool["highmem-pool"]
    unlabelled = [node for node in highmem if not node.calico_ready]
    assert len(highmem) == 4 and len(unlabelled) == 2
    assert [node.unschedulable for node in unlabelled].count(True) == 1
    assert [node for node in calico.nodes if node.unschedulable] == [n for n in unlabelled if n.unschedulable]
    cordoned = next(node for node in unlabelled if node.unschedulable)
    assert cordoned.status_text == "Ready,SchedulingDisabled"
    running = [op for op in calico.operations if op.is_running]
    assert len(running) == 1
    operation = running[0]
    assert operation.operation_type == "UPGRADE_NODES" and operation.status == "RUNNING"
    assert operation.node_pool == "highmem-pool" and operation.cluster == "shop-prod"
    assert operation.metric("NODES_TOTAL") == 4 and operation.metric("NODES_DONE") == 2
    assert {op.operation_type for op in calico.operations} >= {"UPDATE_CLUSTER", "UPGRADE_NODES"}
    # calico-node only runs on labelled nodes, as its nodeSelector says.
    calico_nodes = {pod.node_name for pod in calico.pods if pod.labels.get("k8s-app") == "calico-node"}
    assert calico_nodes == {node.name for node in calico.nodes if node.calico_ready}


def test_calico_system_pods(calico: Snapshot) -> None:
    dns = [pod for pod in calico.pods if pod.namespace == "kube-system" and pod.labels.get("k8s-app") == "kube-dns"]
    assert len(dns) == 2 and all(pod.is_running and pod.ip for pod in dns)
    assert any(port.container_port == 53 and port.protocol == "UDP" for port in dns[0].ports)
    calico_node = [pod for pod in calico.pods if pod.labels.get("k8s-app") == "calico-node"]
    assert calico_node and all(pod.labels.get("addonmanager.kubernetes.io/mode") == "Reconcile"
                               for pod in calico_node)
    assert all(pod.host_network for pod in calico_node)
    for workload in calico.workloads:
        if workload.namespace == "kube-system":
            assert workload.labels.get("addonmanager.kubernetes.io/mode") == "Reconcile", workload.key


def test_calico_statefulset_pods_are_live(calico: Snapshot) -> None:
    stateful = [pod for pod in calico.pods if pod.owner_kind == "StatefulSet" and pod.is_live]
    assert {pod.owner_name for pod in stateful} >= {"postgres", "redis"}


def test_calico_selector_typo(calico: Snapshot) -> None:
    typo = _policy(calico, "shop", "allow-store-from-web")
    assert typo.pod_selector.match_labels == {"app": "stor"}
    assert any(pod.namespace == "shop" and pod.labels.get("app") == "store" and pod.is_running
               for pod in calico.pods)
    assert not any(pod.labels.get("app") == "stor" for pod in calico.pods)


def test_calico_ipam_stuck_pod(calico: Snapshot) -> None:
    pod = _pod(calico, "payments", "payments-gateway-0")
    assert pod.phase == "Pending" and pod.waiting_reasons == ("ContainerCreating",) and pod.ip is None
    assert pod.annotations["cni.projectcalico.org/ipAddrs"] == '["10.8.40.10"]'
    assert (pod.owner_kind, pod.owner_name) == ("StatefulSet", "payments-gateway")
    events = [event for event in calico.events if event.involved_name == pod.name]
    ipam = [event for event in events if event.reason == "FailedCreatePodSandBox"]
    assert len(ipam) == 1 and ipam[0].type == "Warning" and ipam[0].involved_kind == "Pod"
    assert ipam[0].involved_namespace == "payments" and ipam[0].count > 1
    assert ('plugin type="calico" failed (add): ipAddrs is not compatible with configured IPAM: host-local'
            in ipam[0].message)


def test_calico_workload_identity_namespace(calico: Snapshot) -> None:
    policies = [policy for policy in calico.policies if policy.namespace == "payments"]
    assert any(policy.affects_egress and policy.pod_selector.is_empty and not policy.egress for policy in policies)
    blocks = {peer.ip_block.cidr for policy in policies for rule in policy.egress for peer in rule.peers
              if peer.ip_block}
    assert not any(cidr.startswith("169.254.") for cidr in blocks)
    dns = _policy(calico, "payments", "allow-dns").egress[0]
    assert {(port.protocol, port.port) for port in dns.ports} == {("UDP", 53), ("TCP", 53)}


def test_calico_ingress_backed_service(calico: Snapshot) -> None:
    service = next(s for s in calico.services if s.key == ("frontend", "storefront"))
    assert "cloud.google.com/neg" in service.annotations
    assert service.ports[0].target_port == "http"
    ingress = next(i for i in calico.ingresses if i.key == ("frontend", "storefront"))
    assert ingress.backends[0].service_name == "storefront" and ingress.ingress_class == "gce"
    blocks = {peer.ip_block.cidr for policy in calico.policies if policy.namespace == "frontend"
              for rule in policy.ingress for peer in rule.peers if peer.ip_block}
    assert blocks == set()


def test_calico_ipblocks(calico: Snapshot) -> None:
    pod_range = ipaddress.ip_network(calico.cluster.pod_ipv4_cidr)
    broad = _policy(calico, "monitoring", "prometheus-egress")
    cidrs = [peer.ip_block for rule in broad.egress for peer in rule.peers if peer.ip_block]
    wide = next(block for block in cidrs if block.cidr == "10.0.0.0/8")
    assert pod_range.subnet_of(ipaddress.ip_network(wide.cidr)) and wide.excepts == ()
    blocker = _policy(calico, "data", "allow-reporting-to-postgres")
    block = blocker.ingress[0].peers[0].ip_block
    report = next(pod for pod in calico.pods if pod.labels.get("app") == "report-generator")
    assert block.cidr == f"{report.ip}/32" and ipaddress.ip_network(block.cidr).subnet_of(pod_range)
    documented = _policy(calico, "orders", "allow-worker-internet").egress[0].peers[0].ip_block
    assert documented.cidr == "0.0.0.0/0" and documented.excepts == (calico.cluster.pod_ipv4_cidr,)


# ------------------------------------------------------------ dataplane-v2 facts


def test_dataplane_v2_cluster_facts(dpv2: Snapshot) -> None:
    cluster = dpv2.cluster
    assert cluster.autopilot and cluster.datapath_provider == "ADVANCED_DATAPATH" and cluster.is_dataplane_v2
    assert not cluster.addon_enabled and not cluster.network_policy_enabled
    assert cluster.network_policy_provider is None
    assert GkeVersion.parse(cluster.current_master_version) >= GkeVersion.parse("1.22.0-gke.0")
    assert cluster.cluster_dns == "CLOUD_DNS"
    assert cluster.workload_pool == "acme-web-prod.svc.id.goog"
    assert all(pool.workload_metadata_mode == "GKE_METADATA" for pool in cluster.node_pools)
    assert not any(op.is_running for op in dpv2.operations)
    assert not any(node.calico_ready for node in dpv2.nodes)
    assert not any(pod.labels.get("k8s-app") == "kube-dns" for pod in dpv2.pods)
    agents = [pod for pod in dpv2.pods if pod.namespace == "kube-system" and pod.labels.get("k8s-app") == "cilium"]
    assert len(agents) == len(dpv2.nodes)


def test_dataplane_v2_planted_policies(dpv2: Snapshot) -> None:
    rtp = _policy(dpv2, "media", "allow-rtp").ingress[0].ports
    assert any(port.port == 10000 and port.end_port == 10100 and port.protocol == "UDP" for port in rtp)
    internal = _policy(dpv2, "api", "allow-internal").ingress[0].peers[0].ip_block
    assert internal.cidr == "10.0.0.0/8"
    assert ipaddress.ip_network(dpv2.cluster.pod_ipv4_cidr).subnet_of(ipaddress.ip_network(internal.cidr))
    billing = [policy for policy in dpv2.policies if policy.namespace == "billing"]
    allowed = {(peer.ip_block.cidr, port.protocol, port.port) for policy in billing for rule in policy.egress
               for peer in rule.peers if peer.ip_block for port in rule.ports}
    assert ("169.254.169.252/32", "TCP", 988) in allowed
    assert ("169.254.169.254/32", "TCP", 80) not in allowed
    assert {("169.254.169.254/32", "UDP", 53), ("169.254.169.254/32", "TCP", 53)} <= allowed
    web = [policy for policy in dpv2.policies if policy.namespace == "web"]
    web_allowed = {(peer.ip_block.cidr, port.protocol, port.port) for policy in web for rule in policy.egress
                   for peer in rule.peers if peer.ip_block for port in rule.ports}
    assert ("169.254.169.254/32", "TCP", 80) in web_allowed


# --------------------------------------------------------------- the planted table


def _table_rows(doc: str, demo: str) -> list[tuple[str, str, str | None, str]]:
    section = doc.split(f"\n{demo}", 1)[1] if demo != "calico" else doc.split("\ncalico (default)", 1)[1]
    rows = []
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith("| check"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            rows.append((cells[0], cells[1], None if cells[2] == "-" else cells[2], cells[3]))
        elif rows and not line.startswith("|"):
            break
    return rows


@pytest.mark.parametrize("name", sorted(DEMOS))
def test_docstring_table_matches_planted(name: str) -> None:
    rows = _table_rows(demo_package.__doc__, name)
    assert rows == [(p.check, p.kind, p.namespace, p.name) for p in PLANTED[name]]
    healthy = re.search(rf"^{re.escape(name)} healthy namespaces: (.+)$", demo_package.__doc__, re.MULTILINE)
    assert healthy and tuple(healthy.group(1).split(", ")) == HEALTHY_NAMESPACES[name]


@pytest.mark.parametrize("name", sorted(DEMOS))
def test_planted_subjects_exist(name: str) -> None:
    snapshot = load_demo(name)
    keys = {
        "NetworkPolicy": {p.key for p in snapshot.policies},
        "Service": {s.key for s in snapshot.services},
        "Namespace": {(n.name, n.name) for n in snapshot.namespaces},
        "StatefulSet": {w.key for w in snapshot.workloads if w.kind == "StatefulSet"},
        "NodePool": {(None, p.name) for p in snapshot.cluster.node_pools},
        "Cluster": {(None, snapshot.cluster.name)},
    }
    for planted in PLANTED[name]:
        assert (planted.namespace, planted.name) in keys[planted.kind], planted
    namespaces = {n.name for n in snapshot.namespaces}
    for healthy in HEALTHY_NAMESPACES[name]:
        assert healthy in namespaces
        assert any(pod.namespace == healthy and pod.is_running for pod in snapshot.pods)
        assert any(policy.namespace == healthy for policy in snapshot.policies)
        assert not any(planted.namespace == healthy for planted in PLANTED[name])


@pytest.mark.parametrize("name", sorted(DEMOS))
def test_checks_report_exactly_the_planted_findings(name: str) -> None:
    """Cross-check with the checks package once it exists; only checks it already implements."""
    checks = pytest.importorskip("netpol_tui.checks")
    if not hasattr(checks, "run_checks") or not hasattr(checks, "CATALOG"):
        pytest.skip("netpol_tui.checks has no run_checks yet")
    implemented = {spec.id for spec in checks.CATALOG}
    report = checks.run_checks(load_demo(name))
    found = sorted((f.id, f.subject.kind, f.subject.namespace or None, f.subject.name) for f in report.findings)
    expected = sorted((p.check, p.kind, p.namespace, p.name) for p in PLANTED[name] if p.check in implemented)
    assert found == expected


# ------------------------------------------------------------- stories, end to end


def _verdict(engine, source: str, target: str, port: int, protocol: str = "TCP") -> bool:
    verdicts = {engine.evaluate(a, b, port, protocol).allowed
                for a in engine.resolve(source) for b in engine.resolve(target)}
    assert len(verdicts) == 1, f"{source} -> {target}: pods disagree"
    return verdicts.pop()


@pytest.mark.parametrize(("source", "target", "port", "protocol", "allowed"), [
    ("shop/svc/web", "shop/svc/store", 8080, "TCP", False),  # the selector typo leaves store denied
    ("shop/svc/web", "shop/svc/cart", 8080, "TCP", True),
    ("frontend/svc/storefront", "shop/svc/web", 8080, "TCP", True),
    ("130.211.0.5", "frontend/svc/storefront", 8080, "TCP", False),  # health checks blocked
    ("payments/svc/payments-api", "169.254.169.252", 988, "TCP", False),  # metadata server forgotten
    ("payments/svc/payments-api", "kube-system/svc/kube-dns", 53, "UDP", True),
    ("orders/svc/orders-api", "169.254.169.252", 988, "TCP", True),
    ("orders/svc/orders-api", "kube-system/svc/kube-dns", 53, "TCP", True),
    ("orders/svc/orders-api", "8.8.8.8", 443, "TCP", False),
    ("shop/svc/cart", "orders/svc/orders-api", 8080, "TCP", True),
    ("monitoring/svc/prometheus", "orders/svc/orders-api", 9090, "TCP", True),  # Calico: ipBlock matches pods
    ("monitoring/svc/prometheus", "catalog/svc/catalog-api", 9090, "TCP", False),
    ("shop/svc/store", "data/svc/postgres", 5432, "TCP", True),
    ("frontend/svc/storefront", "data/svc/postgres", 5432, "TCP", False),
])
def test_calico_stories(calico: Snapshot, source: str, target: str, port: int, protocol: str, allowed: bool) -> None:
    policy = pytest.importorskip("netpol_tui.policy")
    engine = policy.PolicyEngine(calico)
    assert engine.dataplane == "calico"
    assert _verdict(engine, source, target, port, protocol) is allowed


@pytest.mark.parametrize(("source", "target", "port", "protocol", "allowed"), [
    ("web/svc/storefront", "api/svc/api", 8080, "TCP", False),  # ipBlock 10.0.0.0/8 never matches pods
    ("130.211.0.5", "web/svc/storefront", 8080, "TCP", True),
    ("35.191.3.3", "web/svc/storefront", 8080, "TCP", True),
    ("web/svc/storefront", "169.254.169.254", 80, "TCP", True),
    ("web/svc/storefront", "169.254.169.254", 53, "UDP", True),
    ("billing/svc/invoicer", "169.254.169.254", 80, "TCP", False),  # the Dataplane V2 metadata endpoint
    ("billing/svc/invoicer", "169.254.169.254", 53, "UDP", True),
    ("10.128.0.99", "media/svc/rtp-relay", 10000, "UDP", True),
    ("10.128.0.99", "media/svc/rtp-relay", 10050, "UDP", False),  # endPort ignored on Dataplane V2
])
def test_dataplane_v2_stories(dpv2: Snapshot, source: str, target: str, port: int, protocol: str,
                              allowed: bool) -> None:
    policy = pytest.importorskip("netpol_tui.policy")
    engine = policy.PolicyEngine(dpv2)
    assert engine.dataplane == "dataplane-v2"
    assert _verdict(engine, source, target, port, protocol) is allowed
