"""Adversarial audit of checks-spec.md: one test per condition, edge and subject rule that a wrong
implementation would get past the fixture tests (clusters we never saw)."""

from __future__ import annotations

import pytest

from netpol_tui.checks import run_checks
from netpol_tui.checks.enforcement import EnforcementState
from netpol_tui.checks.gke_enforcement import machine_memory_mb
from netpol_tui.checks.known_issues import affected_statefulset_fix
from netpol_tui.checks.model import Severity
from netpol_tui.versions import GkeVersion
from tests.checks.helpers import cluster, lst, node, operation, pod, policy, snapshot
from tests.checks.make_fixtures import daemonset, ingress, nodes, service, world

FLAGS = "--location=europe-west1 --project=acme-prod"
DPV2 = {"datapath": "ADVANCED_DATAPATH", "calico": None, "addon": False}
DENY = policy("deny", "shop", {"podSelector": {}, "policyTypes": ["Ingress"]})
WINDOW = {"window": {"dailyMaintenanceWindow": {"startTime": "03:00", "duration": "PT4H0M0S"}}}


def run(check_id: str, *docs, **kw):
    report = run_checks(snapshot(*docs, **kw), select=check_id)
    return [f for f in report.findings if f.id == check_id], [u for u in report.unknown if u.id == check_id]


def ids(*docs) -> set[str]:
    return {f.id for f in run_checks(snapshot(*docs)).findings}


def egress_policy(*rules: dict, name: str = "egress") -> dict:
    return policy(name, "shop", {"podSelector": {}, "policyTypes": ["Egress"], "egress": list(rules)})


def ipblock_policy(cidr: str, excepts: list[str] | None = None, name: str = "ipb") -> dict:
    block: dict = {"cidr": cidr}
    if excepts:
        block["except"] = excepts
    return policy(name, "shop", {"podSelector": {}, "policyTypes": ["Egress"],
                                 "egress": [{"to": [{"ipBlock": block}], "ports": [{"protocol": "TCP", "port": 443}]}]})


# ------------------------------------------------------------------ shared definitions


def test_datapath_absent_is_standard_legacy() -> None:
    found, _ = run("GKE001", cluster(datapath=None, calico=None, addon=None), *world(policies=[DENY]))
    assert [f.subject.kind for f in found] == ["Cluster"]
    assert found[0].subject.name == "prod" and found[0].subject.namespace is None


@pytest.mark.parametrize("doc", [cluster(**DPV2), cluster(datapath=None, calico=None, addon=False,
                                                          autopilot={"enabled": True})])
def test_dataplane_v2_never_gke001_gke002(doc: dict) -> None:
    assert not {"GKE001", "GKE002", "GKE003", "GKE004"} & ids(doc, *world(policies=[DENY]))


def test_addon_empty_object_is_on_missing_is_off() -> None:
    on = cluster(calico=None, addon=True)  # "networkPolicyConfig": {}
    assert run("GKE001", on, *world(policies=[DENY], node_list=nodes(labelled=False)))[0] == []
    assert len(run("GKE002", on, *world(policies=[DENY], node_list=nodes(labelled=False)))[0]) == 1
    off = cluster(calico=None, addon=None)
    assert len(run("GKE001", off, *world(policies=[DENY], node_list=nodes(labelled=False)))[0]) == 1
    assert run("GKE002", off, *world(policies=[DENY], node_list=nodes(labelled=False)))[0] == []


def test_calico_enforcement_needs_standard_legacy() -> None:
    doc = cluster(datapath="ADVANCED_DATAPATH", calico=True, addon=False, currentMasterVersion="1.21.3-gke.100")
    sts = pod("db-0", labels={"app": "db"}, owner=("StatefulSet", "db"))
    got = ids(doc, *world(policies=[DENY], pods=[sts], node_list=nodes(labelled=False)))
    assert not {"GKE003", "KI001", "GKE002"} & got


@pytest.mark.parametrize(("doc", "expected"), [
    (None, "kubernetes"), (cluster(), "calico"), (cluster(calico=False), "none"),
    (cluster(calico=None, addon=None), "none"), (cluster(**DPV2), "dataplane-v2"),
    (cluster(datapath=None, calico=None, addon=False, autopilot={"enabled": True}), "dataplane-v2")])
def test_json_dataplane_values(doc: dict | None, expected: str) -> None:
    docs = world(policies=[DENY])
    report = run_checks(snapshot(*([doc] if doc else []), *docs), select="NP006")
    assert report.dataplane == expected
    assert report.to_dict()["dataplane"] == expected


def test_live_pod_pending_counts_finished_do_not() -> None:
    selects_web = policy("web", "shop", {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress"]})
    pending = pod("web-0", labels={"app": "web"}, phase="Pending", ip="")
    assert run("NP001", cluster(), *world(policies=[selects_web], pods=[pending]))[0] == []
    for phase in ("Succeeded", "Failed"):
        done = pod("web-0", labels={"app": "web"}, phase=phase)
        (finding,), _ = run("NP001", cluster(), *world(policies=[selects_web], pods=[done]))
        assert (finding.subject.kind, finding.subject.namespace, finding.subject.name) == ("NetworkPolicy", "shop",
                                                                                         "web")


def test_running_pod_excludes_host_network_and_pending() -> None:
    host = pod("agent", "tools", host_network=True)
    waiting = pod("job", "tools", phase="Pending", ip="")
    docs = world(policies=[], pods=[host, waiting], namespaces=("tools",))
    assert run("NP003", cluster(), *docs)[0] == []
    (finding,), _ = run("NP003", cluster(), *world(policies=[], pods=[pod("app", "tools")], namespaces=("tools",)))
    assert (finding.subject.kind, finding.subject.namespace, finding.subject.name) == ("Namespace", "tools", "tools")
    assert finding.severity is Severity.INFO


@pytest.mark.parametrize("ns", ["kube-system", "kube-public", "kube-node-lease", "gke-managed-system", "gmp-system"])
def test_system_namespaces_excluded_from_np003(ns: str) -> None:
    assert run("NP003", cluster(), *world(policies=[], pods=[pod("a", ns)], namespaces=(ns,)))[0] == []


def test_recreation_addon_on_node_setting_off_is_not_pending() -> None:
    snap = snapshot(cluster(calico=False, maintenancePolicy=WINDOW), nodes(labelled=False))
    state = EnforcementState.from_snapshot(snap)
    assert state.recreation.pending is False
    assert run("GKE016", cluster(calico=False, maintenancePolicy=WINDOW), nodes(labelled=False))[0] == []


def test_recreation_pending_enabling_and_disabling() -> None:
    enabling = EnforcementState.from_snapshot(snapshot(cluster(), nodes(labelled=False)))
    assert enabling.recreation.pending is True and enabling.recreation.direction == "enabling"
    disabling = EnforcementState.from_snapshot(snapshot(cluster(calico=False, addon=False), nodes()))
    assert disabling.recreation.pending is True and disabling.recreation.direction == "disabling"


# ------------------------------------------------------------------ GKE002 / GKE004


def test_gke002_enable_step1_done_next_is_enable_network_policy() -> None:
    (finding,), _ = run("GKE002", cluster(calico=False), nodes(labelled=False))
    assert finding.remediation.commands[0].text == f"gcloud container clusters update prod --enable-network-policy {FLAGS}"


def test_gke002_running_upgrade_without_labels_is_a_disable() -> None:
    (finding,), _ = run("GKE002", cluster(calico=False), nodes(labelled=False), operation("op-9"))
    texts = [c.text for c in finding.remediation.commands]
    assert texts[-1] == f"gcloud container clusters update prod --update-addons=NetworkPolicy=DISABLED {FLAGS}"
    assert not any("--enable-network-policy" in t for t in texts)


def test_gke002_and_gke004_fire_together_while_disabling() -> None:
    got = ids(cluster(calico=False), *world(policies=[DENY]))
    assert {"GKE002", "GKE004"} <= got
    (finding,), _ = run("GKE004", cluster(calico=False), *world(policies=[DENY]))
    assert any(c.text == "kubectl get nodes -l projectcalico.org/ds-ready=true" for c in finding.remediation.commands)
    assert finding.subject.kind == "Cluster"


def test_gke004_not_when_enforcement_on() -> None:
    assert run("GKE004", cluster(), nodes())[0] == []


# ------------------------------------------------------------------ GKE003


def test_gke003_one_finding_per_pool_cordoned_count() -> None:
    node_list = lst("Node", [node("a1", pool="a", labelled=False, cordoned=True), node("a2", pool="a"),
                             node("b1", pool="b", labelled=False), node("b2", pool="b", labelled=False)])
    found, _ = run("GKE003", cluster(), node_list)
    assert [(f.subject.kind, f.subject.name) for f in found] == [("NodePool", "a"), ("NodePool", "b")]
    assert "1 of 2" in found[0].message and "2 of 2" in found[1].message
    assert found[0].remediation.commands[0].text == (
        f"gcloud container clusters upgrade prod --node-pool=a --cluster-version=1.30.5-gke.1014001 {FLAGS}")


# ------------------------------------------------------------------ GKE005 / GKE006


@pytest.mark.parametrize(("machine", "memory"), [
    ("e2-micro", 1024), ("e2-small", 2048), ("f1-micro", 614), ("g1-small", 1741), ("n1-standard-1", 3840),
    ("custom-2-4096", None), ("custom-1-3072", 3072), ("n2-custom-4-8192", None), ("e2-custom-2-4096", None),
    ("e2-custom-2-2048", 2048), ("n1-custom-1-3840-ext", 3840), ("e2-custom-small-2048", 2048),
    ("e2-custom-micro-1024", 1024), ("e2-custom-medium-4096", None), ("n2-custom-2-2048-ext", 2048),
    ("e2-medium", None), ("e2-standard-4", None), ("n1-standard-2", None)])
def test_machine_memory_table(machine: str, memory: int | None) -> None:
    got = machine_memory_mb(machine)
    if memory is None:
        assert got is None or got >= 4096
    else:
        assert got == memory


@pytest.mark.parametrize("machine", ["f1-micro", "g1-small"])
def test_gke005_fires_only_when_policy_relevant(machine: str) -> None:
    pools = [{"name": "tiny", "config": {"machineType": machine}, "initialNodeCount": 3}]
    (finding,), _ = run("GKE005", cluster(nodePools=pools), lst("Node", []), lst("NetworkPolicy", []))
    assert (finding.subject.kind, finding.subject.name) == ("NodePool", "tiny")
    off = cluster(calico=None, addon=None, nodePools=pools)
    assert run("GKE005", off, lst("Node", []), lst("NetworkPolicy", []))[0] == []
    assert len(run("GKE005", off, lst("Node", []), lst("NetworkPolicy", [DENY]))[0]) == 1


def test_gke005_node_subject_without_pool() -> None:
    bare = node("loose", machine="g1-small")
    del bare["metadata"]["labels"]["cloud.google.com/gke-nodepool"]
    found, _ = run("GKE005", cluster(nodePools=[]), lst("Node", [bare]), lst("NetworkPolicy", []))
    assert [(f.subject.kind, f.subject.name) for f in found] == [("Node", "loose")]


def test_gke006_e2_medium_three_nodes_is_clean_and_small_custom_fires() -> None:
    pools = [{"name": "p", "config": {"machineType": "e2-medium"}, "initialNodeCount": 1}]
    assert run("GKE006", cluster(nodePools=pools), lst("NetworkPolicy", []))[0] == []
    small = [{"name": "p", "config": {"machineType": "e2-custom-2-2048"}, "initialNodeCount": 1}]
    (finding,), _ = run("GKE006", cluster(nodePools=small), lst("NetworkPolicy", []))
    assert finding.subject.kind == "Cluster"


def test_gke006_never_on_autopilot() -> None:
    doc = cluster(datapath=None, calico=None, addon=False, autopilot={"enabled": True},
                  nodePools=[{"name": "p", "config": {"machineType": "e2-small"}, "initialNodeCount": 1}])
    assert run("GKE006", doc, lst("NetworkPolicy", [DENY]))[0] == []


# ------------------------------------------------------------------ GKE007


def _headroom(cpu: str, memory: str, **kw) -> tuple:
    big = pod("big", node_name="n0", cpu="1000m", memory="1Gi")
    done = pod("done", node_name="n0", cpu="2000m", memory="2Gi", phase="Succeeded")
    pending = pod("queued", node_name="n0", cpu="100m", memory="64Mi", phase="Pending")
    return run("GKE007", kw.pop("doc", cluster()),
               lst("Node", [node("n0", labelled=False, cpu=cpu, memory=memory)]),
               lst("Pod", [big, done, pending]), lst("NetworkPolicy", [DENY]))


def test_gke007_thresholds_are_strict_and_live_pods_only() -> None:
    # allocatable - (1000m + 100m pending) ; Succeeded pod ignored
    assert _headroom("1400m", "1280Mi")[0] == []           # exactly 300m and 192Mi left
    (finding,), _ = _headroom("1399m", "8Gi")
    assert (finding.subject.kind, finding.subject.name) == ("Node", "n0")
    assert _headroom("4", str((1024 + 64 + 128) * 2**20))[0] == []   # exactly 128Mi
    assert len(_headroom("4", str((1024 + 64 + 128) * 2**20 - 1))[0]) == 1


def test_gke007_never_while_disabling() -> None:
    labelled_and_not = lst("Node", [node("n0", labelled=False, cpu="100m"), node("n1")])
    assert run("GKE007", cluster(calico=False), labelled_and_not, lst("Pod", []), lst("NetworkPolicy", [DENY]))[0] == []


def test_gke007_wanted_via_gke001_condition() -> None:
    doc = cluster(calico=None, addon=None)
    nodes_ = lst("Node", [node("n0", labelled=False, cpu="100m")])
    assert len(run("GKE007", doc, nodes_, lst("Pod", []), lst("NetworkPolicy", [DENY]))[0]) == 1
    assert run("GKE007", doc, nodes_, lst("Pod", []), lst("NetworkPolicy", []))[0] == []


# ------------------------------------------------------------------ GKE008


@pytest.mark.parametrize(("version", "datapath", "address", "port"), [
    ("1.21.0-gke.1000", "LEGACY_DATAPATH", "169.254.169.252", 988),
    ("1.21.0-gke.999", "LEGACY_DATAPATH", "127.0.0.1", 988),
    ("1.20.15-gke.100", None, "127.0.0.1", 988),
    ("1.30.5-gke.1014001", "ADVANCED_DATAPATH", "169.254.169.254", 80)])
def test_gke008_endpoint_per_version_and_dataplane(version: str, datapath: str | None, address: str,
                                                    port: int) -> None:
    kw = DPV2 if datapath == "ADVANCED_DATAPATH" else {"datapath": datapath}
    doc = cluster(version=version, workloadIdentityConfig={"workloadPool": "acme-prod.svc.id.goog"}, **kw)
    dns = {"to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}]}
    docs = world(policies=[egress_policy(dns)])
    (finding,), _ = run("GKE008", doc, *docs)
    assert (finding.subject.kind, finding.subject.namespace, finding.subject.name) == ("Namespace", "shop", "shop")
    assert f"{address}/32" in finding.remediation.manifest and f"port: {port}" in finding.remediation.manifest
    assert any("rewrit" in note for note in finding.notes) == (datapath == "ADVANCED_DATAPATH")
    assert "namespace: shop" in finding.remediation.manifest
    allowed = egress_policy(dns, {"to": [{"ipBlock": {"cidr": f"{address}/32"}}],
                                  "ports": [{"protocol": "TCP", "port": port}]})
    assert run("GKE008", doc, *world(policies=[allowed]))[0] == []


def test_gke008_needs_workload_identity() -> None:
    assert run("GKE008", cluster(), *world(policies=[egress_policy()]))[0] == []


# ------------------------------------------------------------------ GKE009


def test_gke009_fires_even_when_policy_selects_nothing_and_only_from_1_22() -> None:
    pol = policy("range", "shop", {"podSelector": {"matchLabels": {"app": "nobody"}}, "policyTypes": ["Ingress"],
                                   "ingress": [{"ports": [{"protocol": "TCP", "port": 8000, "endPort": 8010}]}]})
    (finding,), _ = run("GKE009", cluster(version="1.22.0-gke.100", **DPV2), *world(policies=[pol]))
    assert finding.subject.kind == "NetworkPolicy"
    assert "8000-8010" in finding.evidence[0].observed and "8000" in finding.evidence[0].expected
    assert run("GKE009", cluster(version="1.21.14-gke.100", **DPV2), *world(policies=[pol]))[0] == []
    assert run("GKE009", cluster(version="1.22.0-gke.100"), *world(policies=[pol]))[0] == []


# ------------------------------------------------------------------ GKE010 / GKE011 / GKE012


@pytest.mark.parametrize(("cidr", "excepts", "expected"), [
    ("10.0.0.0/8", None, {"GKE010"}),
    ("0.0.0.0/0", None, {"GKE010"}),
    ("0.0.0.0/0", ["10.64.0.0/14"], set()),                 # the documented pattern
    ("10.0.0.0/8", ["10.64.0.0/14"], set()),
    ("10.0.0.0/8", ["10.64.0.0/15"], {"GKE010"}),           # except covers only half the overlap
    ("10.64.1.10/32", None, {"GKE012"}),                    # a pod /32 inside the range
    ("10.64.0.0/14", None, {"GKE012"}),                     # exactly the range
    ("10.96.0.0/24", None, {"GKE012"}),                     # inside the Service range
    ("192.168.0.0/16", None, set())])
def test_gke010_gke012_split_on_calico(cidr: str, excepts: list[str] | None, expected: set[str]) -> None:
    got = ids(cluster(), *world(policies=[ipblock_policy(cidr, excepts)]))
    assert got & {"GKE010", "GKE011", "GKE012"} == expected


def test_gke010_pod_range_fallback_top_level_field() -> None:
    doc = cluster()
    doc["ipAllocationPolicy"] = {}
    doc["clusterIpv4Cidr"] = "10.64.0.0/14"
    assert "GKE010" not in ids(doc, *world(policies=[ipblock_policy("10.0.0.0/8", ["10.64.0.0/14"])]))
    assert "GKE010" in ids(doc, *world(policies=[ipblock_policy("10.0.0.0/8")]))


def test_pod_and_service_range_fallback_order() -> None:
    doc = cluster(ipAllocationPolicy={"clusterIpv4CidrBlock": "10.64.0.0/14"}, clusterIpv4Cidr="172.16.0.0/14",
                  servicesIpv4Cidr="172.30.0.0/20")
    assert "GKE012" in ids(doc, *world(policies=[ipblock_policy("10.64.3.0/24")]))
    assert "GKE012" not in ids(doc, *world(policies=[ipblock_policy("172.16.3.0/24")]))
    assert "GKE012" in ids(doc, *world(policies=[ipblock_policy("172.30.0.0/24")]))  # top-level Service range


def test_gke010_without_cluster_info_uses_pod_ips_seen() -> None:
    docs = world(policies=[ipblock_policy("10.0.0.0/8")])
    (finding,), _ = run("GKE010", *docs)
    assert finding.subject.kind == "NetworkPolicy"
    assert run("GKE010", *world(policies=[ipblock_policy("192.168.0.0/16")]))[0] == []


def test_gke010_ingress_rules_too() -> None:
    pol = policy("in", "shop", {"podSelector": {}, "policyTypes": ["Ingress"],
                                "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}]})
    assert "GKE010" in ids(cluster(), *world(policies=[pol]))


@pytest.mark.parametrize(("cidr", "fires"), [("0.0.0.0/0", False), ("::/0", False), ("10.0.0.0/8", True),
                                             ("10.64.1.10/32", True), ("192.168.0.0/16", False)])
def test_gke011_on_dataplane_v2(cidr: str, fires: bool) -> None:
    found, _ = run("GKE011", cluster(**DPV2), *world(policies=[ipblock_policy(cidr)]))
    assert bool(found) == fires
    assert run("GKE011", cluster(), *world(policies=[ipblock_policy(cidr)]))[0] == []


def test_gke011_except_removing_pods_is_clean() -> None:
    pol = ipblock_policy("10.0.0.0/8", ["10.64.0.0/14"])
    assert run("GKE011", cluster(**DPV2), *world(policies=[pol]))[0] == []


def test_gke012_severity_by_dataplane() -> None:
    pol = ipblock_policy("10.64.1.10/32")
    (calico,), _ = run("GKE012", cluster(), *world(policies=[pol]))
    (dpv2,), _ = run("GKE012", cluster(**DPV2), *world(policies=[pol]))
    assert calico.severity is Severity.INFO and dpv2.severity is Severity.WARNING
    assert "GKE011" in ids(cluster(**DPV2), *world(policies=[pol]))


def test_gke012_service_ip_and_protocol_only_port() -> None:
    svc = lst("Service", [service("web", "shop", {"app": "web"})])
    doc = cluster(ipAllocationPolicy={"clusterIpv4CidrBlock": "10.64.0.0/14"})  # no Service range known
    assert len(run("GKE012", doc, *world(policies=[ipblock_policy("10.96.0.50/32")], extra=[svc]))[0]) == 1
    port_only = policy("p", "shop", {"podSelector": {}, "policyTypes": ["Ingress"],
                                     "ingress": [{"ports": [{"protocol": "TCP"}]}]})
    (finding,), _ = run("GKE012", cluster(), *world(policies=[port_only]))
    assert finding.subject.kind == "NetworkPolicy" and finding.severity is Severity.INFO


# ------------------------------------------------------------------ GKE013 / GKE014


def _hc_policy(*cidrs: str, port: int | str = 8080) -> dict:
    return policy("hc", "shop", {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress"],
                                 "ingress": [{"from": [{"ipBlock": {"cidr": c}} for c in cidrs],
                                              "ports": [{"protocol": "TCP", "port": port}]}]})


def _lb_world(pol: dict, svc: dict, *extra: dict) -> list[dict]:
    return world(policies=[pol], extra=[lst("Service", [svc]), *extra])


def test_gke013_needs_both_ranges_on_the_serving_port() -> None:
    svc = service("web", "shop", {"app": "web"}, target="http")
    ing = lst("Ingress", [ingress("web", "shop", "web")])
    (finding,), _ = run("GKE013", cluster(), *_lb_world(_hc_policy("130.211.0.0/22"), svc, ing))
    assert (finding.subject.kind, finding.subject.namespace, finding.subject.name) == ("Service", "shop", "web")
    assert run("GKE013", cluster(), *_lb_world(_hc_policy("130.211.0.0/22", "35.191.0.0/16"), svc, ing))[0] == []
    # the Service port (80) is not the serving port: the named targetPort resolves to 8080
    assert len(run("GKE013", cluster(), *_lb_world(_hc_policy("130.211.0.0/22", "35.191.0.0/16", port=80),
                                                   svc, ing))[0]) == 1
    assert run("GKE013", cluster(), *_lb_world(_hc_policy("130.211.0.0/22", "35.191.0.0/16", port="http"),
                                               svc, ing))[0] == []


def test_gke013_neg_annotation_without_ingress_and_l4_is_not_gke013() -> None:
    neg = service("web", "shop", {"app": "web"}, annotations={"cloud.google.com/neg": '{"ingress": true}'})
    assert len(run("GKE013", cluster(), *_lb_world(DENY, neg))[0]) == 1
    l4 = service("web", "shop", {"app": "web"}, type_="LoadBalancer")
    assert run("GKE013", cluster(), *_lb_world(DENY, l4))[0] == []


@pytest.mark.parametrize(("etp", "annotations", "fires"), [
    (None, None, True), ("Cluster", None, True), ("Local", None, False),
    (None, {"cloud.google.com/neg": '{"ingress": true}'}, False)])
def test_gke014_conditions(etp: str | None, annotations: dict | None, fires: bool) -> None:
    svc = service("web", "shop", {"app": "web"}, type_="LoadBalancer", etp=etp, annotations=annotations)
    found, _ = run("GKE014", cluster(), *_lb_world(DENY, svc))
    assert bool(found) == fires
    if fires:
        assert found[0].subject.kind == "Service"
        assert found[0].remediation.commands[0].text == (
            "kubectl -n shop patch service web -p '{\"spec\":{\"externalTrafficPolicy\":\"Local\"}}'")


def test_gke014_clean_when_node_ips_allowed() -> None:
    svc = service("web", "shop", {"app": "web"}, type_="NodePort")
    pol = _hc_policy("10.128.0.0/24")
    assert run("GKE014", cluster(), *_lb_world(pol, svc))[0] == []


# ------------------------------------------------------------------ GKE015 / GKE016


@pytest.mark.parametrize("field", ["privateClusterConfig", "controlPlaneEndpointsConfig"])
def test_gke015_both_endpoint_fields_tcp_443(field: str) -> None:
    value = ({"privateEndpoint": "10.0.0.2"} if field == "privateClusterConfig"
             else {"ipEndpointsConfig": {"privateEndpoint": "10.0.0.2"}})
    doc = cluster(**{field: value})
    (finding,), _ = run("GKE015", doc, *world(policies=[egress_policy()]))
    assert (finding.subject.kind, finding.subject.name) == ("Namespace", "shop")
    ok = egress_policy({"to": [{"ipBlock": {"cidr": "10.0.0.2/32"}}], "ports": [{"protocol": "TCP", "port": 443}]})
    assert run("GKE015", doc, *world(policies=[ok]))[0] == []
    udp = egress_policy({"to": [{"ipBlock": {"cidr": "10.0.0.2/32"}}], "ports": [{"protocol": "UDP", "port": 443}]})
    assert len(run("GKE015", doc, *world(policies=[udp]))[0]) == 1


def test_gke016_resource_version_only_is_no_policy() -> None:
    pending = nodes(labelled=False)
    assert run("GKE016", cluster(maintenancePolicy={"resourceVersion": "e5f6"}), pending)[0] == []
    (finding,), _ = run("GKE016", cluster(maintenancePolicy=WINDOW), pending)
    assert finding.subject.kind == "Cluster"
    assert finding.remediation.commands[0].text == (
        f"gcloud container clusters upgrade prod --node-pool=default-pool --cluster-version=1.30.5-gke.1014001 {FLAGS}")
    assert any("2026-11-27 03:00" in e.observed for e in finding.evidence)


def test_gke016_running_upgrade_counts_without_nodes() -> None:
    found, unknown = run("GKE016", cluster(calico=False, maintenancePolicy=WINDOW), operation("op-1"))
    assert len(found) == 1 and not unknown
    assert found[0].remediation.commands[0].text == (
        f"gcloud container clusters upgrade prod --node-pool=default-pool --cluster-version=1.30.5-gke.1014001 {FLAGS}")
    found, unknown = run("GKE016", cluster(calico=False, maintenancePolicy=WINDOW))
    assert found == [] and unknown  # neither nodes nor an operation: cannot tell


# ------------------------------------------------------------------ KI001 - KI003


@pytest.mark.parametrize(("version", "fix"), [
    ("1.18.20-gke.900", "1.19.16-gke.100"), ("1.19.16-gke.99", "1.19.16-gke.100"), ("1.19.16-gke.100", None),
    ("1.20.11-gke.1299", "1.20.11-gke.1300"), ("1.20.11-gke.1300", None), ("1.21.4-gke.1499", "1.21.4-gke.1500"),
    ("1.21.4-gke.1500", None), ("1.21.4", None), ("1.17.17-gke.100", None), ("1.22.0-gke.100", None)])
def test_ki001_ranges_inclusive(version: str, fix: str | None) -> None:
    assert affected_statefulset_fix(GkeVersion.parse(version)) == fix


def test_ki001_needs_calico_and_live_statefulset_pod() -> None:
    doc = cluster(version="1.18.20-gke.900")
    sts = pod("db-0", labels={"app": "db"}, owner=("StatefulSet", "db"))
    (finding,), _ = run("KI001", doc, *world(policies=[DENY], pods=[sts]))
    assert finding.subject.kind == "Cluster"
    assert finding.remediation.commands[0].text == (
        f"gcloud container clusters upgrade prod --master --cluster-version=1.19.16-gke.100 {FLAGS}")
    gone = pod("db-0", labels={"app": "db"}, owner=("StatefulSet", "db"), phase="Succeeded")
    assert run("KI001", doc, *world(policies=[DENY], pods=[gone]))[0] == []
    assert run("KI001", cluster(version="1.18.20-gke.900", calico=False), *world(policies=[DENY], pods=[sts]))[0] == []


def _ipam_event(name: str = "web-0") -> dict:
    return {"apiVersion": "v1", "kind": "Event", "metadata": {"name": f"{name}.17a1", "namespace": "shop"},
            "involvedObject": {"kind": "Pod", "name": name, "namespace": "shop"}, "reason": "FailedCreatePodSandBox",
            "message": 'plugin type="calico" failed (add): ipAddrs is not compatible with configured IPAM: host-local',
            "type": "Warning"}


def test_ki002_event_or_live_annotation_not_on_dpv2() -> None:
    ev = lst("Event", [_ipam_event()])
    (finding,), _ = run("KI002", cluster(), *world(policies=[DENY], extra=[ev]))
    assert (finding.subject.kind, finding.subject.name) == ("Pod", "web-0")
    assert run("KI002", cluster(**DPV2), *world(policies=[DENY], extra=[ev]))[0] == []
    assert len(run("KI002", cluster(calico=False), *world(policies=[DENY], extra=[ev]))[0]) == 1  # addon on
    annotated = pod("x-0", annotations={"cni.projectcalico.org/ipAddrs": '["10.64.9.9"]'}, phase="Pending",
                    owner=("StatefulSet", "x"))
    (owned,), _ = run("KI002", cluster(), *world(policies=[DENY], pods=[annotated]))
    assert (owned.subject.kind, owned.subject.name) == ("StatefulSet", "x")
    finished = pod("y-0", annotations={"cni.projectcalico.org/ipAddrs": '["10.64.9.9"]'}, phase="Failed")
    assert run("KI002", cluster(), *world(policies=[DENY], pods=[finished]))[0] == []


def test_ki003_excludes_addon_manager_and_labels_exactly_missing_nodes() -> None:
    node_list = lst("Node", [node("n0", labels={"node.kubernetes.io/masq-agent-ds-ready": "true"}),
                             node("n1"), node("n2")])
    sel = {"node.kubernetes.io/masq-agent-ds-ready": "true"}
    manual = lst("DaemonSet", [daemonset("ip-masq-agent", "kube-system", {"k8s-app": "ip-masq-agent"}, sel, 1)])
    (finding,), _ = run("KI003", cluster(), *world(policies=[DENY], node_list=node_list, extra=[manual]))
    assert (finding.subject.kind, finding.subject.name) == ("DaemonSet", "ip-masq-agent")
    assert finding.remediation.commands[0].text == (
        "kubectl label nodes n1 n2 node.kubernetes.io/masq-agent-ds-ready=true")
    own = lst("DaemonSet", [daemonset("ip-masq-agent", "kube-system",
                                      {"k8s-app": "ip-masq-agent", "addonmanager.kubernetes.io/mode": "Reconcile"},
                                      sel, 1)])
    assert run("KI003", cluster(), *world(policies=[DENY], node_list=node_list, extra=[own]))[0] == []


# ------------------------------------------------------------------ NP002 / NP004 / NP005 / NP006


def test_np002_namespace_selector_alone_matches_namespaces() -> None:
    empty_ns = "quiet"
    pol = policy("from-quiet", "shop", {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [
        {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": empty_ns}}}]}]})
    assert run("NP002", cluster(), *world(policies=[pol], namespaces=("shop", "kube-system", empty_ns)))[0] == []
    both = policy("from-quiet", "shop", {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [
        {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": empty_ns}},
                   "podSelector": {}}]}]})
    (finding,), _ = run("NP002", cluster(), *world(policies=[both], namespaces=("shop", "kube-system", empty_ns)))
    assert finding.subject.kind == "NetworkPolicy"
    missing = policy("from-nowhere", "shop", {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [
        {"from": [{"namespaceSelector": {"matchLabels": {"team": "ghost"}}}]}]})
    assert len(run("NP002", cluster(), *world(policies=[missing]))[0]) == 1


def test_np002_ignores_sections_outside_policy_types() -> None:
    pol = policy("p", "shop", {"podSelector": {}, "policyTypes": ["Ingress"], "egress": [
        {"to": [{"podSelector": {"matchLabels": {"app": "ghost"}}}]}]})
    assert run("NP002", cluster(), *world(policies=[pol]))[0] == []


DNS_UDP = {"to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
           "ports": [{"protocol": "UDP", "port": 53}]}
DNS_BOTH = {**DNS_UDP, "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}


def test_np004_udp_error_tcp_warning() -> None:
    (error,), _ = run("NP004", cluster(), *world(policies=[egress_policy()]))
    assert error.severity is Severity.ERROR and error.subject.kind == "Namespace"
    (warning,), _ = run("NP004", cluster(), *world(policies=[egress_policy(DNS_UDP)]))
    assert warning.severity is Severity.WARNING
    assert run("NP004", cluster(), *world(policies=[egress_policy(DNS_BOTH)]))[0] == []


def test_np004_cloud_dns_needs_metadata_address() -> None:
    doc = cluster(networkConfig={"datapathProvider": "LEGACY_DATAPATH", "dnsConfig": {"clusterDns": "CLOUD_DNS"}})
    assert len(run("NP004", doc, *world(policies=[egress_policy(DNS_BOTH)]))[0]) == 1
    cloud = {"to": [{"ipBlock": {"cidr": "169.254.169.254/32"}}],
             "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}
    assert run("NP004", doc, *world(policies=[egress_policy(cloud)]))[0] == []


def test_np004_node_local_dns_accepts_either() -> None:
    doc = cluster(addonsConfig={"networkPolicyConfig": {}, "dnsCacheConfig": {"enabled": True}})
    local = {"to": [{"ipBlock": {"cidr": "169.254.20.10/32"}}],
             "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}
    assert run("NP004", doc, *world(policies=[egress_policy(local)]))[0] == []
    assert run("NP004", doc, *world(policies=[egress_policy(DNS_BOTH)]))[0] == []
    assert len(run("NP004", cluster(), *world(policies=[egress_policy(local)]))[0]) == 1


def test_np005_named_port_direction() -> None:
    # egress: resolved on the peers' pods (kube-dns declares "dns"), not on the selected pods
    egress_ok = egress_policy({"to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                               "ports": [{"protocol": "UDP", "port": "dns"}]})
    assert run("NP005", cluster(), *world(policies=[egress_ok]))[0] == []
    egress_bad = egress_policy({"to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                                "ports": [{"protocol": "TCP", "port": "http"}]})
    (finding,), _ = run("NP005", cluster(), *world(policies=[egress_bad]))
    assert finding.subject.kind == "NetworkPolicy"
    # ingress: resolved on the selected pods (web declares "http" TCP, not UDP)
    ingress_ok = policy("in", "shop", {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress"],
                                       "ingress": [{"ports": [{"protocol": "TCP", "port": "http"}]}]})
    assert run("NP005", cluster(), *world(policies=[ingress_ok]))[0] == []
    ingress_udp = policy("in", "shop", {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress"],
                                        "ingress": [{"ports": [{"protocol": "UDP", "port": "http"}]}]})
    assert len(run("NP005", cluster(), *world(policies=[ingress_udp]))[0]) == 1


def test_np006_ignored_section() -> None:
    pol = policy("p", "shop", {"podSelector": {}, "policyTypes": ["Ingress"], "egress": [{"to": []}]})
    (finding,), _ = run("NP006", cluster(), *world(policies=[pol]))
    assert finding.subject.kind == "NetworkPolicy"
    defaulted = policy("q", "shop", {"podSelector": {}, "egress": [{}]})
    assert run("NP006", cluster(), *world(policies=[defaulted]))[0] == []


# ------------------------------------------------------------------ remediation sequences


def test_gke001_enable_sequence_order() -> None:
    (finding,), _ = run("GKE001", cluster(calico=None, addon=None), *world(policies=[DENY]))
    texts = [c.text for c in finding.remediation.commands]
    assert texts[:2] == [f"gcloud container clusters update prod --update-addons=NetworkPolicy=ENABLED {FLAGS}",
                         f"gcloud container clusters update prod --enable-network-policy {FLAGS}"]



def test_gke010_remediation_lists_the_real_pod_range_in_except() -> None:
    pol = ipblock_policy("10.0.0.0/8", ["10.64.0.0/15", "10.1.0.0/16"])
    (finding,), _ = run("GKE010", cluster(), *world(policies=[pol]))
    manifest = finding.remediation.manifest
    assert "- 10.64.0.0/14" in manifest and "10.64.0.0/15" not in manifest and "- 10.1.0.0/16" in manifest


def test_gke001_decided_without_policies_when_a_switch_is_on() -> None:
    found, unknown = run("GKE001", cluster(calico=None), nodes())
    assert found == [] and unknown == []


def test_subjects_cluster_and_policy_kinds() -> None:
    (gke002,), _ = run("GKE002", cluster(calico=False), nodes(labelled=False))
    assert gke002.to_dict()["subject"] == {"kind": "Cluster", "namespace": None, "name": "prod"}
    (gke011,), _ = run("GKE011", cluster(**DPV2), *world(policies=[ipblock_policy("10.0.0.0/8")]))
    assert gke011.to_dict()["subject"] == {"kind": "NetworkPolicy", "namespace": "shop", "name": "ipb"}


def test_gke005_on_standard_dataplane_v2_with_policies() -> None:
    pools = [{"name": "tiny", "config": {"machineType": "g1-small"}, "initialNodeCount": 3}]
    assert len(run("GKE005", cluster(nodePools=pools, **DPV2), lst("NetworkPolicy", [DENY]))[0]) == 1
    assert run("GKE005", cluster(nodePools=pools, **DPV2), lst("NetworkPolicy", []))[0] == []
