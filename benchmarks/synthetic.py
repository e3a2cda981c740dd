"""Write a realistic synthetic GKE cluster as kubectl/gcloud-shaped JSON files.

Pods look like `kubectl get pods -A -o json` items (2-4 KB each: probes, env, volumes,
status), spread over Deployments and StatefulSets; namespaces get a few typical policies
(default deny, allow-from-app, allow-from-namespace, DNS egress, ipBlock egress).

    python benchmarks/synthetic.py OUT_DIR [--pods N] [--namespaces N] [--policies N] [--nodes N]
                                   [--ccnps N --fqdn-policies N]   # Dataplane V2 with those kinds
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import orjson

POD_CHUNK = 10_000
#: Part of the benchmarks' cache folder names: bump it when the generated data changes, so no
#: benchmark measures data left in /tmp by an older generator (v2: distinct StatefulSet pod names).
GENERATOR_VERSION = 2
APPS = ("web", "api", "worker", "cache", "db", "queue", "auth", "search", "billing", "report")
TEAMS = ("payments", "growth", "platform", "data", "identity", "ml")


def _namespace_name(index: int) -> str:
    return f"team-{TEAMS[index % len(TEAMS)]}-{index:04d}"


def _pod(rng: random.Random, index: int, namespace: str, app: str, node: str, ip: str,
         stateful: bool, ordinal: int) -> dict:
    suffix = f"{index:06x}"
    template_hash = f"{hash((namespace, app)) & 0xFFFFFFFF:08x}"[:10]
    name = f"{app}-{ordinal}" if stateful else f"{app}-{template_hash}-{suffix}"
    labels = {"app": app, "tier": "backend" if app in ("db", "cache", "queue") else "frontend",
              "version": f"v{rng.randint(1, 3)}", "team": namespace.split("-")[1]}
    if stateful:
        labels["statefulset.kubernetes.io/pod-name"] = name
    else:
        labels["pod-template-hash"] = template_hash
    port = 5432 if app == "db" else 6379 if app == "cache" else 8080
    container = {
        "name": app,
        "image": f"europe-docker.pkg.dev/example/{app}:{rng.randint(100, 999)}",
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": "http" if port == 8080 else app, "containerPort": port, "protocol": "TCP"},
                  {"name": "metrics", "containerPort": 9090, "protocol": "TCP"}],
        "env": [{"name": f"SETTING_{i}", "value": f"value-{rng.randint(0, 10**6)}"} for i in range(6)],
        "resources": {"requests": {"cpu": f"{rng.choice((50, 100, 250))}m", "memory": f"{rng.choice((64, 128, 256))}Mi"},
                      "limits": {"memory": "512Mi"}},
        "readinessProbe": {"httpGet": {"path": "/healthz", "port": port, "scheme": "HTTP"},
                           "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3},
        "livenessProbe": {"tcpSocket": {"port": port}, "periodSeconds": 20, "timeoutSeconds": 1,
                          "successThreshold": 1, "failureThreshold": 3},
        "volumeMounts": [{"name": "config", "mountPath": "/etc/app"},
                         {"name": "kube-api-access", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                          "readOnly": True}],
        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
    }
    owner_kind = "StatefulSet" if stateful else "ReplicaSet"
    owner_name = app if stateful else f"{app}-{template_hash}"
    started = "2026-11-20T08:00:00Z"
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": name, "namespace": namespace, "uid": f"00000000-0000-4000-8000-{index:012d}",
            "resourceVersion": str(1000 + index), "creationTimestamp": started,
            "generateName": f"{app}-", "labels": labels,
            "annotations": {"kubectl.kubernetes.io/restartedAt": started,
                            "cluster-autoscaler.kubernetes.io/safe-to-evict": "true"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": owner_kind, "name": owner_name,
                                 "uid": f"11111111-0000-4000-8000-{index % 10**6:012d}",
                                 "controller": True, "blockOwnerDeletion": True}],
        },
        "spec": {
            "containers": [container], "nodeName": node, "serviceAccountName": "default",
            "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
            "schedulerName": "default-scheduler", "securityContext": {"runAsNonRoot": True},
            "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
                             "tolerationSeconds": 300}],
            "volumes": [{"name": "config", "configMap": {"name": f"{app}-config", "defaultMode": 420}},
                        {"name": "kube-api-access", "projected": {"sources": [{"serviceAccountToken": {
                            "expirationSeconds": 3607, "path": "token"}}], "defaultMode": 420}}],
        },
        "status": {
            "phase": "Running", "hostIP": f"10.128.{(index // 250) % 250}.{index % 250 + 1}",
            "podIP": ip, "podIPs": [{"ip": ip}], "startTime": started, "qosClass": "Burstable",
            "conditions": [{"type": kind, "status": "True", "lastTransitionTime": started}
                           for kind in ("Initialized", "Ready", "ContainersReady", "PodScheduled")],
            "containerStatuses": [{"name": app, "ready": True, "restartCount": 0, "started": True,
                                   "image": container["image"], "imageID": f"sha256:{index:064x}",
                                   "containerID": f"containerd://{index:064x}",
                                   "state": {"running": {"startedAt": started}}}],
        },
    }


def _policies(namespace: str, count: int, apps: list[str]) -> list[dict]:
    templates = [
        {"podSelector": {}, "policyTypes": ["Ingress"]},
        {"podSelector": {"matchLabels": {"app": apps[0]}},
         "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": apps[-1]}}}],
                      "ports": [{"protocol": "TCP", "port": 8080}]}]},
        {"podSelector": {"matchLabels": {"tier": "backend"}},
         "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": "platform"}},
                                "podSelector": {"matchExpressions": [{"key": "app", "operator": "In",
                                                                      "values": ["web", "api"]}]}}],
                      "ports": [{"port": "http"}]}]},
        {"podSelector": {}, "policyTypes": ["Egress"],
         "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                             "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                     "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]},
                    {"to": [{"podSelector": {}}]}]},
        {"podSelector": {"matchLabels": {"app": apps[1 % len(apps)]}}, "policyTypes": ["Egress"],
         "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}],
                     "ports": [{"port": 443, "endPort": 8443}]}]},
    ]
    return [{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
             "metadata": {"name": f"policy-{index}", "namespace": namespace, "uid": f"{namespace}-{index}",
                          "creationTimestamp": "2026-11-01T00:00:00Z"},
             "spec": templates[index % len(templates)]} for index in range(count)]


#: Cluster-wide Cilium policies whose endpointSelector requires no label (every pod is a candidate).
CLUSTER_WIDE_CCNPS = 10


def _ccnp(index: int, namespace: str, apps: list[str]) -> dict:
    """One CiliumClusterwideNetworkPolicy of four kinds seen in practice: a namespace's SMTP egress
    deny, an app's ingress allow, a team's world egress on 443, a deny of a bad range; the first
    few select every pod (a lockdown of the metadata range)."""
    if index < CLUSTER_WIDE_CCNPS:
        spec = {"endpointSelector": {}, "enableDefaultDeny": {"egress": False, "ingress": False},
                "egressDeny": [{"toCIDR": [f"192.0.2.{index * 16}/28"]}]}
    elif index % 4 == 0:
        spec = {"endpointSelector": {"matchLabels": {"k8s:io.kubernetes.pod.namespace": namespace}},
                "enableDefaultDeny": {"egress": False},
                "egressDeny": [{"toCIDRSet": [{"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}],
                                "toPorts": [{"ports": [{"port": "25", "protocol": "TCP"}]}]}]}
    elif index % 4 == 1:
        spec = {"endpointSelector": {"matchLabels": {"k8s:io.kubernetes.pod.namespace": namespace,
                                                     "app": apps[0]}},
                "ingress": [{"fromEndpoints": [{"matchLabels": {"app": apps[-1]}}],
                             "toPorts": [{"ports": [{"port": "8080", "protocol": "TCP"},
                                                    {"port": "9000", "endPort": 9100, "protocol": "TCP"}]}]},
                            {"fromEntities": ["cluster"], "toPorts": [{"ports": [{"port": "metrics"}]}]}]}
    elif index % 4 == 2:
        spec = {"endpointSelector": {"matchLabels": {"app": apps[1 % len(apps)], "team": namespace.split("-")[1]}},
                "egress": [{"toEntities": ["world"], "toPorts": [{"ports": [{"port": "443", "protocol": "TCP"}]}]},
                           {"toEndpoints": [{"matchLabels": {"k8s:io.kubernetes.pod.namespace": "kube-system",
                                                             "k8s-app": "kube-dns"}}],
                            "toPorts": [{"ports": [{"port": "53", "protocol": "ANY"}]}]}]}
    else:
        spec = {"endpointSelector": {"matchLabels": {"k8s:io.kubernetes.pod.namespace": namespace}},
                "enableDefaultDeny": {"ingress": False},
                "ingressDeny": [{"fromCIDRSet": [{"cidr": "198.51.100.0/24", "except": ["198.51.100.0/28"]}]}]}
    return {"apiVersion": "cilium.io/v2", "kind": "CiliumClusterwideNetworkPolicy",
            "metadata": {"name": f"ccnp-{index:04d}", "uid": f"ccnp-{index}"}, "spec": spec}


def _fqdn_policy(index: int, namespace: str, apps: list[str]) -> dict:
    team = namespace.split("-")[1]
    return {"apiVersion": "networking.gke.io/v1alpha1", "kind": "FQDNNetworkPolicy",
            "metadata": {"name": f"fqdn-{index:04d}", "namespace": namespace, "uid": f"fqdn-{index}"},
            "spec": {"podSelector": {"matchLabels": {"app": apps[index % len(apps)]}},
                     "egress": [{"matches": [{"name": f"api.{team}.example"}, {"pattern": "*.googleapis.com"}],
                                 "ports": [{"protocol": "TCP", "port": 443}]},
                                {"matches": [{"pattern": f"*.{team}.example"}]}]}}


def _node(index: int, pool: str) -> dict:
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": f"gke-synthetic-{pool}-{index:05d}", "creationTimestamp": "2026-11-10T00:00:00Z",
                     "labels": {"cloud.google.com/gke-nodepool": pool,
                                "node.kubernetes.io/instance-type": "e2-standard-8",
                                "projectcalico.org/ds-ready": "true",
                                "kubernetes.io/hostname": f"gke-synthetic-{pool}-{index:05d}",
                                "topology.kubernetes.io/zone": "europe-west1-b"}},
        "spec": {"podCIDR": f"10.{64 + index // 256}.{index % 256}.0/24",
                 "providerID": f"gce://example/europe-west1-b/gke-synthetic-{pool}-{index:05d}"},
        "status": {"allocatable": {"cpu": "7910m", "memory": "29207344Ki", "pods": "110"},
                   "capacity": {"cpu": "8", "memory": "32880432Ki", "pods": "110"},
                   "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
                   "addresses": [{"type": "InternalIP", "address": f"10.128.{index // 250}.{index % 250 + 1}"}],
                   "nodeInfo": {"kubeletVersion": "v1.30.5-gke.1014001"}},
    }


def _write(path: Path, kind: str, items: list[dict]) -> None:
    path.write_bytes(orjson.dumps({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
                                   "items": items}) if kind == "List" else orjson.dumps(
        {"apiVersion": "v1", "kind": kind, "metadata": {"resourceVersion": "1"}, "items": items}))


def generate(out_dir: str | Path, pods: int = 100_000, namespaces: int = 2_000, policies: int = 10_000,
             nodes: int = 5_000, seed: int = 0, ccnps: int = 0, fqdn_policies: int = 0) -> Path:
    """Write the cluster into out_dir (created); returns the directory. With `ccnps` or
    `fqdn_policies` the cluster is Dataplane V2 and gets that many CiliumClusterwideNetworkPolicies
    and FQDNNetworkPolicies (one per namespace, in namespace order)."""
    rng = random.Random(seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = [_namespace_name(i) for i in range(namespaces)]
    _write(out / "namespaces.json", "NamespaceList", [
        {"apiVersion": "v1", "kind": "Namespace",
         "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name, "team": name.split("-")[1]}},
         "status": {"phase": "Active"}} for name in names])
    pools = ("default-pool", "highmem-pool", "batch-pool")
    node_names = []
    node_items = []
    for index in range(nodes):
        item = _node(index, pools[index % len(pools)])
        node_items.append(item)
        node_names.append(item["metadata"]["name"])
    _write(out / "nodes.json", "NodeList", node_items)
    apps_by_namespace = {name: rng.sample(APPS, k=rng.randint(3, 6)) for name in names}
    chunk: list[dict] = []
    part = 0
    for index in range(pods):
        namespace = names[index % namespaces]
        apps = apps_by_namespace[namespace]
        app = apps[(index // namespaces) % len(apps)]
        ip = f"10.{64 + (index >> 16) % 64}.{(index >> 8) & 255}.{index & 255}"
        chunk.append(_pod(rng, index, namespace, app, node_names[index % nodes], ip, stateful=app == "db",
                          ordinal=index // namespaces))
        if len(chunk) == POD_CHUNK:
            _write(out / f"pods-{part:03d}.json", "PodList", chunk)
            chunk, part = [], part + 1
    if chunk:
        _write(out / f"pods-{part:03d}.json", "PodList", chunk)
    per_namespace = max(1, policies // namespaces)
    policy_items: list[dict] = []
    for name in names:
        if len(policy_items) >= policies:
            break
        policy_items.extend(_policies(name, min(per_namespace, policies - len(policy_items)), apps_by_namespace[name]))
    _write(out / "networkpolicies.json", "NetworkPolicyList", policy_items)
    services = [{"apiVersion": "v1", "kind": "Service",
                 "metadata": {"name": app, "namespace": name},
                 "spec": {"type": "ClusterIP", "selector": {"app": app}, "clusterIP": f"10.96.{i // 250}.{i % 250}",
                          "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]}}
                for i, (name, app) in enumerate((n, a) for n in names for a in apps_by_namespace[n][:2])]
    _write(out / "services.json", "ServiceList", services)
    gke_kinds = bool(ccnps or fqdn_policies)
    if gke_kinds:
        _write(out / "ciliumpolicies.json", "CiliumClusterwideNetworkPolicyList",
               [_ccnp(i, names[i % namespaces], apps_by_namespace[names[i % namespaces]]) for i in range(ccnps)])
        _write(out / "fqdnnetworkpolicies.json", "FQDNNetworkPolicyList",
               [_fqdn_policy(i, names[i % namespaces], apps_by_namespace[names[i % namespaces]])
                for i in range(fqdn_policies)])
    dataplane = ({"addonsConfig": {}, "networkConfig": {"datapathProvider": "ADVANCED_DATAPATH",
                                                        "enableFqdnNetworkPolicy": True}} if gke_kinds else
                 {"addonsConfig": {"networkPolicyConfig": {}}, "networkPolicy": {"enabled": True, "provider": "CALICO"},
                  "networkConfig": {"datapathProvider": "LEGACY_DATAPATH"}})
    (out / "cluster.json").write_bytes(orjson.dumps({
        "name": "synthetic", "location": "europe-west1", "currentMasterVersion": "1.30.5-gke.1014001",
        "selfLink": "https://container.googleapis.com/v1/projects/example/locations/europe-west1/clusters/synthetic",
        **dataplane,
        "ipAllocationPolicy": {"clusterIpv4CidrBlock": "10.64.0.0/10", "servicesIpv4CidrBlock": "10.96.0.0/16"},
        "locations": ["europe-west1-b", "europe-west1-c", "europe-west1-d"],
        "nodePools": [{"name": pool, "version": "1.30.5-gke.1014001", "status": "RUNNING",
                       "config": {"machineType": "e2-standard-8"}, "initialNodeCount": nodes // 9}
                      for pool in pools],
    }, option=orjson.OPT_INDENT_2))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--pods", type=int, default=100_000)
    parser.add_argument("--namespaces", type=int, default=2_000)
    parser.add_argument("--policies", type=int, default=10_000)
    parser.add_argument("--nodes", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ccnps", type=int, default=0, help="CiliumClusterwideNetworkPolicies (Dataplane V2)")
    parser.add_argument("--fqdn-policies", type=int, default=0, help="FQDNNetworkPolicies (Dataplane V2)")
    args = parser.parse_args(argv)
    generate(args.out, args.pods, args.namespaces, args.policies, args.nodes, args.seed, args.ccnps,
             args.fqdn_policies)
    return 0


if __name__ == "__main__":
    sys.exit(main())
