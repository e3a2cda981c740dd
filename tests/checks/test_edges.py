"""Edges of checks-spec: severities, versions, unknowns, remediation text, failing checks."""

from __future__ import annotations

from dataclasses import replace

import pytest

from netpol_tui.checks import CATALOG, SelectionError, Severity, registry, run_checks, select_checks
from netpol_tui.checks.gke_enforcement import machine_memory_mb
from netpol_tui.checks.known_issues import affected_statefulset_fix
from netpol_tui.versions import GkeVersion
from tests.checks.helpers import cluster, lst, namespace, node, operation, pod, policy, snapshot

FLAGS = "--location=europe-west1 --project=acme-prod"
DNS = {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
               "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
       "ports": [{"protocol": "UDP", "port": 53}]}


def findings(check_id: str, *docs, **kw):
    report = run_checks(snapshot(*docs, **kw), select=check_id)
    return [f for f in report.findings if f.id == check_id], [u for u in report.unknown if u.id == check_id]


def base(*extra, pods=None, policies=()):
    return (lst("Namespace", [namespace("shop"), namespace("kube-system")]),
            lst("Node", [node(f"n{i}", ip=f"10.128.0.{i + 2}") for i in range(3)]),
            lst("Pod", pods if pods is not None else [
                pod("web-0", labels={"app": "web"}, ip="10.64.1.10"),
                pod("kube-dns-0", "kube-system", labels={"k8s-app": "kube-dns"}, ip="10.64.0.2")]),
            lst("NetworkPolicy", list(policies)), *extra)


def test_gke001_remediation_is_exactly_the_enable_sequence() -> None:
    (finding,), _ = findings("GKE001", cluster(calico=None, addon=None), *base(policies=[policy("p")]))
    assert [c.text for c in finding.remediation.commands] == [
        f"gcloud container clusters update prod --update-addons=NetworkPolicy=ENABLED {FLAGS}",
        f"gcloud container clusters update prod --enable-network-policy {FLAGS}",
        "kubectl get nodes -l projectcalico.org/ds-ready=true"]


def test_placeholders_when_identity_unknown() -> None:
    doc = cluster(calico=None, addon=None)
    del doc["selfLink"], doc["location"]
    (finding,), _ = findings("GKE001", doc, *base(policies=[policy("p")]))
    assert finding.remediation.commands[0].text == (
        "gcloud container clusters update prod --update-addons=NetworkPolicy=ENABLED "
        "--location=LOCATION --project=PROJECT_ID")
    assert finding.remediation.placeholders == ("LOCATION", "PROJECT_ID")


def test_gke002_disabling_gives_wait_then_addon_disable() -> None:
    nodes = lst("Node", [node("n0"), node("n1", labelled=False)])
    (finding,), _ = findings("GKE002", cluster(calico=False), nodes, lst("Pod", []), lst("NetworkPolicy", []))
    assert "disabling" in finding.message
    assert [c.text for c in finding.remediation.commands] == [
        "kubectl get nodes -l projectcalico.org/ds-ready=true",
        f"gcloud container clusters update prod --update-addons=NetworkPolicy=DISABLED {FLAGS}"]
    (running,), _ = findings("GKE002", cluster(calico=False), lst("Node", [node("n1", labelled=False)]),
                             operation("op-1"))
    assert "disabling" in running.message


def test_gke002_enforcement_on_addon_off() -> None:
    (finding,), _ = findings("GKE002", cluster(addon=False), lst("Node", [node("n0")]))
    assert finding.remediation.commands[0].text.endswith(f"--update-addons=NetworkPolicy=ENABLED {FLAGS}")


def test_gke003_nodes_without_pool_label_are_node_subjects() -> None:
    bare = node("loose", labelled=False)
    del bare["metadata"]["labels"]["cloud.google.com/gke-nodepool"]
    found, _ = findings("GKE003", cluster(), lst("Node", [node("n0"), bare]))
    assert [(f.subject.kind, f.subject.name) for f in found] == [("Node", "loose")]


def test_gke006_counts_initial_nodes_times_zones_without_node_objects() -> None:
    one_per_zone = cluster(nodePools=[{"name": "p", "config": {"machineType": "e2-medium"}, "initialNodeCount": 1}])
    assert findings("GKE006", one_per_zone)[0] == []  # 1 x 3 zones = 3 nodes
    zonal = cluster(locations=["europe-west1-b"],
                    nodePools=[{"name": "p", "config": {"machineType": "e2-medium"}, "initialNodeCount": 2}])
    (finding,), _ = findings("GKE006", zonal)
    assert "2 nodes" in finding.message
    small = cluster(nodePools=[{"name": "p", "config": {"machineType": "custom-2-3072"}, "initialNodeCount": 1}])
    (finding,), _ = findings("GKE006", small)
    assert "node pool p" in finding.message


def test_machine_memory_table() -> None:
    assert machine_memory_mb("e2-medium") is None and machine_memory_mb("n2-standard-4") is None
    assert machine_memory_mb("e2-small") == 2048 and machine_memory_mb("n1-standard-1") == 3840
    assert machine_memory_mb("n2-custom-4-8192") == 8192 and machine_memory_mb("custom-1-3840-ext") == 3840


def test_gke007_never_while_disabling() -> None:
    tight = lst("Node", [node("n0", labelled=False, cpu="200m"), node("n1")])
    assert findings("GKE007", cluster(calico=False), tight, lst("Pod", []))[0] == []
    (finding,), _ = findings("GKE007", cluster(calico=False),
                             lst("Node", [node("n0", labelled=False, cpu="200m")]), lst("Pod", []))
    assert finding.subject.name == "n0" and "200m CPU" in finding.message


@pytest.mark.parametrize(("version", "datapath", "address", "port"), [
    ("1.21.0-gke.1000", "LEGACY_DATAPATH", "169.254.169.252", 988),
    ("1.21.0-gke.999", "LEGACY_DATAPATH", "127.0.0.1", 988),
    ("1.20.15-gke.100", "ADVANCED_DATAPATH", "169.254.169.254", 80),
])
def test_gke008_metadata_endpoint_per_version_and_dataplane(version, datapath, address, port) -> None:
    doc = cluster(version=version, datapath=datapath, workloadIdentityConfig={"workloadPool": "acme.svc.id.goog"})
    deny = policy("deny", "shop", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [DNS]})
    (finding,), _ = findings("GKE008", doc, *base(policies=[deny]))
    assert f"{address}:{port}" in finding.message
    assert f"cidr: {address}/32" in finding.remediation.manifest and f"port: {port}" in finding.remediation.manifest
    assert ("rewrit" in " ".join(finding.notes)) == (datapath == "ADVANCED_DATAPATH")


def test_gke008_manifest_never_isolates_open_pods() -> None:
    doc = cluster(workloadIdentityConfig={"workloadPool": "acme.svc.id.goog"})
    deny_web = policy("deny-web", "shop", {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"]})
    pods = [pod("web-0", labels={"app": "web"}), pod("api-0", labels={"app": "api"}, ip="10.64.1.11")]
    (finding,), _ = findings("GKE008", doc, *base(policies=[deny_web], pods=pods))
    assert "app: web" in finding.remediation.manifest and "podSelector: {}" not in finding.remediation.manifest


def test_gke008_unknown_without_version() -> None:
    doc = cluster(workloadIdentityConfig={"workloadPool": "acme.svc.id.goog"})
    del doc["currentMasterVersion"]
    assert findings("GKE008", doc, *base())[1]


def test_gke009_not_before_1_22_and_gke012_severity_per_dataplane() -> None:
    endport = policy("r", "shop", {"podSelector": {}, "ingress": [{"ports": [{"port": 80, "endPort": 81}]}]})
    old = cluster(datapath="ADVANCED_DATAPATH", version="1.21.9-gke.100")
    assert findings("GKE009", old, *base(policies=[endport]))[0] == []
    pod_ip = policy("p", "shop", {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.64.1.10/32"}}]}]})
    (calico,), _ = findings("GKE012", cluster(), *base(policies=[pod_ip]))
    (dpv2,), _ = findings("GKE012", cluster(datapath="ADVANCED_DATAPATH"), *base(policies=[pod_ip]))
    assert (calico.severity, dpv2.severity) == (Severity.INFO, Severity.WARNING)
    proto_only = policy("q", "shop", {"podSelector": {}, "ingress": [{"ports": [{"protocol": "UDP"}]}]})
    (finding,), _ = findings("GKE012", cluster(), *base(policies=[proto_only]))
    assert finding.evidence[0].path == "spec.ingress[0].ports[0]"


def test_gke010_without_cluster_info_uses_pod_ips_and_placeholder() -> None:
    wide = policy("w", "shop", {"podSelector": {}, "policyTypes": ["Egress"],
                               "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}]})
    (finding,), _ = findings("GKE010", *base(policies=[wide]))
    assert finding.remediation.placeholders == ("POD_IP_RANGE",) and "POD_IP_RANGE" in finding.remediation.manifest
    inside = policy("w", "shop", {"podSelector": {}, "policyTypes": ["Egress"],
                                 "egress": [{"to": [{"ipBlock": {"cidr": "10.64.0.0/16"}}]}]})
    assert findings("GKE010", cluster(), *base(policies=[inside]))[0] == []  # inside the pod range: GKE012


def test_np004_tcp_only_is_a_warning_and_cloud_dns() -> None:
    udp_only = policy("e", "shop", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [DNS]})
    (finding,), _ = findings("NP004", cluster(), *base(policies=[udp_only]))
    assert finding.severity is Severity.WARNING and "TCP 53" in finding.message
    cloud = cluster(networkConfig={"datapathProvider": "LEGACY_DATAPATH", "dnsConfig": {"clusterDns": "CLOUD_DNS"}})
    (finding,), _ = findings("NP004", cloud, *base(policies=[udp_only]))
    assert finding.severity is Severity.ERROR and "169.254.169.254" in finding.message
    node_local = cluster(addonsConfig={"networkPolicyConfig": {}, "dnsCacheConfig": {"enabled": True}})
    to_cache = policy("e", "shop", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [
        {"to": [{"ipBlock": {"cidr": "169.254.20.10/32"}}], "ports": [{"protocol": "UDP", "port": 53},
                                                                      {"protocol": "TCP", "port": 53}]}]})
    assert findings("NP004", node_local, *base(policies=[to_cache]))[0] == []


def test_np004_without_kube_dns_pods_judges_by_labels() -> None:
    deny = policy("e", "shop", {"podSelector": {}, "policyTypes": ["Egress"]})
    pods = [pod("web-0", labels={"app": "web"})]
    (finding,), _ = findings("NP004", cluster(), *base(policies=[deny], pods=pods))
    assert "not in the snapshot" in " ".join(e.observed for e in finding.evidence)
    allowed = policy("e", "shop", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [
        {**DNS, "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}]})
    assert findings("NP004", cluster(), *base(policies=[allowed], pods=pods)) == ([], [])


def test_ki001_version_ranges() -> None:
    fix = affected_statefulset_fix
    assert fix(GkeVersion.parse("1.18.20-gke.900")) == "1.19.16-gke.100"
    assert fix(GkeVersion.parse("1.19.16-gke.99")) == "1.19.16-gke.100"
    assert fix(GkeVersion.parse("1.19.16-gke.100")) is None
    assert fix(GkeVersion.parse("1.20.11-gke.1299")) == "1.20.11-gke.1300"
    assert fix(GkeVersion.parse("1.21.4")) is None  # a bare version ranks above every -gke.N
    assert fix(GkeVersion.parse("1.17.9-gke.100")) is None


def test_missing_data_is_unknown_with_a_hint() -> None:
    report = run_checks(snapshot(lst("Pod", [pod("web-0")])))
    reasons = {u.id: u.reason for u in report.unknown}
    assert "gcloud container clusters describe CLUSTER_NAME" in reasons["GKE001"]
    assert "kubectl get networkpolicies -A -o json" in reasons["NP001"]
    assert report.dataplane == "kubernetes" and report.cluster is None


def test_unreadable_kind_is_unknown_with_its_reason() -> None:
    from netpol_tui.model.snapshot import Kind, UnknownPart

    snap = snapshot(cluster(), lst("Pod", [pod("web-0")]), lst("NetworkPolicy", []))
    snap = replace(snap, unknown=(UnknownPart(Kind.NODE, "403 Forbidden"),))
    report = run_checks(snap, select="GKE003")
    assert report.unknown[0].reason == "Node could not be read (403 Forbidden)"


def test_a_failing_check_becomes_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(ctx):
        raise RuntimeError("boom")

    spec = replace(CATALOG[0], function=broken)
    monkeypatch.setattr(registry, "CATALOG", (spec, *CATALOG[1:]))
    report = run_checks(snapshot(cluster(), *base()))
    assert ("GKE001", "the check failed: RuntimeError: boom") in {(u.id, u.reason) for u in report.unknown}
    assert len(report.checked) == 35


def test_selection() -> None:
    assert [s.id for s in select_checks("KI")] == ["KI001", "KI002", "KI003"]
    assert [s.id for s in select_checks(["dns-egress-blocked", "np006"])] == ["NP004", "NP006"]
    assert len(select_checks(ignore="GKE,KI")) == 6
    with pytest.raises(SelectionError):
        select_checks("nope")


def test_collector_is_back_on_after_a_run() -> None:
    import gc

    assert gc.isenabled()
    run_checks(snapshot(cluster(), *base()))
    assert gc.isenabled()


def test_gke013_ignores_other_ingress_controllers() -> None:
    from tests.checks.make_fixtures import ingress, service

    isolated = policy("deny", "shop", {"podSelector": {}, "policyTypes": ["Ingress"]})
    nginx = ingress("web", "shop", "web")
    nginx["spec"]["ingressClassName"] = "nginx"
    docs = (*base(policies=[isolated], pods=[pod("web-0", labels={"app": "web"},
                                                   ports=[{"name": "http", "containerPort": 8080}])]),
            cluster(), lst("Service", [service("web", "shop", {"app": "web"})]))
    assert findings("GKE013", *docs, lst("Ingress", [nginx]))[0] == []
    (finding,), _ = findings("GKE013", *docs, lst("Ingress", [ingress("web", "shop", "web")]))
    assert "TCP 8080" in finding.message


def test_gke015_commands_follow_gke_facts() -> None:
    doc = cluster(privateClusterConfig={"privateEndpoint": "172.16.0.2"})
    deny = policy("deny", "shop", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [DNS]})
    (finding,), _ = findings("GKE015", doc, *base(policies=[deny]))
    assert finding.remediation.commands[0].argv == (
        "gcloud", "container", "clusters", "describe", "prod", "--format=value(privateClusterConfig.privateEndpoint)",
        *FLAGS.split())
    assert finding.remediation.commands[1].text == "kubectl apply -f -"
    assert "cidr: 172.16.0.2/32" in finding.remediation.manifest and "port: 443" in finding.remediation.manifest


def test_gke004_and_gke003_commands() -> None:
    nodes = lst("Node", [node("n0"), node("n1", labelled=False)])
    (gke004,), _ = findings("GKE004", cluster(calico=False), nodes)
    assert [c.text for c in gke004.remediation.commands] == [
        "kubectl get nodes -l projectcalico.org/ds-ready=true",
        f"gcloud container clusters update prod --update-addons=NetworkPolicy=DISABLED {FLAGS}"]
    (gke003,), _ = findings("GKE003", cluster(), nodes)
    assert gke003.remediation.commands[0].text == (
        f"gcloud container clusters upgrade prod --node-pool=default-pool --cluster-version=1.30.5-gke.1014001 {FLAGS}")
    assert "1 of 2 nodes in node pool default-pool" in gke003.message
