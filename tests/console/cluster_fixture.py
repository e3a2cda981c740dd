"""Small kubectl/gcloud-shaped clusters for the console tests, with a fixed capture time.

`calico`: a Standard cluster with Calico on a version hit by the StatefulSet issue, batch-pool
mid-recreation (2 of 4 nodes labelled, one cordoned) under a daily maintenance window, Workload
Identity with an egress default-deny forgetting the metadata server, a selector typo
(`app: stor`), a pod stuck in ContainerCreating with the Calico IPAM event, an Ingress-backed
Service whose pods block health checks, a broad ipBlock, a pod-IP ipBlock, and healthy
namespaces. `dataplane-v2`: an Autopilot cluster with an endPort policy and an ipBlock over pods.
The files go through the real files source, like `--files DIR` would.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from netpol_tui.model.snapshot import Snapshot
from netpol_tui.sources.files import load_files

CAPTURED_AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CREATED = "2026-11-10T08:00:00Z"


def _meta(name: str, namespace: str | None = None, labels: dict | None = None, **extra: Any) -> dict:
    meta: dict[str, Any] = {"name": name, "creationTimestamp": extra.pop("created", CREATED)}
    if namespace:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = labels
    meta.update(extra)
    return meta


def node(name: str, pool: str, machine: str, ip: str, labelled: bool = True, cordoned: bool = False,
         created: str = CREATED) -> dict:
    labels = {"cloud.google.com/gke-nodepool": pool, "node.kubernetes.io/instance-type": machine,
              "kubernetes.io/hostname": name}
    if labelled:
        labels["projectcalico.org/ds-ready"] = "true"
        labels["node.kubernetes.io/masq-agent-ds-ready"] = "true"
    return {"apiVersion": "v1", "kind": "Node", "metadata": _meta(name, labels=labels, created=created),
            "spec": {"unschedulable": True} if cordoned else {},
            "status": {"allocatable": {"cpu": "3920m", "memory": "13Gi", "pods": "110"},
                       "conditions": [{"type": "Ready", "status": "True"}],
                       "addresses": [{"type": "InternalIP", "address": ip}],
                       "nodeInfo": {"kubeletVersion": "v1.21.3-gke.2000"}}}


def pod(name: str, namespace: str, labels: dict, ip: str, node_name: str, *, owner: tuple[str, str] | None = None,
        ports: list[dict] | None = None, phase: str = "Running", waiting: str | None = None,
        annotations: dict | None = None) -> dict:
    meta = _meta(name, namespace, labels)
    if annotations:
        meta["annotations"] = annotations
    if owner:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": owner[0], "name": owner[1], "controller": True}]
    container = {"name": "main", "image": "example/app:1", "ports": ports or [],
                 "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}
    status: dict[str, Any] = {"phase": phase, "hostIP": "10.132.0.2"}
    if ip:
        status.update({"podIP": ip, "podIPs": [{"ip": ip}]})
    if waiting:
        status["containerStatuses"] = [{"name": "main", "ready": False, "state": {"waiting": {"reason": waiting}}}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"containers": [container], "nodeName": node_name, "terminationGracePeriodSeconds": 30},
            "status": status}


def policy(name: str, namespace: str, spec: dict) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": _meta(name, namespace),
            "spec": spec}


def _list(kind: str, items: list[dict]) -> dict:
    return {"apiVersion": "v1", "kind": kind, "items": items}


def calico_documents() -> dict[str, Any]:
    pools = [("default-pool", "e2-standard-4"), ("highmem-pool", "n2-highmem-4"), ("batch-pool", "e2-medium")]
    nodes = []
    for pool_index, (pool, machine) in enumerate(pools):
        for index in range(4):
            name = f"gke-shop-prod-{pool}-{index:x}{pool_index}a1"
            waiting = pool == "batch-pool" and index >= 2
            nodes.append(node(name, pool, machine, f"10.132.0.{10 + pool_index * 4 + index}", labelled=not waiting,
                              cordoned=pool == "batch-pool" and index == 3,
                              created="2026-11-20T11:20:00Z" if pool == "batch-pool" and index < 2 else CREATED))
    node_names = [n["metadata"]["name"] for n in nodes]
    labelled_nodes = [n for n in node_names if "batch-pool-2" not in n and "batch-pool-3" not in n]
    pods = []
    for index, name in enumerate(labelled_nodes):
        pods.append(pod(f"calico-node-{index:05x}", "kube-system", {"k8s-app": "calico-node"}, "", name,
                        owner=("DaemonSet", "calico-node")))
    pods += [pod(f"kube-dns-5c9f-{s}", "kube-system", {"k8s-app": "kube-dns"}, f"10.8.0.{2 + i}", node_names[i],
                 owner=("ReplicaSet", "kube-dns-5c9f"), ports=[{"name": "dns", "containerPort": 53, "protocol": "UDP"},
                                                               {"name": "dns-tcp", "containerPort": 53}])
             for i, s in enumerate(("x2k4", "m7q1"))]
    web_ports = [{"name": "http", "containerPort": 8080}]
    pods += [pod(f"web-7d9f8-{s}", "shop", {"app": "web", "tier": "frontend"}, f"10.8.1.{10 + i}", node_names[i],
                 owner=("ReplicaSet", "web-7d9f8"), ports=web_ports) for i, s in enumerate(("abcde", "fghij", "klmno"))]
    pods += [pod(f"store-5c6d-{s}", "shop", {"app": "store", "version": "v1"}, f"10.8.1.{20 + i}", node_names[4 + i],
                 owner=("ReplicaSet", "store-5c6d"), ports=web_ports) for i, s in enumerate(("pq1rs", "tu2vw"))]
    pods += [pod(f"db-{i}", "payments", {"app": "db"}, f"10.8.2.{10 + i}", node_names[i + 2],
                 owner=("StatefulSet", "db"), ports=[{"name": "pg", "containerPort": 5432}]) for i in range(2)]
    pods += [pod(f"api-6f7b-{s}", "payments", {"app": "api"}, f"10.8.2.{20 + i}", node_names[5 + i],
                 owner=("ReplicaSet", "api-6f7b"), ports=web_ports) for i, s in enumerate(("zz1aa", "yy2bb"))]
    pods.append(pod("loader-8c7d-qq9zz", "data", {"app": "loader"}, "", node_names[9], phase="Pending",
                    waiting="ContainerCreating", owner=("ReplicaSet", "loader-8c7d"),
                    annotations={"cni.projectcalico.org/ipAddrs": "[\"10.8.3.50\"]"}))
    pods.append(pod("etl-4f5g-hh1jj", "data", {"app": "etl"}, "10.8.0.6", node_names[8], owner=("ReplicaSet", "etl-4f5g")))
    pods.append(pod("prometheus-0", "monitoring", {"app": "prometheus"}, "10.8.4.10", node_names[1],
                    owner=("StatefulSet", "prometheus"), ports=[{"name": "web", "containerPort": 9090}]))
    pods.append(pod("grafana-7b8c-kk3ll", "monitoring", {"app": "grafana"}, "10.8.4.11", node_names[2],
                    owner=("ReplicaSet", "grafana-7b8c"), ports=[{"name": "http", "containerPort": 3000}]))
    pods += [pod(f"legacy-app-{s}", "legacy", {"app": "legacy"}, f"10.8.5.{10 + i}", node_names[3 + i],
                 owner=("ReplicaSet", "legacy-app")) for i, s in enumerate(("aa", "bb"))]
    pods.append(pod("report-28861440-x1y2z", "batch", {"job": "report"}, "10.8.6.10", node_names[8],
                    owner=("Job", "report-28861440")))
    namespaces = [{"apiVersion": "v1", "kind": "Namespace",
                   "metadata": _meta(ns, labels={"kubernetes.io/metadata.name": ns, "team": team}),
                   "status": {"phase": "Active"}}
                  for ns, team in (("kube-system", "gke"), ("default", "none"), ("shop", "web"), ("payments", "pay"),
                                   ("data", "data"), ("monitoring", "platform"), ("legacy", "web"), ("batch", "data"))]
    dns_egress = {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                          "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                  "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}
    policies = [
        policy("default-deny-ingress", "shop", {"podSelector": {}, "policyTypes": ["Ingress"]}),
        policy("allow-store-from-web", "shop", {
            "podSelector": {"matchLabels": {"app": "stor"}}, "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}], "ports": [{"port": 8080}]}]}),
        policy("default-deny-all", "payments", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"],
                                                "egress": [dns_egress]}),
        policy("allow-api-to-db", "payments", {
            "podSelector": {"matchLabels": {"app": "db"}}, "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "api"}}}],
                         "ports": [{"protocol": "TCP", "port": 5432}]}]}),
        policy("api-egress-db", "payments", {
            "podSelector": {"matchLabels": {"app": "api"}}, "policyTypes": ["Egress"],
            "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "db"}}}], "ports": [{"port": 5432}]}]}),
        policy("allow-internet-egress", "legacy", {
            "podSelector": {}, "policyTypes": ["Egress"],
            "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}]}),
        policy("loader-to-etl", "data", {
            "podSelector": {"matchLabels": {"app": "loader"}}, "policyTypes": ["Egress"],
            "egress": [{"to": [{"ipBlock": {"cidr": "10.8.0.6/32"}}], "ports": [{"protocol": "TCP"}]}, dns_egress]}),
        policy("allow-scrape", "monitoring", {
            "podSelector": {}, "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}]}]}),
    ]
    services = [
        {"apiVersion": "v1", "kind": "Service", "metadata": _meta("web", "shop"),
         "spec": {"type": "NodePort", "selector": {"app": "web"}, "clusterIP": "10.12.0.10",
                  "ports": [{"name": "http", "port": 80, "targetPort": "http", "nodePort": 30080}]}},
        {"apiVersion": "v1", "kind": "Service", "metadata": _meta("db", "payments"),
         "spec": {"type": "ClusterIP", "selector": {"app": "db"}, "clusterIP": "10.12.0.20",
                  "ports": [{"port": 5432, "targetPort": 5432}]}},
        {"apiVersion": "v1", "kind": "Service", "metadata": _meta("kube-dns", "kube-system"),
         "spec": {"type": "ClusterIP", "selector": {"k8s-app": "kube-dns"}, "clusterIP": "10.12.0.2",
                  "ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53}]}},
    ]
    ingress = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": _meta("web", "shop"),
               "spec": {"defaultBackend": {"service": {"name": "web", "port": {"number": 80}}}}}
    workloads = [
        {"apiVersion": "apps/v1", "kind": "DaemonSet",
         "metadata": _meta("calico-node", "kube-system", {"k8s-app": "calico-node",
                                                          "addonmanager.kubernetes.io/mode": "Reconcile"}),
         "spec": {"selector": {"matchLabels": {"k8s-app": "calico-node"}},
                  "template": {"metadata": {"labels": {"k8s-app": "calico-node"}},
                               "spec": {"nodeSelector": {"projectcalico.org/ds-ready": "true"}, "hostNetwork": True}}},
         "status": {"desiredNumberScheduled": 10, "currentNumberScheduled": 10, "numberReady": 10}},
        {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": _meta("db", "payments", {"app": "db"}),
         "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "db"}},
                  "template": {"metadata": {"labels": {"app": "db"}}, "spec": {}}}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta("loader", "data", {"app": "loader"}),
         "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "loader"}},
                  "template": {"metadata": {"labels": {"app": "loader"},
                                            "annotations": {"cni.projectcalico.org/ipAddrs": "[\"10.8.3.50\"]"}},
                               "spec": {}}}},
    ]
    events = [{"apiVersion": "v1", "kind": "Event", "metadata": _meta("loader-8c7d-qq9zz.17a1", "data"),
               "involvedObject": {"kind": "Pod", "name": "loader-8c7d-qq9zz", "namespace": "data"},
               "reason": "FailedCreatePodSandBox", "type": "Warning", "count": 14,
               "lastTimestamp": "2026-11-20T11:58:00Z",
               "message": "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network "
                          "for sandbox: plugin type=\"calico\" failed (add): ipAddrs is not compatible with "
                          "configured IPAM: host-local"}]
    cluster = {
        "name": "shop-prod", "location": "europe-west1", "status": "RUNNING",
        "selfLink": "https://container.googleapis.com/v1/projects/acme-shop/locations/europe-west1/clusters/shop-prod",
        "currentMasterVersion": "1.21.3-gke.2000", "currentNodeVersion": "1.21.3-gke.2000",
        "addonsConfig": {"networkPolicyConfig": {}}, "networkPolicy": {"enabled": True, "provider": "CALICO"},
        "networkConfig": {"datapathProvider": "LEGACY_DATAPATH"},
        "workloadIdentityConfig": {"workloadPool": "acme-shop.svc.id.goog"},
        "ipAllocationPolicy": {"clusterIpv4CidrBlock": "10.8.0.0/14", "servicesIpv4CidrBlock": "10.12.0.0/20"},
        "locations": ["europe-west1-b", "europe-west1-c", "europe-west1-d"],
        "maintenancePolicy": {"window": {"dailyMaintenanceWindow": {"startTime": "03:00", "duration": "PT4H0M0S"}}},
        "nodePools": [{"name": pool, "version": "1.21.3-gke.2000", "status": "RUNNING",
                       "config": {"machineType": machine, "workloadMetadataConfig": {"mode": "GKE_METADATA"}},
                       "initialNodeCount": 2} for pool, machine in pools],
    }
    link = "https://container.googleapis.com/v1/projects/acme-shop/locations/europe-west1/clusters/shop-prod"
    operations = {"operations": [
        {"name": "operation-1732100400000-upgrade", "operationType": "UPGRADE_NODES", "status": "RUNNING",
         "targetLink": f"{link}/nodePools/batch-pool", "startTime": "2026-11-20T11:00:00Z",
         "progress": {"metrics": [{"name": "NODES_DONE", "intValue": "2"}, {"name": "NODES_TOTAL", "intValue": "4"}]}},
        {"name": "operation-1732096800000-update", "operationType": "UPDATE_CLUSTER", "status": "DONE",
         "targetLink": link, "startTime": "2026-11-20T10:50:00Z", "endTime": "2026-11-20T10:58:00Z"},
    ]}
    return {
        "cluster.json": cluster, "operations.json": operations,
        "nodes.json": _list("NodeList", nodes), "namespaces.json": _list("NamespaceList", namespaces),
        "pods.json": _list("PodList", pods), "networkpolicies.json": _list("NetworkPolicyList", policies),
        "services.json": _list("ServiceList", services), "ingresses.json": _list("List", [ingress]),
        "workloads.json": _list("List", workloads), "events.json": _list("EventList", events),
    }


def dataplane_v2_documents() -> dict[str, Any]:
    nodes = [node(f"gk3-edge-ap-pool-{i}", "nap-pool", "e2-standard-4", f"10.140.0.{10 + i}", labelled=False)
             for i in range(3)]
    names = [n["metadata"]["name"] for n in nodes]
    pods = [pod(f"anetd-{s}", "kube-system", {"k8s-app": "cilium"}, "", names[i], owner=("DaemonSet", "anetd"))
            for i, s in enumerate(("a1b2c", "d3e4f", "g5h6i"))]
    pods += [pod(f"kube-dns-6d8c-{s}", "kube-system", {"k8s-app": "kube-dns"}, f"10.60.0.{2 + i}", names[i],
                 owner=("ReplicaSet", "kube-dns-6d8c")) for i, s in enumerate(("p1", "p2"))]
    pods += [pod(f"game-5f6g-{s}", "games", {"app": "game"}, f"10.60.1.{10 + i}", names[i % 3],
                 owner=("ReplicaSet", "game-5f6g"), ports=[{"name": "udp", "containerPort": 7000, "protocol": "UDP"}])
             for i, s in enumerate(("aa1", "bb2", "cc3"))]
    pods += [pod(f"lobby-7h8j-{s}", "games", {"app": "lobby"}, f"10.60.1.{20 + i}", names[i],
                 owner=("ReplicaSet", "lobby-7h8j"), ports=[{"name": "http", "containerPort": 8080}])
             for i, s in enumerate(("dd4", "ee5"))]
    namespaces = [{"apiVersion": "v1", "kind": "Namespace",
                   "metadata": _meta(ns, labels={"kubernetes.io/metadata.name": ns})} for ns in ("kube-system", "games")]
    policies = [
        policy("game-ports", "games", {
            "podSelector": {"matchLabels": {"app": "game"}}, "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "lobby"}}}],
                         "ports": [{"protocol": "UDP", "port": 7000, "endPort": 7100}]}]}),
        policy("lobby-egress", "games", {
            "podSelector": {"matchLabels": {"app": "lobby"}}, "policyTypes": ["Egress"],
            "egress": [{"to": [{"ipBlock": {"cidr": "10.60.1.0/24"}}]},
                       {"to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}]}),
    ]
    cluster = {
        "name": "edge-ap", "location": "us-central1", "status": "RUNNING", "autopilot": {"enabled": True},
        "selfLink": "https://container.googleapis.com/v1/projects/acme-games/locations/us-central1/clusters/edge-ap",
        "currentMasterVersion": "1.29.4-gke.1043002", "currentNodeVersion": "1.29.4-gke.1043002",
        "addonsConfig": {"networkPolicyConfig": {"disabled": True}},
        "networkConfig": {"datapathProvider": "ADVANCED_DATAPATH"},
        "workloadIdentityConfig": {"workloadPool": "acme-games.svc.id.goog"},
        "ipAllocationPolicy": {"clusterIpv4CidrBlock": "10.60.0.0/17", "servicesIpv4CidrBlock": "10.64.0.0/20"},
        "nodePools": [{"name": "nap-pool", "version": "1.29.4-gke.1043002", "status": "RUNNING",
                       "config": {"machineType": "e2-standard-4"}}],
    }
    return {"cluster.json": cluster, "nodes.json": _list("NodeList", nodes),
            "namespaces.json": _list("NamespaceList", namespaces), "pods.json": _list("PodList", pods),
            "networkpolicies.json": _list("NetworkPolicyList", policies), "operations.json": {"operations": []},
            "services.json": _list("ServiceList", []), "events.json": _list("EventList", []),
            # network policy logging as GKE creates it, deny logging turned on (check GKE017 quiet)
            "networklogging.json": _list("NetworkLoggingList", [{
                "apiVersion": "networking.gke.io/v1alpha1", "kind": "NetworkLogging", "metadata": _meta("default"),
                "spec": {"cluster": {"allow": {"log": False, "delegate": False},
                                     "deny": {"log": True, "delegate": False}}}}])}


SCENARIOS = {"calico": calico_documents, "dataplane-v2": dataplane_v2_documents}


def write(name: str, directory: Path, extra: dict[str, Any] | None = None,
          drop: tuple[str, ...] = ()) -> Path:
    """Write a scenario's files (minus `drop`, plus `extra`) into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    documents = {**SCENARIOS[name](), **(extra or {})}
    for filename, document in documents.items():
        if filename not in drop:
            (directory / filename).write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    return directory


def load(directory: Path, progress: Any = None) -> Snapshot:
    """Load like `--files DIR`, with the fixed capture time (no clock in any frame)."""
    snapshot = load_files([str(directory)], progress=progress)
    # The same name in every run (not pytest's numbered temporary folder): frames show it.
    name = directory.name.rstrip("0123456789")
    source = replace(snapshot.source, description=f"files: {name}", paths=(name,))
    return replace(snapshot, captured_at=CAPTURED_AT, source=source)
