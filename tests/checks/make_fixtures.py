"""Write tests/checks/fixtures/<ID>/{fires,clean}/: one triggering and one near-miss cluster per check.

The fixtures are committed; this script documents how they were made and rewrites them:

    python -m tests.checks.make_fixtures

Each folder holds what a user would dump: `cluster.json` (gcloud `clusters describe`) and
`objects.yaml` (kubectl `get -o yaml` Lists). `clean` is always a near miss of `fires`, never an
empty cluster. The expected subjects live in tests/checks/test_catalog_fixtures.py.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml

from tests.checks.helpers import cluster, lst, namespace, node, pod, policy

ROOT = Path(__file__).parent / "fixtures"
V = "1.30.5-gke.1014001"
DNS_EGRESS = {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                      "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
              "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}
DEFAULT_DENY_EGRESS = {"podSelector": {}, "policyTypes": ["Egress"]}


def service(name: str, ns: str, selector: dict, *, type_: str = "ClusterIP", port: int = 80,
            target: int | str = 8080, annotations: dict | None = None, etp: str | None = None) -> dict:
    spec: dict[str, Any] = {"type": type_, "selector": selector, "clusterIP": "10.96.0.50",
                            "ports": [{"name": "http", "port": port, "targetPort": target, "protocol": "TCP"}]}
    if etp:
        spec["externalTrafficPolicy"] = etp
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": ns, "annotations": annotations or {}}, "spec": spec}


def ingress(name: str, ns: str, svc: str, port: int = 80) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": name, "namespace": ns},
            "spec": {"defaultBackend": {"service": {"name": svc, "port": {"number": port}}}}}


def daemonset(name: str, ns: str, labels: dict, node_selector: dict, desired: int) -> dict:
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": {"selector": {"matchLabels": {"k8s-app": name}},
                     "template": {"metadata": {"labels": {"k8s-app": name}},
                                  "spec": {"nodeSelector": node_selector, "containers": [{"name": name}]}}},
            "status": {"desiredNumberScheduled": desired, "currentNumberScheduled": desired, "numberReady": desired}}


def nodes(count: int = 3, **kw: Any) -> dict:
    return lst("Node", [node(f"node-{chr(97 + i)}", ip=f"10.128.0.{i + 2}", **kw) for i in range(count)])


def web_pods(ns: str = "shop", count: int = 2, **kw: Any) -> list[dict]:
    return [pod(f"web-{i}", ns, labels={"app": "web"}, ip=f"10.64.1.{i + 10}", node_name=f"node-{chr(97 + i % 3)}",
                ports=[{"name": "http", "containerPort": 8080}], **kw) for i in range(count)]


def kube_dns() -> list[dict]:
    return [pod("kube-dns-abc", "kube-system", labels={"k8s-app": "kube-dns"}, ip="10.64.0.2",
                ports=[{"name": "dns", "containerPort": 53, "protocol": "UDP"},
                       {"name": "dns-tcp", "containerPort": 53, "protocol": "TCP"}])]


def world(*, policies: list[dict], pods: list[dict] | None = None, extra: list[dict] | None = None,
          namespaces: tuple[str, ...] = ("shop", "kube-system"), node_list: dict | None = None) -> list[dict]:
    """The kubectl Lists of a small cluster: namespaces, nodes (3 labelled by default), pods, policies."""
    docs = [lst("Namespace", [namespace(n) for n in namespaces]), node_list or nodes(),
            lst("Pod", pods if pods is not None else [*web_pods(), *kube_dns()]),
            lst("NetworkPolicy", policies)]
    extra = list(extra or [])
    present = {doc["kind"] for doc in extra}
    extra += [lst(kind, []) for kind in ("Service", "Ingress", "Event", "Deployment") if f"{kind}List" not in present]
    return docs + extra


DENY_INGRESS = policy("default-deny-ingress", "shop", {"podSelector": {}, "policyTypes": ["Ingress"]})


def egress_policy(*rules: dict) -> dict:
    return policy("egress", "shop", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [DNS_EGRESS, *rules]})


def fqdn_policy(name: str, ns: str = "shop", *, selector: dict | None = None, names: tuple[str, ...] = (),
                patterns: tuple[str, ...] = (), port: int = 443) -> dict:
    matches = [*({"name": n} for n in names), *({"pattern": p} for p in patterns)]
    return {"apiVersion": "networking.gke.io/v1alpha1", "kind": "FQDNNetworkPolicy",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"podSelector": {"matchLabels": selector if selector is not None else {"app": "web"}},
                     "egress": [{"matches": matches, "ports": [{"protocol": "TCP", "port": port}]}]}}


def ccnp(name: str, spec: dict) -> dict:
    return {"apiVersion": "cilium.io/v2", "kind": "CiliumClusterwideNetworkPolicy", "metadata": {"name": name},
            "spec": spec}


def deployment(name: str, ns: str, labels: dict) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"k8s-app": labels.get("k8s-app", name)}},
                     "template": {"metadata": {"labels": {"k8s-app": labels.get("k8s-app", name)}},
                                  "spec": {"containers": [{"name": name}]}}}}


def fqdn_cluster(*, enabled: bool = True, version: str = V) -> dict:
    network = {"datapathProvider": "ADVANCED_DATAPATH", **({"enableFqdnNetworkPolicy": True} if enabled else {})}
    return cluster(datapath="ADVANCED_DATAPATH", calico=None, addon=False, version=version, networkConfig=network)


def gke_kinds_fixtures() -> dict[str, dict[str, tuple[dict, list[dict]]]]:
    """GKE018-GKE026: FQDN network policies and Cilium policies (gke-facts section 13)."""
    calico = cluster()
    fq = fqdn_cluster()
    api = fqdn_policy("allow-payments-api", names=("api.payments.example.com",))
    fqdn_list = lst("FQDNNetworkPolicy", [api])
    f: dict[str, dict[str, tuple[dict, list[dict]]]] = {}
    f["GKE018"] = {"fires": (calico, world(policies=[DENY_INGRESS], extra=[fqdn_list])),
                   "clean": (fq, world(policies=[DENY_INGRESS], extra=[fqdn_list]))}
    f["GKE019"] = {"fires": (fqdn_cluster(version="1.26.4-gke.499"), world(policies=[], extra=[fqdn_list])),
                   "clean": (fqdn_cluster(version="1.26.4-gke.500"), world(policies=[], extra=[fqdn_list]))}
    f["GKE020"] = {"fires": (fqdn_cluster(enabled=False), world(policies=[], extra=[fqdn_list])),
                   "clean": (fq, world(policies=[], extra=[fqdn_list]))}
    dns_rule = {"endpointSelector": {}, "egress": [
        {"toEndpoints": [{"matchLabels": {"k8s:io.kubernetes.pod.namespace": "kube-system", "k8s-app": "kube-dns"}}],
         "toPorts": [{"ports": [{"port": "53", "protocol": "ANY"}]}]}]}
    f["GKE021"] = {"fires": (fq, world(policies=[], extra=[fqdn_list])),
                   "clean": (fq, world(policies=[], extra=[fqdn_list, lst("CiliumClusterwideNetworkPolicy", [
                       ccnp("allow-dns", dns_rule)])]))}
    coredns = deployment("coredns", "kube-system", {"k8s-app": "coredns"})
    kube_dns = deployment("kube-dns", "kube-system", {"k8s-app": "kube-dns",
                                                      "addonmanager.kubernetes.io/mode": "Reconcile"})
    f["GKE022"] = {"fires": (fq, world(policies=[], extra=[fqdn_list, lst("Deployment", [coredns])])),
                   "clean": (fq, world(policies=[], extra=[fqdn_list, lst("Deployment", [kube_dns])]))}
    payments = lst("Service", [service("payments", "shop", {"app": "payments"})])
    in_cluster = fqdn_policy("allow-payments", names=("payments.shop.svc.cluster.local",))
    outside = fqdn_policy("allow-payments", names=("payments.example.com",))
    f["GKE023"] = {"fires": (fq, world(policies=[], extra=[payments, lst("FQDNNetworkPolicy", [in_cluster])])),
                   "clean": (fq, world(policies=[], extra=[payments, lst("FQDNNetworkPolicy", [outside])]))}
    many = tuple(f"host-{i}.partners.example.com" for i in range(51))
    f["GKE024"] = {"fires": (fq, world(policies=[], extra=[lst("FQDNNetworkPolicy", [
                       fqdn_policy("allow-partners", names=many)])])),
                   "clean": (fq, world(policies=[], extra=[lst("FQDNNetworkPolicy", [
                       fqdn_policy("allow-partners", names=many[:50])])]))}
    smtp_deny = lst("CiliumClusterwideNetworkPolicy", [ccnp("lockdown", {
        "endpointSelector": {}, "enableDefaultDeny": {"egress": False, "ingress": False}, "egressDeny": [
        {"toEntities": ["world"], "toPorts": [{"ports": [{"port": "25", "protocol": "TCP"}]}]}]})])
    f["GKE025"] = {"fires": (calico, world(policies=[DENY_INGRESS], extra=[smtp_deny])),
                   "clean": (fq, world(policies=[DENY_INGRESS], extra=[smtp_deny]))}

    def mail(*ports: int) -> dict:
        return policy("allow-mail", "shop", {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"],
                                             "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}],
                                                         "ports": [{"protocol": "TCP", "port": p} for p in ports]}]})

    f["GKE026"] = {"fires": (fq, world(policies=[mail(25)], extra=[smtp_deny])),
                   "clean": (fq, world(policies=[mail(25, 587)], extra=[smtp_deny]))}
    return f


def _maintenance() -> dict:
    return {"window": {"recurringWindow": {"window": {"startTime": "2024-01-06T02:00:00Z",
                                                      "endTime": "2024-01-06T06:00:00Z"},
                                           "recurrence": "FREQ=WEEKLY;BYDAY=SA,SU"}}}


def network_logging(*, deny: bool, allow: bool = False) -> dict:
    """`kubectl get networklogging -o json`: the cluster's one object, `default`."""
    return {"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "networking.gke.io/v1alpha1", "kind": "NetworkLogging", "metadata": {"name": "default"},
         "spec": {"cluster": {"allow": {"log": allow, "delegate": False}, "deny": {"log": deny, "delegate": False}}}}]}


def fixtures() -> dict[str, dict[str, tuple[dict, list[dict]]]]:
    """check id -> {"fires"|"clean": (cluster document, kubectl documents)}."""
    calico = cluster()
    dpv2 = cluster(datapath="ADVANCED_DATAPATH", calico=None, addon=False)
    some_policy = [DENY_INGRESS]
    f: dict[str, dict[str, tuple[dict, list[dict]]]] = {}
    f["GKE001"] = {"fires": (cluster(calico=None, addon=None), world(policies=some_policy)),
                   "clean": (dpv2, world(policies=some_policy))}
    f["GKE002"] = {"fires": (cluster(calico=False), world(policies=some_policy, node_list=nodes(labelled=False))),
                   "clean": (cluster(autopilot={"enabled": True}, datapath="ADVANCED_DATAPATH", calico=None,
                                     addon=False), world(policies=some_policy))}
    mixed = lst("Node", [node("node-a"), node("node-b"), node("node-c", labelled=False, cordoned=True)])
    all_labelled = lst("Node", [node("node-a"), node("node-b"), node("node-c", cordoned=True)])
    f["GKE003"] = {"fires": (calico, world(policies=some_policy, node_list=mixed)),
                   "clean": (calico, world(policies=some_policy, node_list=all_labelled))}
    one_labelled = lst("Node", [node("node-a"), node("node-b", labelled=False), node("node-c", labelled=False)])
    f["GKE004"] = {"fires": (cluster(calico=False), world(policies=some_policy, node_list=one_labelled)),
                   "clean": (cluster(calico=False), world(policies=some_policy, node_list=nodes(labelled=False)))}
    small_pool = {"nodePools": [{"name": "tiny", "version": V, "config": {"machineType": "g1-small"},
                                 "initialNodeCount": 1}]}
    f["GKE005"] = {"fires": (cluster(**small_pool), world(policies=some_policy)),
                   "clean": (cluster(calico=None, addon=None, **small_pool), world(policies=[]))}
    two = lst("Node", [node("node-a", machine="e2-medium"), node("node-b", machine="e2-medium")])
    three = lst("Node", [node(f"node-{c}", machine="e2-medium") for c in "abc"])
    medium_pool = {"nodePools": [{"name": "default-pool", "version": V, "config": {"machineType": "e2-medium"},
                                  "initialNodeCount": 1}]}
    f["GKE006"] = {"fires": (cluster(**medium_pool), world(policies=some_policy, node_list=two)),
                   "clean": (cluster(**medium_pool), world(policies=some_policy, node_list=three))}
    tight = lst("Node", [node("node-a", labelled=False, cpu="940m", memory="2Gi")])

    def busy(cpu: str) -> list[dict]:
        return [pod("web-0", "shop", labels={"app": "web"}, node_name="node-a", cpu=cpu, memory="512Mi"),
                pod("done-0", "shop", labels={"app": "job"}, node_name="node-a", cpu="500m", phase="Succeeded",
                    ip="10.64.1.99")]

    f["GKE007"] = {"fires": (cluster(calico=False), world(policies=some_policy, pods=busy("700m"), node_list=tight)),
                   "clean": (cluster(calico=False), world(policies=some_policy, pods=busy("640m"), node_list=tight))}
    wi = cluster(workloadIdentityConfig={"workloadPool": "acme-prod.svc.id.goog"})
    metadata_rule = {"to": [{"ipBlock": {"cidr": "169.254.169.252/32"}}], "ports": [{"protocol": "TCP", "port": 988}]}
    f["GKE008"] = {"fires": (wi, world(policies=[egress_policy()])),
                   "clean": (wi, world(policies=[egress_policy(metadata_rule)]))}
    endport = policy("allow-rtp", "shop", {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [
        {"ports": [{"protocol": "UDP", "port": 10000, "endPort": 10010}]}]})
    f["GKE009"] = {"fires": (cluster(datapath="ADVANCED_DATAPATH", calico=None, addon=False, version="1.27.3-gke.100"),
                             world(policies=[endport])),
                   "clean": (cluster(version="1.27.3-gke.100"), world(policies=[endport]))}
    internet = {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"protocol": "TCP", "port": 443}]}
    internet_except = {"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.64.0.0/14"]}}],
                       "ports": [{"protocol": "TCP", "port": 443}]}
    f["GKE010"] = {"fires": (calico, world(policies=[egress_policy(internet)])),
                   "clean": (calico, world(policies=[egress_policy(internet_except)]))}
    internal = policy("allow-internal", "shop", {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [
        {"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}], "ports": [{"protocol": "TCP", "port": 8080}]}]})
    outside = policy("allow-internal", "shop", {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [
        {"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}, {"ipBlock": {"cidr": "192.168.0.0/16"}}],
         "ports": [{"protocol": "TCP", "port": 8080}]}]})
    f["GKE011"] = {"fires": (dpv2, world(policies=[internal])), "clean": (dpv2, world(policies=[outside]))}
    pod_ip = {"to": [{"ipBlock": {"cidr": "10.64.1.10/32"}}], "ports": [{"protocol": "TCP", "port": 8080}]}
    f["GKE012"] = {"fires": (calico, world(policies=[egress_policy(pod_ip)])),
                   "clean": (calico, world(policies=[egress_policy(internet_except)]))}
    isolated_web = policy("allow-same-namespace", "shop", {"podSelector": {}, "ingress": [
        {"from": [{"podSelector": {}}]}]})
    health = policy("allow-health-checks", "shop", {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [
        {"from": [{"ipBlock": {"cidr": "130.211.0.0/22"}}, {"ipBlock": {"cidr": "35.191.0.0/16"}}],
         "ports": [{"protocol": "TCP", "port": 8080}]}]})
    lb = [lst("Service", [service("web", "shop", {"app": "web"}, target="http")]),
          lst("Ingress", [ingress("web", "shop", "web")])]
    f["GKE013"] = {"fires": (calico, world(policies=[DENY_INGRESS, isolated_web], extra=lb)),
                   "clean": (calico, world(policies=[DENY_INGRESS, isolated_web, health], extra=lb))}
    f["GKE014"] = {"fires": (calico, world(policies=[isolated_web], extra=[
                       lst("Service", [service("web", "shop", {"app": "web"}, type_="LoadBalancer", etp="Cluster")])])),
                   "clean": (calico, world(policies=[isolated_web], extra=[
                       lst("Service", [service("web", "shop", {"app": "web"}, type_="LoadBalancer", etp="Local")])]))}
    private = cluster(privateClusterConfig={"privateEndpoint": "172.16.0.2", "enablePrivateNodes": True})
    control_plane = {"to": [{"ipBlock": {"cidr": "172.16.0.2/32"}}], "ports": [{"protocol": "TCP", "port": 443}]}
    f["GKE015"] = {"fires": (private, world(policies=[egress_policy()])),
                   "clean": (private, world(policies=[egress_policy(control_plane)]))}
    pending = lst("Node", [node("node-a"), node("node-b", labelled=False)])
    f["GKE016"] = {"fires": (cluster(maintenancePolicy=_maintenance()), world(policies=some_policy, node_list=pending)),
                   "clean": (cluster(maintenancePolicy={"resourceVersion": "e5f6"}),
                             world(policies=some_policy, node_list=pending))}
    f["GKE017"] = {"fires": (dpv2, world(policies=some_policy, extra=[network_logging(deny=False)])),
                   "clean": (dpv2, world(policies=some_policy, extra=[network_logging(deny=True)]))}
    sts = [*web_pods(), pod("db-0", "shop", labels={"app": "db"}, ip="10.64.1.30", owner=("StatefulSet", "db"))]
    f["KI001"] = {"fires": (cluster(version="1.21.4-gke.1499"), world(policies=some_policy, pods=sts)),
                  "clean": (cluster(version="1.21.4-gke.1500"), world(policies=some_policy, pods=sts))}
    fixed_ip = [*web_pods(), pod("db-0", "shop", labels={"app": "db"}, ip="10.64.1.30", phase="Pending",
                                 owner=("StatefulSet", "db"),
                                 annotations={"cni.projectcalico.org/ipAddrs": '["10.64.1.30"]'})]
    event = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "db-0.17a1", "namespace": "shop"},
             "involvedObject": {"kind": "Pod", "name": "db-0", "namespace": "shop"},
             "reason": "FailedCreatePodSandBox", "type": "Warning",
             "message": 'Failed to create pod sandbox: plugin type="calico" failed (add): ipAddrs is not '
                        "compatible with configured IPAM: host-local"}
    f["KI002"] = {"fires": (calico, world(policies=some_policy, pods=fixed_ip, extra=[lst("Event", [event])])),
                  "clean": (dpv2, world(policies=some_policy, pods=fixed_ip))}
    masq_nodes = lst("Node", [node("node-a", labels={"node.kubernetes.io/masq-agent-ds-ready": "true"}),
                              node("node-b")])
    selector = {"node.kubernetes.io/masq-agent-ds-ready": "true"}
    f["KI003"] = {"fires": (calico, world(policies=some_policy, node_list=masq_nodes, extra=[lst("DaemonSet", [
                      daemonset("ip-masq-agent", "kube-system", {"k8s-app": "ip-masq-agent"}, selector, 1)])])),
                  "clean": (calico, world(policies=some_policy, node_list=masq_nodes, extra=[lst("DaemonSet", [
                      daemonset("ip-masq-agent", "kube-system",
                                {"k8s-app": "ip-masq-agent", "addonmanager.kubernetes.io/mode": "Reconcile"},
                                selector, 1)])]))}
    stor = policy("allow-store", "shop", {"podSelector": {"matchLabels": {"app": "stor"}}})
    store = policy("allow-store", "shop", {"podSelector": {"matchLabels": {"app": "store"}}})
    store_pods = [*web_pods(), pod("store-0", "shop", labels={"app": "store"}, ip="", phase="Pending")]
    f["NP001"] = {"fires": (calico, world(policies=[stor], pods=store_pods)),
                  "clean": (calico, world(policies=[store], pods=store_pods))}
    from_frontend = policy("allow-frontend", "shop", {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [
        {"from": [{"podSelector": {"matchLabels": {"role": "frontend"}}}]}]})
    from_other_ns = policy("allow-frontend", "shop", {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [
        {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "edge"}},
                   "podSelector": {"matchLabels": {"role": "frontend"}}}]}]})
    edge_pods = [*web_pods(), pod("proxy-0", "edge", labels={"role": "frontend"}, ip="10.64.2.5")]
    f["NP002"] = {"fires": (calico, world(policies=[from_frontend], pods=edge_pods,
                                          namespaces=("shop", "edge", "kube-system"))),
                  "clean": (calico, world(policies=[from_other_ns], pods=edge_pods,
                                          namespaces=("shop", "edge", "kube-system")))}
    gmp = [*web_pods(), pod("collector-0", "gmp-system", labels={"app": "collector"}, ip="10.64.3.3")]
    f["NP003"] = {"fires": (calico, world(policies=[], pods=web_pods())),
                  "clean": (calico, world(policies=some_policy, pods=gmp, namespaces=("shop", "gmp-system")))}
    f["NP004"] = {"fires": (calico, world(policies=[policy("egress", "shop", DEFAULT_DENY_EGRESS)])),
                  "clean": (calico, world(policies=[egress_policy()]))}
    named = policy("allow-web", "shop", {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [
        {"ports": [{"protocol": "TCP", "port": "htp"}]}]})
    named_ok = policy("allow-web", "shop", {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [
        {"ports": [{"protocol": "TCP", "port": "http"}]}]})
    f["NP005"] = {"fires": (calico, world(policies=[named])), "clean": (calico, world(policies=[named_ok]))}
    section = {"podSelector": {"matchLabels": {"app": "web"}}, "egress": [DNS_EGRESS]}
    f["NP006"] = {"fires": (calico, world(policies=[policy("dns-only", "shop", {**section, "policyTypes": ["Ingress"]})])),
                  "clean": (calico, world(policies=[policy("dns-only", "shop", section)]))}
    f.update(gke_kinds_fixtures())
    return f


def write(root: Path = ROOT) -> None:
    if root.exists():
        shutil.rmtree(root)
    for check_id, cases in fixtures().items():
        for case, (cluster_doc, documents) in cases.items():
            folder = root / check_id / case
            folder.mkdir(parents=True)
            (folder / "cluster.json").write_text(json.dumps(cluster_doc, indent=2) + "\n")
            (folder / "objects.yaml").write_text(yaml.safe_dump_all(documents, sort_keys=False))


if __name__ == "__main__":
    write()
