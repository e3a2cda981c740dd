"""model.serialize is the inverse of model.parse: parse(serialize(x)) == x for parsed objects."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netpol_tui.model import parse
from netpol_tui.model.gke import (
    GkeCluster,
    GkeNodePool,
    GkeOperation,
    MaintenanceExclusion,
    MaintenancePolicy,
)
from netpol_tui.model.objects import (
    ContainerPort,
    Event,
    Ingress,
    IngressBackend,
    Namespace,
    Node,
    NodeCondition,
    Pod,
    Service,
    ServicePort,
    Workload,
)
from netpol_tui.model.policy import (
    IPBlock,
    LabelSelector,
    LabelSelectorRequirement,
    NetworkPolicy,
    PolicyPeer,
    PolicyPort,
    PolicyRule,
    SelectorOperator,
)
from netpol_tui.model.serialize import cpu_text, memory_text, to_k8s_dict
from netpol_tui.sources.files import load_files
from tests.live import data

ROOT = Path(__file__).resolve().parents[2]

# ------------------------------------------------------------------------ strategies

names = st.from_regex(r"[a-z][a-z0-9-]{0,14}", fullmatch=True)
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
labels = st.dictionaries(st.from_regex(r"[a-z]([a-z0-9./-]{0,10}[a-z0-9])?", fullmatch=True), texts, max_size=3)
timestamps = st.none() | st.just("2026-11-20T08:00:00Z")
ipv4 = st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t)))
ports = st.integers(1, 65535)
protocols = st.sampled_from(["TCP", "UDP", "SCTP"])
port_names = st.from_regex(r"[a-z][a-z0-9-]{0,13}[a-z]", fullmatch=True)
millis = st.integers(0, 64_000)
memory = st.integers(0, 2**40) | st.integers(0, 1024).map(lambda n: n * 2**20)


def _ports_of(container: str) -> st.SearchStrategy:
    return st.lists(st.builds(ContainerPort, ports, protocols, st.none() | port_names, st.just(container)),
                    max_size=2)


pods = st.builds(
    Pod, name=names, namespace=names, labels=labels, annotations=labels,
    phase=st.sampled_from(["Pending", "Running", "Succeeded", "Failed", "Unknown"]),
    node_name=st.none() | names, host_network=st.booleans(), pod_ips=st.lists(ipv4, max_size=2).map(tuple),
    host_ip=st.none() | ipv4,
    ports=st.tuples(_ports_of("app"), _ports_of("sidecar")).map(lambda pair: tuple(pair[0] + pair[1])),
    waiting_reasons=st.lists(st.sampled_from(["ContainerCreating", "CrashLoopBackOff"]), max_size=2).map(tuple),
    owner_kind=st.none() | st.sampled_from(["ReplicaSet", "StatefulSet"]), owner_name=st.none() | names,
    cpu_request_millis=millis, memory_request_bytes=memory,
    termination_grace_period_seconds=st.none() | st.integers(0, 3600),
    deletion_timestamp=timestamps, creation_timestamp=timestamps, uid=st.just("") | names,
).filter(lambda pod: (pod.owner_kind is None) == (pod.owner_name is None))

nodes = st.builds(
    Node, name=names, labels=labels, unschedulable=st.booleans(),
    conditions=st.lists(st.builds(NodeCondition, st.sampled_from(["Ready", "MemoryPressure"]),
                                  st.sampled_from(["True", "False", "Unknown"]), st.just("") | names,
                                  st.just("") | texts), max_size=2).map(tuple),
    allocatable_cpu_millis=st.none() | millis, allocatable_memory_bytes=st.none() | memory,
    internal_ip=st.none() | ipv4, external_ip=st.none() | ipv4,
    pod_cidrs=st.lists(ipv4.map(lambda ip: ip.rsplit(".", 1)[0] + ".0/24"), max_size=2).map(tuple),
    kubelet_version=st.none() | st.just("v1.30.5-gke.1014001"), creation_timestamp=timestamps,
    taints=st.lists(st.tuples(names, st.just("") | names, st.sampled_from(["NoSchedule", "NoExecute"])),
                    max_size=2).map(tuple),
)

selectors = st.builds(
    LabelSelector, match_labels=labels,
    match_expressions=st.lists(st.one_of(
        st.builds(LabelSelectorRequirement, names, st.sampled_from([SelectorOperator.IN, SelectorOperator.NOT_IN]),
                  st.lists(names, min_size=1, max_size=2).map(tuple)),
        st.builds(LabelSelectorRequirement, names,
                  st.sampled_from([SelectorOperator.EXISTS, SelectorOperator.DOES_NOT_EXIST]), st.just(()))),
        max_size=2).map(tuple),
)
peers = st.one_of(
    st.builds(PolicyPeer, pod_selector=selectors, namespace_selector=st.none() | selectors),
    st.builds(PolicyPeer, namespace_selector=selectors),
    st.builds(PolicyPeer, ip_block=st.sampled_from([IPBlock("0.0.0.0/0", ("10.64.0.0/14",)), IPBlock("10.0.0.0/8"),
                                                    IPBlock("2001:db8::/32", ("2001:db8:1::/48",))])),
)
policy_ports = st.one_of(
    st.builds(PolicyPort, protocols, st.none() | ports | port_names),
    st.builds(lambda p, n: PolicyPort("TCP", p, p + n), st.integers(1, 60000), st.integers(0, 5000)),
)
rules = st.builds(PolicyRule, st.lists(peers, max_size=2).map(tuple), st.lists(policy_ports, max_size=2).map(tuple))


@st.composite
def policies(draw: Any) -> NetworkPolicy:
    ingress = tuple(draw(st.lists(rules, max_size=2)))
    egress = tuple(draw(st.lists(rules, max_size=2)))
    written = draw(st.booleans())
    if written:
        types = tuple(draw(st.sampled_from([("Ingress",), ("Egress",), ("Ingress", "Egress"), ("Egress", "Ingress")])))
    else:
        types = ("Ingress", "Egress") if egress else ("Ingress",)
    return NetworkPolicy(draw(names), draw(names), draw(selectors), types, ingress, egress, written,
                         draw(labels), draw(labels), draw(st.just("") | names), draw(timestamps))


services = st.builds(
    Service, name=names, namespace=names, type=st.sampled_from(["ClusterIP", "NodePort", "LoadBalancer"]),
    selector=st.none() | labels.filter(bool),
    ports=st.lists(st.builds(ServicePort, ports, protocols, st.none() | port_names, ports | port_names,
                             st.none() | st.integers(30000, 32767)), max_size=2).map(tuple),
    external_traffic_policy=st.none() | st.sampled_from(["Cluster", "Local"]),
    cluster_ips=st.lists(ipv4, max_size=2).map(tuple), load_balancer_ips=st.lists(ipv4, max_size=2).map(tuple),
    labels=labels, annotations=labels,
)
backends = st.builds(IngressBackend, names, st.none() | ports | port_names)


@st.composite
def ingresses(draw: Any) -> Ingress:
    unique = draw(st.lists(backends, max_size=3, unique=True))
    if unique and draw(st.booleans()):
        unique = [unique[0], *unique]  # spec.defaultBackend and the legacy spec.backend may repeat
    annotations = draw(labels)
    ingress_class = draw(st.none() | names)
    if ingress_class is None:
        annotations.pop("kubernetes.io/ingress.class", None)
    return Ingress(draw(names), draw(names), tuple(unique), ingress_class, draw(labels), annotations)


workloads = st.builds(
    Workload, kind=st.sampled_from(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]),
    name=names, namespace=names, labels=labels, annotations=labels, selector=labels, template_labels=labels,
    template_annotations=labels, template_node_selector=labels, template_host_network=st.booleans(),
    replicas=st.none() | st.integers(0, 50), desired_scheduled=st.none() | st.integers(0, 50),
    current_scheduled=st.none() | st.integers(0, 50), number_ready=st.none() | st.integers(0, 50),
)
events = st.builds(Event, namespace=names, name=names, involved_kind=st.just("") | st.just("Pod"),
                   involved_name=st.just("") | names, involved_namespace=names, reason=st.just("") | names,
                   message=texts, type=st.sampled_from(["Normal", "Warning"]), count=st.integers(1, 100),
                   last_time=timestamps)
namespaces = st.builds(lambda name, extra, phase, created: Namespace(
    name, {**extra, "kubernetes.io/metadata.name": name}, phase, created), names, labels,
    st.sampled_from(["Active", "Terminating"]), timestamps)

pools = st.builds(GkeNodePool, names, st.none() | st.just("1.30.5-gke.1014001"), st.none() | st.just("RUNNING"),
                  st.none() | st.sampled_from(["e2-medium", "f1-micro"]), st.none() | st.integers(0, 10),
                  st.booleans(), st.none() | st.integers(0, 5), st.none() | st.integers(0, 50),
                  st.lists(names, max_size=2).map(tuple), st.none() | st.just("GKE_METADATA"))
maintenance = st.builds(
    MaintenancePolicy, st.none() | st.just("03:00"), st.none() | st.just("PT4H0M0S"),
    st.none() | st.just("2026-01-01T00:00:00Z"), st.none() | st.just("2026-01-01T04:00:00Z"),
    st.none() | st.just("FREQ=WEEKLY;BYDAY=SA"),
    st.lists(st.builds(MaintenanceExclusion, names, timestamps, timestamps,
                       st.none() | st.just("NO_UPGRADES")), max_size=2, unique_by=lambda e: e.name).map(tuple),
)


@st.composite
def clusters(draw: Any) -> GkeCluster:
    name = draw(names)
    project = draw(st.none() | names)
    self_link = f"https://container.googleapis.com/v1/projects/{project}/locations/x/clusters/{name}" \
        if project else None
    addon_present = draw(st.booleans())
    return GkeCluster(
        name=name, location=draw(st.none() | names), project=project, self_link=self_link,
        status=draw(st.none() | st.just("RUNNING")), autopilot=draw(st.booleans()),
        current_master_version=draw(st.none() | st.just("1.21.4-gke.1500")),
        current_node_version=draw(st.none() | st.just("1.21.4-gke.1500")),
        network_policy_enabled=draw(st.booleans()),
        network_policy_provider=draw(st.none() | st.sampled_from(["CALICO", "PROVIDER_UNSPECIFIED"])),
        network_policy_addon_present=addon_present, network_policy_addon_disabled=addon_present and draw(st.booleans()),
        datapath_provider=draw(st.none() | st.sampled_from(["LEGACY_DATAPATH", "ADVANCED_DATAPATH"])),
        enable_fqdn_network_policy=draw(st.booleans()), cluster_dns=draw(st.none() | st.just("CLOUD_DNS")),
        dns_cache_enabled=draw(st.booleans()), node_pools=tuple(draw(st.lists(pools, max_size=2))),
        locations=tuple(draw(st.lists(names, max_size=3))), maintenance_policy=draw(st.none() | maintenance),
        private_endpoint=draw(st.none() | ipv4), psc_private_endpoint=draw(st.none() | ipv4),
        public_endpoint=draw(st.none() | ipv4), workload_pool=draw(st.none() | st.just("p.svc.id.goog")),
        pod_ipv4_cidr=draw(st.none() | st.just("10.64.0.0/14")),
        services_ipv4_cidr=draw(st.none() | st.just("10.96.0.0/20")),
        network=draw(st.none() | names), subnetwork=draw(st.none() | names),
    )


operations = st.builds(
    GkeOperation, names, st.sampled_from(["UPGRADE_NODES", "UPDATE_CLUSTER", ""]),
    st.sampled_from(["RUNNING", "DONE", ""]),
    st.none() | names.map(lambda c: f"https://container.googleapis.com/v1/projects/p/zones/z/clusters/{c}"),
    timestamps, timestamps, st.none() | texts,
    st.lists(st.tuples(st.sampled_from(["NODES_DONE", "NODES_TOTAL"]), st.integers(0, 10_000)), max_size=2,
             unique_by=lambda m: m[0]).map(tuple),
    st.none() | names,
)

PARSERS = {
    Pod: parse.parse_pod, Node: parse.parse_node, NetworkPolicy: parse.parse_network_policy,
    Service: parse.parse_service, Ingress: parse.parse_ingress, Workload: parse.parse_workload,
    Event: parse.parse_event, Namespace: parse.parse_namespace, GkeCluster: parse.parse_cluster,
    GkeOperation: parse.parse_operation,
}
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def roundtrip(obj: Any) -> Any:
    return PARSERS[type(obj)](to_k8s_dict(obj))


STRATEGIES = {"pod": pods, "node": nodes, "policy": policies(), "service": services, "ingress": ingresses(),
              "workload": workloads, "event": events, "namespace": namespaces, "cluster": clusters(),
              "operation": operations}


@pytest.mark.parametrize("kind", sorted(STRATEGIES))
def test_parse_of_serialize_is_identity(kind: str) -> None:
    @FAST
    @given(STRATEGIES[kind])
    def check(obj: Any) -> None:
        assert roundtrip(obj) == obj

    check()


@FAST
@given(millis)
def test_cpu_text_reads_back_exactly(value: int) -> None:
    from netpol_tui.model.quantity import cpu_millis

    assert cpu_millis(cpu_text(value)) == value


@FAST
@given(memory)
def test_memory_text_reads_back_exactly(value: int) -> None:
    from netpol_tui.model.quantity import memory_bytes

    assert memory_bytes(memory_text(value)) == value


def test_quantities_are_written_the_way_kubectl_shows_them() -> None:
    assert (cpu_text(250), cpu_text(2000), memory_text(128 * 2**20), memory_text(13 * 2**30), memory_text(1000)) \
        == ("250m", "2", "128Mi", "13Gi", "1000")


def _without_origin(obj: Any) -> Any:
    return dataclasses.replace(obj, origin=None) if hasattr(obj, "origin") else obj


def test_real_api_objects_survive_a_round_trip() -> None:
    """The stand-in's API-shaped objects (owner refs, probes, status noise) parse the same after serializing."""
    objects = data.cluster_objects()
    kinds = {"namespaces": "Namespace", "nodes": "Node", "pods": "Pod", "networkpolicies": "NetworkPolicy",
             "services": "Service", "ingresses": "Ingress", "events": "Event", "deployments": "Deployment",
             "statefulsets": "StatefulSet", "daemonsets": "DaemonSet"}
    checked = 0
    for plural, kind in kinds.items():
        _, parser = parse.K8S_PARSERS[kind]
        for item in objects[plural]:
            first = parser({**item, "kind": kind})
            assert parser(to_k8s_dict(first)) == first, (plural, item["metadata"]["name"])
            checked += 1
    cluster = parse.parse_cluster(data.gke_cluster())
    assert parse.parse_cluster(to_k8s_dict(cluster)) == cluster
    for raw in data.gke_operations():
        operation = parse.parse_operation(raw)
        assert parse.parse_operation(to_k8s_dict(operation)) == operation
    assert checked == sum(len(objects[p]) for p in kinds)


def test_synthetic_cluster_survives_a_round_trip(tmp_path: Path) -> None:
    """Realistic 2-4 KB pods from benchmarks/synthetic.py: every object comes back equal."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import synthetic
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    synthetic.generate(tmp_path, pods=300, namespaces=12, policies=40, nodes=20, seed=3)
    snapshot = load_files([str(tmp_path)])
    assert snapshot.pods and snapshot.policies and snapshot.nodes and snapshot.cluster is not None
    for field_name in ("namespaces", "pods", "nodes", "policies", "services"):
        for obj in getattr(snapshot, field_name):
            assert roundtrip(obj) == _without_origin(obj), (field_name, obj.key)
    assert roundtrip(snapshot.cluster) == _without_origin(snapshot.cluster)


def test_yaml_view_shape_names_kind_and_api_version() -> None:
    pod = parse.parse_pod(data.pods()[0])
    document = to_k8s_dict(pod)
    assert (document["apiVersion"], document["kind"], document["metadata"]["name"]) == ("v1", "Pod", pod.name)
    policy = parse.parse_network_policy(data.policies()[1])
    assert to_k8s_dict(policy)["apiVersion"] == "networking.k8s.io/v1"
    with pytest.raises(TypeError):
        to_k8s_dict(object())
