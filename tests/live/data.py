"""A small GKE cluster as the Kubernetes and GKE APIs return it (list items carry no `kind`)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

PROJECT, LOCATION, CLUSTER = "demo-project", "europe-west1", "shop"
CONTEXT = f"gke_{PROJECT}_{LOCATION}_{CLUSTER}"
SELF_LINK = f"https://container.googleapis.com/v1/projects/{PROJECT}/locations/{LOCATION}/clusters/{CLUSTER}"


def _meta(name: str, namespace: str | None = None, **extra: Any) -> dict:
    meta = {"name": name, "uid": f"uid-{namespace or ''}-{name}", "resourceVersion": "100",
            "creationTimestamp": "2026-11-20T08:00:00Z"}
    if namespace is not None:
        meta["namespace"] = namespace
    meta.update(extra)
    return meta


def namespaces() -> list[dict]:
    return [
        {"metadata": _meta(name, labels={"kubernetes.io/metadata.name": name, **extra}), "spec": {},
         "status": {"phase": "Active"}}
        for name, extra in (("default", {}), ("kube-system", {}), ("shop", {"team": "payments"}))
    ]


def node(index: int, *, labelled: bool = True, pool: str = "default-pool", cordoned: bool = False) -> dict:
    labels = {"cloud.google.com/gke-nodepool": pool, "node.kubernetes.io/instance-type": "e2-standard-4",
              "kubernetes.io/hostname": f"gke-shop-{pool}-{index}"}
    if labelled:
        labels["projectcalico.org/ds-ready"] = "true"
    spec: dict[str, Any] = {"podCIDR": f"10.64.{index}.0/24", "podCIDRs": [f"10.64.{index}.0/24"],
                            "providerID": f"gce://{PROJECT}/europe-west1-b/gke-shop-{index}"}
    if cordoned:
        spec["unschedulable"] = True
        spec["taints"] = [{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}]
    return {
        "metadata": _meta(f"gke-shop-{pool}-{index}", labels=labels),
        "spec": spec,
        "status": {
            "allocatable": {"cpu": "3920m", "memory": "13Gi", "pods": "110"},
            "capacity": {"cpu": "4", "memory": "16Gi"},
            "addresses": [{"type": "InternalIP", "address": f"10.132.0.{10 + index}"},
                          {"type": "Hostname", "address": f"gke-shop-{index}"}],
            "conditions": [{"type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory"},
                           {"type": "Ready", "status": "True", "reason": "KubeletReady",
                            "message": "kubelet is posting ready status"}],
            "nodeInfo": {"kubeletVersion": "v1.30.5-gke.1014001", "osImage": "Container-Optimized OS"},
        },
    }


def nodes() -> list[dict]:
    return [node(0), node(1), node(2, labelled=False, cordoned=True)]


def pod(name: str, namespace: str, labels: dict, *, ip: str, node_index: int = 0, port: int | None = 8080,
        owner: tuple[str, str] | None = None, phase: str = "Running", waiting: str | None = None,
        annotations: dict | None = None, host_network: bool = False) -> dict:
    container: dict[str, Any] = {"name": "app", "image": "example/app:1",
                                 "resources": {"requests": {"cpu": "250m", "memory": "128Mi"}}}
    if port:
        container["ports"] = [{"name": "http", "containerPort": port, "protocol": "TCP"}]
    meta = _meta(name, namespace, labels=labels)
    if annotations:
        meta["annotations"] = annotations
    if owner:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": owner[0], "name": owner[1],
                                    "uid": "owner", "controller": True}]
    status: dict[str, Any] = {"phase": phase, "hostIP": f"10.132.0.{10 + node_index}", "podIP": ip,
                              "podIPs": [{"ip": ip}]}
    if waiting:
        status["containerStatuses"] = [{"name": "app", "ready": False, "state": {"waiting": {"reason": waiting}}}]
    spec: dict[str, Any] = {"nodeName": f"gke-shop-default-pool-{node_index}", "containers": [container],
                            "terminationGracePeriodSeconds": 30}
    if host_network:
        spec["hostNetwork"] = True
    return {"metadata": meta, "spec": spec, "status": status}


def pods() -> list[dict]:
    return [
        pod("web-7d9f-abcde", "shop", {"app": "web", "pod-template-hash": "7d9f"}, ip="10.64.0.11",
            owner=("ReplicaSet", "web-7d9f")),
        pod("db-0", "shop", {"app": "db"}, ip="10.64.1.12", node_index=1, port=5432, owner=("StatefulSet", "db")),
        pod("cart-0", "shop", {"app": "cart"}, ip="10.64.1.13", node_index=1, phase="Pending",
            waiting="ContainerCreating", annotations={"cni.projectcalico.org/ipAddrs": "[\"10.64.1.99\"]"}),
        pod("kube-dns-abc", "kube-system", {"k8s-app": "kube-dns"}, ip="10.64.0.2", port=53,
            owner=("ReplicaSet", "kube-dns-abc")),
        pod("calico-node-x1", "kube-system", {"k8s-app": "calico-node"}, ip="10.132.0.10", port=None,
            owner=("DaemonSet", "calico-node"), host_network=True),
    ]


def policies() -> list[dict]:
    return [
        {"metadata": _meta("default-deny", "shop"),
         "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}},
        {"metadata": _meta("allow-web-to-db", "shop", labels={"owner": "payments"}),
         "spec": {"podSelector": {"matchLabels": {"app": "db"}},
                  "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}},
                                        {"namespaceSelector": {"matchExpressions": [
                                            {"key": "team", "operator": "In", "values": ["payments"]}]},
                                         "podSelector": {}}],
                               "ports": [{"protocol": "TCP", "port": 5432}]}]}},
        {"metadata": _meta("web-egress", "shop"),
         "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"],
                  "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.64.0.0/14"]}}],
                              "ports": [{"protocol": "TCP", "port": 443}, {"protocol": "TCP", "port": 8000,
                                                                             "endPort": 8100}]},
                             {"to": [{"namespaceSelector": {}, "podSelector": {"matchLabels":
                                                                                {"k8s-app": "kube-dns"}}}],
                              "ports": [{"protocol": "UDP", "port": 53}, {"port": "dns-tcp"}]}]}},
    ]


def services() -> list[dict]:
    return [
        {"metadata": _meta("web", "shop", annotations={"cloud.google.com/neg": "{\"ingress\": true}"}),
         "spec": {"type": "ClusterIP", "selector": {"app": "web"}, "clusterIP": "10.96.0.20",
                  "clusterIPs": ["10.96.0.20"], "ports": [{"name": "http", "port": 80, "targetPort": "http",
                                                           "protocol": "TCP"}]}},
        {"metadata": _meta("db", "shop"),
         "spec": {"type": "LoadBalancer", "selector": {"app": "db"}, "clusterIP": "10.96.0.21",
                  "externalTrafficPolicy": "Cluster",
                  "ports": [{"port": 5432, "targetPort": 5432, "nodePort": 31432, "protocol": "TCP"}]},
         "status": {"loadBalancer": {"ingress": [{"ip": "34.1.2.3"}]}}},
        {"metadata": _meta("kubernetes", "default"),
         "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.1", "ports": [{"name": "https", "port": 443,
                                                                            "targetPort": 443}]}},
    ]


def ingresses() -> list[dict]:
    return [{"metadata": _meta("shop", "shop"),
             "spec": {"ingressClassName": "gce",
                      "rules": [{"host": "shop.example.com", "http": {"paths": [
                          {"path": "/", "pathType": "Prefix",
                           "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}}]


def events() -> list[dict]:
    return [{"metadata": _meta("cart-0.17a", "shop"),
             "involvedObject": {"kind": "Pod", "name": "cart-0", "namespace": "shop"},
             "reason": "FailedCreatePodSandBox", "type": "Warning", "count": 4,
             "message": "plugin type=\"calico\" failed (add): ipAddrs is not compatible with configured IPAM: "
                        "host-local", "lastTimestamp": "2026-11-26T11:50:00Z"}]


def _template(labels: dict, **spec: Any) -> dict:
    return {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "app", "image": "x"}], **spec}}


def deployments() -> list[dict]:
    return [{"metadata": _meta("web", "shop"),
             "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}}, "template": _template({"app": "web"})},
             "status": {"replicas": 1}}]


def statefulsets() -> list[dict]:
    return [{"metadata": _meta("db", "shop"),
             "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "db"}}, "template": _template({"app": "db"})}}]


def daemonsets() -> list[dict]:
    return [{"metadata": _meta("calico-node", "kube-system", labels={"k8s-app": "calico-node",
                                                                     "addonmanager.kubernetes.io/mode": "Reconcile"}),
             "spec": {"selector": {"matchLabels": {"k8s-app": "calico-node"}},
                      "template": _template({"k8s-app": "calico-node"}, hostNetwork=True,
                                            nodeSelector={"projectcalico.org/ds-ready": "true"})},
             "status": {"desiredNumberScheduled": 2, "currentNumberScheduled": 2, "numberReady": 2}}]


def cluster_objects() -> dict[str, list[dict]]:
    """plural -> raw API list items."""
    return copy.deepcopy({
        "namespaces": namespaces(), "nodes": nodes(), "pods": pods(), "networkpolicies": policies(),
        "services": services(), "ingresses": ingresses(), "events": events(), "deployments": deployments(),
        "statefulsets": statefulsets(), "daemonsets": daemonsets(),
    })


def gke_cluster() -> dict:
    """The REST Cluster as the GKE API sends it (enum names, camelCase)."""
    return {
        "name": CLUSTER, "location": LOCATION, "zone": LOCATION, "selfLink": SELF_LINK, "status": "RUNNING",
        "currentMasterVersion": "1.30.5-gke.1014001", "currentNodeVersion": "1.30.5-gke.1014001",
        "endpoint": "34.77.1.2", "network": "default", "subnetwork": "default",
        "locations": ["europe-west1-b", "europe-west1-c", "europe-west1-d"],
        "addonsConfig": {"networkPolicyConfig": {}, "dnsCacheConfig": {"enabled": True}},
        "networkPolicy": {"provider": "CALICO", "enabled": True},
        "networkConfig": {"datapathProvider": "LEGACY_DATAPATH", "dnsConfig": {"clusterDns": "CLOUD_DNS"}},
        "ipAllocationPolicy": {"useIpAliases": True, "clusterIpv4CidrBlock": "10.64.0.0/14",
                               "servicesIpv4CidrBlock": "10.96.0.0/20"},
        "privateClusterConfig": {"enablePrivateNodes": True, "privateEndpoint": "172.16.0.2"},
        "workloadIdentityConfig": {"workloadPool": f"{PROJECT}.svc.id.goog"},
        "maintenancePolicy": {"window": {
            "dailyMaintenanceWindow": {"startTime": "03:00", "duration": "PT4H0M0S"},
            "maintenanceExclusions": {"black-friday": {"startTime": "2026-11-27T00:00:00Z",
                                                       "endTime": "2026-11-30T00:00:00Z",
                                                       "maintenanceExclusionOptions": {"scope": "NO_UPGRADES"}}}},
            "resourceVersion": "abc123"},
        "nodePools": [{"name": "default-pool", "version": "1.30.5-gke.1014001", "status": "RUNNING",
                       "initialNodeCount": 1, "locations": ["europe-west1-b"],
                       "config": {"machineType": "e2-standard-4", "diskSizeGb": 100,
                                  "workloadMetadataConfig": {"mode": "GKE_METADATA"}},
                       "autoscaling": {"enabled": True, "minNodeCount": 1, "maxNodeCount": 5}}],
    }


def _ago(hours: float, fraction: str = "") -> str:
    when = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=hours)
    return when.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def gke_operations() -> list[dict]:
    """Running and recent operations of this cluster, one of another cluster, one too old to keep."""
    prefix = f"https://container.googleapis.com/v1/projects/123456/zones/{LOCATION}"
    return [
        {"name": "operation-1", "zone": LOCATION, "operationType": "UPGRADE_NODES", "status": "RUNNING",
         "selfLink": f"{prefix}/operations/operation-1",
         "targetLink": f"{prefix}/clusters/{CLUSTER}/nodePools/default-pool",
         "startTime": _ago(1, ".123456789"),
         "progress": {"metrics": [{"name": "NODES_DONE", "intValue": "1"}, {"name": "NODES_TOTAL", "intValue": "3"}]}},
        {"name": "operation-0", "zone": LOCATION, "operationType": "UPDATE_CLUSTER", "status": "DONE",
         "targetLink": f"{prefix}/clusters/{CLUSTER}", "startTime": _ago(2),
         "endTime": _ago(1.9)},
        {"name": "operation-other", "zone": LOCATION, "operationType": "UPGRADE_NODES", "status": "RUNNING",
         "targetLink": f"{prefix}/clusters/another-cluster/nodePools/p", "startTime": _ago(1)},
        {"name": "operation-old", "zone": LOCATION, "operationType": "CREATE_CLUSTER", "status": "DONE",
         "targetLink": f"{prefix}/clusters/{CLUSTER}", "startTime": "2020-01-01T00:00:00Z",
         "endTime": "2020-01-01T00:10:00Z"},
    ]
