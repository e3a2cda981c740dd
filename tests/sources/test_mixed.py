"""A directory mixing real-shaped kubectl and gcloud outputs, read recursively in one go.

`tests/fixtures/mixed/` holds: a `kubectl get pods -o yaml` List, a single-object YAML, a
multi-document manifest file, `kubectl get networkpolicies -A -o json`, core/v1 and
events.k8s.io/v1 events, a raw API PodList whose items carry no `kind`, nodes, services,
ingresses, DaemonSets (two directories deep), `kubectl get all`-style output,
`gcloud container clusters describe` and `gcloud container operations list` (in gcloud/),
and a README that must be ignored.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from netpol_tui.model import Kind, Snapshot
from netpol_tui.model.snapshot import CRD_KINDS
from netpol_tui.sources.files import load_files

MIXED = Path(__file__).resolve().parents[1] / "fixtures" / "mixed"


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    return load_files([str(MIXED)])


def test_counts_of_every_kind(snapshot: Snapshot) -> None:
    assert snapshot.problems == ()
    assert snapshot.counts() == {
        "namespaces": 1, "pods": 4, "nodes": 2, "networkpolicies": 3, "services": 5, "ingresses": 1,
        "workloads": 6, "events": 4, "clusters": 1, "operations": 2,
    }
    assert snapshot.skipped_kinds == (("ConfigMap", 2), ("HorizontalPodAutoscaler", 1), ("ServiceAccount", 1))
    assert snapshot.loaded_kinds == frozenset(Kind) - CRD_KINDS


def test_every_file_contributed(snapshot: Snapshot) -> None:
    objects = [*snapshot.namespaces, *snapshot.pods, *snapshot.nodes, *snapshot.policies, *snapshot.services,
               *snapshot.ingresses, *snapshot.workloads, *snapshot.events, *snapshot.operations, snapshot.cluster]
    read = {Path(obj.origin.path).relative_to(MIXED).as_posix() for obj in objects}
    assert read == {
        "events-all.json", "events-k8s-io.yaml", "get-all-batch.yaml", "gcloud/cluster-describe.json",
        "gcloud/operations.json", "ingresses.json", "kube-system/daemonsets/daemonsets.yaml",
        "namespace-shop.yaml", "networkpolicies-all.json", "nodes.json", "pods-shop.yaml", "raw-api-podlist.json",
        "services-all.yaml", "shop-manifests.yaml",
    }


def test_workload_kinds(snapshot: Snapshot) -> None:
    assert sorted((w.kind, w.namespace, w.name) for w in snapshot.workloads) == [
        ("CronJob", "batch", "report"), ("DaemonSet", "kube-system", "calico-node"),
        ("DaemonSet", "kube-system", "ip-masq-agent"), ("Deployment", "shop", "web"),
        ("Job", "batch", "report-28862400"), ("ReplicaSet", "shop", "web-7d9f8b6c5d"),
    ]
    cron = next(w for w in snapshot.workloads if w.kind == "CronJob")
    assert cron.template_labels == {"app": "report"}
    calico = next(w for w in snapshot.workloads if w.name == "calico-node")
    assert calico.template_host_network and calico.template_node_selector["projectcalico.org/ds-ready"] == "true"
    assert calico.labels["addonmanager.kubernetes.io/mode"] == "Reconcile"


def test_raw_api_list_items_without_kind(snapshot: Snapshot) -> None:
    gateway = next(p for p in snapshot.pods if p.name == "payments-gateway-0")
    assert gateway.phase == "Pending" and gateway.waiting_reasons == ("ContainerCreating",)
    assert gateway.annotations == {"cni.projectcalico.org/ipAddrs": '["10.8.40.10"]'}
    assert (gateway.owner_kind, gateway.owner_name) == ("StatefulSet", "payments-gateway")
    assert gateway.cpu_request_millis == 100 and gateway.memory_request_bytes == 128 * 2**20
    report = next(p for p in snapshot.pods if p.namespace == "batch")
    assert report.phase == "Succeeded" and not report.is_live and report.ip == "10.8.10.7"


def test_pods_from_kubectl_yaml(snapshot: Snapshot) -> None:
    web = sorted((p for p in snapshot.pods if p.namespace == "shop"), key=lambda p: p.name)
    assert [p.name for p in web] == ["web-7d9f8b6c5d-q8j2m", "web-7d9f8b6c5d-x2k4p"]
    # The init container asks for more CPU than the app container: it sets the effective request.
    assert web[0].cpu_request_millis == 1000 and web[0].memory_request_bytes == 256 * 2**20
    assert web[1].cpu_request_millis == 250
    assert web[1].ports[0].name == "http" and web[1].ports[0].container_port == 8080
    assert web[1].host_ip == "10.132.0.10" and web[1].ip == "10.8.0.14"


def test_events_of_both_apis(snapshot: Snapshot) -> None:
    by_reason = {event.reason: event for event in snapshot.events}
    ipam = by_reason["FailedCreatePodSandBox"]
    assert (ipam.involved_kind, ipam.involved_namespace, ipam.involved_name) == ("Pod", "payments",
                                                                                "payments-gateway-0")
    assert ipam.count == 47 and ipam.type == "Warning" and "ipAddrs is not compatible" in ipam.message
    node = by_reason["NodeNotSchedulable"]
    assert node.involved_kind == "Node" and node.involved_namespace == ""
    probe = by_reason["Unhealthy"]  # events.k8s.io/v1: regarding, note, deprecatedCount
    assert (probe.involved_kind, probe.involved_name, probe.count) == ("Pod", "web-7d9f8b6c5d-q8j2m", 3)
    assert probe.message.startswith("Readiness probe failed") and probe.last_time == "2024-11-18T11:04:31Z"
    scaled = by_reason["ScalingReplicaSet"]  # series.count wins over everything else
    assert scaled.count == 5 and scaled.last_time == "2024-11-18T11:09:00.000000Z"


def test_services_and_ingress(snapshot: Snapshot) -> None:
    services = {s.key: s for s in snapshot.services}
    assert services[("frontend", "checkout")].type == "LoadBalancer"
    assert services[("frontend", "checkout")].ports[0].node_port == 31443
    assert services[("frontend", "checkout")].load_balancer_ips == ("34.76.1.20",)
    assert services[("frontend", "checkout")].external_traffic_policy == "Cluster"
    assert services[("data", "postgres")].cluster_ips == ()  # headless
    assert services[("default", "kubernetes")].selector is None
    assert services[("shop", "web")].ports[0].target_port == "http"
    (ingress,) = snapshot.ingresses
    assert [(b.service_name, b.service_port) for b in ingress.backends] == [
        ("storefront", 80), ("storefront", "http"), ("checkout", 443)]
    assert ingress.ingress_class == "gce"


def test_nodes(snapshot: Snapshot) -> None:
    nodes = {node.name: node for node in snapshot.nodes}
    labelled = nodes["gke-prod-default-pool-5a3b2c1d-k2x9"]
    assert labelled.calico_ready and labelled.machine_type == "e2-standard-4" and labelled.node_pool == "default-pool"
    assert labelled.allocatable_cpu_millis == 3920 and labelled.allocatable_memory_bytes == 13335480 * 1024
    assert labelled.internal_ip == "10.132.0.10" and labelled.pod_cidrs == ("10.8.0.0/24",)
    cordoned = nodes["gke-prod-highmem-pool-cfd3365e-m9cr"]
    assert cordoned.unschedulable and not cordoned.calico_ready and cordoned.status_text == "Ready,SchedulingDisabled"
    assert cordoned.machine_type == "n2-highmem-4"  # only the beta label
    assert cordoned.taints == (("node.kubernetes.io/unschedulable", "", "NoSchedule"),)


def test_gcloud_outputs(snapshot: Snapshot) -> None:
    cluster = snapshot.cluster
    assert (cluster.name, cluster.project, cluster.location) == ("prod", "acme-prod", "europe-west1")
    assert cluster.calico_enforcement and cluster.addon_enabled
    assert cluster.private_endpoint == "172.16.0.2" and cluster.any_private_endpoint == "172.16.0.2"
    assert [pool.name for pool in cluster.node_pools] == ["default-pool", "highmem-pool"]
    assert cluster.node_pools[0].autoscaling_enabled and cluster.node_pools[0].max_node_count == 3
    # Only the operations of the chosen cluster: the staging one is dropped.
    assert sorted(op.operation_type for op in snapshot.operations) == ["UPDATE_CLUSTER", "UPGRADE_NODES"]
    running = next(op for op in snapshot.operations if op.is_running)
    assert running.node_pool == "highmem-pool" and running.metric("NODES_DONE") == 2


def test_policies_from_json_and_manifests(snapshot: Snapshot) -> None:
    policies = {policy.key: policy for policy in snapshot.policies}
    assert set(policies) == {("shop", "allow-web-from-frontend"), ("payments", "allow-dns"),
                             ("shop", "default-deny-ingress")}
    dns = policies[("payments", "allow-dns")]
    assert dns.policy_types == ("Egress",) and [(p.protocol, p.port) for p in dns.egress[0].ports] == [
        ("UDP", 53), ("TCP", 53)]
    web = policies[("shop", "allow-web-from-frontend")]
    assert web.ingress[0].ports[0].port == "http"
    assert "kubectl.kubernetes.io/last-applied-configuration" in web.annotations
