"""Model objects back to kubectl/gcloud-shaped dicts: the exact inverse of `model.parse`.

`snapshot save` writes these so that `--files DIR` reads back an equal Snapshot, and the
console's YAML view shows them. Only the fields the parsers read are written (the model keeps
nothing else), so for every object a parser produced, `parse(serialize(obj)) == obj` holds
(apart from `origin`). Where the model holds a derived value the output says so in the shape
the parser accepts: a pod's effective resource requests are written on one container, and its
waiting reasons as container statuses without container names.
"""

from __future__ import annotations

from typing import Any

from netpol_tui.model.gke import GkeCluster, GkeNodePool, GkeOperation, MaintenancePolicy
from netpol_tui.model.gke_logging import NetworkLogging
from netpol_tui.model.gke_policy import CiliumPolicy, FqdnNetworkPolicy
from netpol_tui.model.objects import (
    Event,
    Ingress,
    IngressBackend,
    Namespace,
    Node,
    Pod,
    Service,
    Workload,
)
from netpol_tui.model.policy import (
    IPBlock,
    LabelSelector,
    NetworkPolicy,
    PolicyPeer,
    PolicyPort,
    PolicyRule,
)

#: Kubernetes kind -> apiVersion written for it.
API_VERSIONS = {
    "Namespace": "v1", "Pod": "v1", "Node": "v1", "Service": "v1", "Event": "v1",
    "NetworkPolicy": "networking.k8s.io/v1", "Ingress": "networking.k8s.io/v1",
    "Deployment": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1", "ReplicaSet": "apps/v1",
    "Job": "batch/v1", "CronJob": "batch/v1",
    "FQDNNetworkPolicy": "networking.gke.io/v1alpha1", "CiliumNetworkPolicy": "cilium.io/v2",
    "CiliumClusterwideNetworkPolicy": "cilium.io/v2", "NetworkLogging": "networking.gke.io/v1alpha1",
}

_BINARY_UNITS = (("Ei", 2**60), ("Pi", 2**50), ("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10))


# ---------------------------------------------------------------------------- helpers


def _metadata(name: str, namespace: str | None = None, *, labels: dict[str, str] | None = None,
              annotations: dict[str, str] | None = None, uid: str = "",
              creation_timestamp: str | None = None, **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    if uid:
        meta["uid"] = uid
    if creation_timestamp is not None:
        meta["creationTimestamp"] = creation_timestamp
    if labels:
        meta["labels"] = dict(labels)
    if annotations:
        meta["annotations"] = dict(annotations)
    meta.update({key: value for key, value in extra.items() if value is not None})
    return meta


def _object(kind: str, metadata: dict[str, Any], **fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"apiVersion": API_VERSIONS.get(kind, "apps/v1"), "kind": kind, "metadata": metadata}
    out.update({key: value for key, value in fields.items() if value})
    return out


def cpu_text(millis: int) -> str:
    """Millicores as a quantity the parser reads back exactly ("2", "250m")."""
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}m"


def memory_text(count: int) -> str:
    """Bytes as an exact binary quantity when one fits ("128Mi"), else plain bytes."""
    for unit, size in _BINARY_UNITS:
        if count and count % size == 0:
            return f"{count // size}{unit}"
    return str(count)


def _port_value(port: int | str | None) -> dict[str, Any]:
    if port is None:
        return {}
    return {"number": port} if isinstance(port, int) else {"name": port}


# ----------------------------------------------------------------------- core kinds


def namespace_to_dict(namespace: Namespace) -> dict[str, Any]:
    meta = _metadata(namespace.name, labels=namespace.labels, creation_timestamp=namespace.creation_timestamp)
    return _object("Namespace", meta, spec={}, status={"phase": namespace.phase})


def pod_to_dict(pod: Pod) -> dict[str, Any]:
    owners = None
    if pod.owner_kind is not None or pod.owner_name is not None:
        owner: dict[str, Any] = {"controller": True}
        if pod.owner_kind is not None:
            owner["kind"] = pod.owner_kind
        if pod.owner_name is not None:
            owner["name"] = pod.owner_name
        owners = [owner]
    meta = _metadata(pod.name, pod.namespace, labels=pod.labels, annotations=pod.annotations, uid=pod.uid,
                     creation_timestamp=pod.creation_timestamp, deletionTimestamp=pod.deletion_timestamp,
                     ownerReferences=owners)
    containers: list[dict[str, Any]] = []
    for port in pod.ports:
        if not containers or containers[-1]["name"] != port.container:
            containers.append({"name": port.container, "ports": []})
        entry: dict[str, Any] = {"containerPort": port.container_port, "protocol": port.protocol}
        if port.name is not None:
            entry["name"] = port.name
        containers[-1]["ports"].append(entry)
    requests: dict[str, str] = {}
    if pod.cpu_request_millis:
        requests["cpu"] = cpu_text(pod.cpu_request_millis)
    if pod.memory_request_bytes:
        requests["memory"] = memory_text(pod.memory_request_bytes)
    if requests:
        if not containers:
            containers.append({"name": ""})
        # The model keeps the effective request of the whole pod; one container carries it.
        containers[0]["resources"] = {"requests": requests}
    spec: dict[str, Any] = {}
    if pod.node_name is not None:
        spec["nodeName"] = pod.node_name
    if pod.host_network:
        spec["hostNetwork"] = True
    if pod.termination_grace_period_seconds is not None:
        spec["terminationGracePeriodSeconds"] = pod.termination_grace_period_seconds
    if containers:
        spec["containers"] = containers
    status: dict[str, Any] = {"phase": pod.phase}
    if pod.host_ip is not None:
        status["hostIP"] = pod.host_ip
    if pod.pod_ips:
        status["podIP"] = pod.pod_ips[0]
        status["podIPs"] = [{"ip": ip} for ip in pod.pod_ips]
    if pod.waiting_reasons:
        status["containerStatuses"] = [{"name": "", "state": {"waiting": {"reason": reason}}}
                                       for reason in pod.waiting_reasons]
    return _object("Pod", meta, spec=spec, status=status)


def node_to_dict(node: Node) -> dict[str, Any]:
    meta = _metadata(node.name, labels=node.labels, creation_timestamp=node.creation_timestamp)
    spec: dict[str, Any] = {}
    if node.pod_cidrs:
        spec["podCIDR"] = node.pod_cidrs[0]
        spec["podCIDRs"] = list(node.pod_cidrs)
    if node.unschedulable:
        spec["unschedulable"] = True
    if node.taints:
        spec["taints"] = [{"key": key, **({"value": value} if value else {}), "effect": effect}
                          for key, value, effect in node.taints]
    status: dict[str, Any] = {}
    allocatable: dict[str, str] = {}
    if node.allocatable_cpu_millis is not None:
        allocatable["cpu"] = cpu_text(node.allocatable_cpu_millis)
    if node.allocatable_memory_bytes is not None:
        allocatable["memory"] = memory_text(node.allocatable_memory_bytes)
    if allocatable:
        status["allocatable"] = allocatable
    addresses = []
    if node.internal_ip is not None:
        addresses.append({"type": "InternalIP", "address": node.internal_ip})
    if node.external_ip is not None:
        addresses.append({"type": "ExternalIP", "address": node.external_ip})
    if addresses:
        status["addresses"] = addresses
    if node.conditions:
        status["conditions"] = [
            {"type": c.type, "status": c.status, **({"reason": c.reason} if c.reason else {}),
             **({"message": c.message} if c.message else {})}
            for c in node.conditions
        ]
    if node.kubelet_version is not None:
        status["nodeInfo"] = {"kubeletVersion": node.kubelet_version}
    return _object("Node", meta, spec=spec, status=status)


def service_to_dict(service: Service) -> dict[str, Any]:
    meta = _metadata(service.name, service.namespace, labels=service.labels, annotations=service.annotations)
    spec: dict[str, Any] = {"type": service.type}
    if service.selector:
        spec["selector"] = dict(service.selector)
    if service.cluster_ips:
        spec["clusterIP"] = service.cluster_ips[0]
        spec["clusterIPs"] = list(service.cluster_ips)
    if service.ports:
        ports = []
        for port in service.ports:
            entry: dict[str, Any] = {"port": port.port, "protocol": port.protocol}
            if port.name is not None:
                entry["name"] = port.name
            if port.target_port is not None:
                entry["targetPort"] = port.target_port
            if port.node_port is not None:
                entry["nodePort"] = port.node_port
            ports.append(entry)
        spec["ports"] = ports
    if service.external_traffic_policy is not None:
        spec["externalTrafficPolicy"] = service.external_traffic_policy
    status = {"loadBalancer": {"ingress": [{"ip": ip} for ip in service.load_balancer_ips]}} \
        if service.load_balancer_ips else None
    return _object("Service", meta, spec=spec, status=status)


def _backend(backend: IngressBackend) -> dict[str, Any]:
    service: dict[str, Any] = {"name": backend.service_name}
    if backend.service_port is not None:
        service["port"] = _port_value(backend.service_port)
    return {"service": service}


def ingress_to_dict(ingress: Ingress) -> dict[str, Any]:
    meta = _metadata(ingress.name, ingress.namespace, labels=ingress.labels, annotations=ingress.annotations)
    spec: dict[str, Any] = {}
    if ingress.ingress_class is not None:
        spec["ingressClassName"] = ingress.ingress_class
    backends = list(ingress.backends)
    # Only spec.defaultBackend plus the legacy spec.backend can repeat a backend; rule paths are
    # de-duplicated by the parser, so a leading duplicate pair is written in those two fields.
    if len(backends) >= 2 and backends[0] == backends[1]:
        spec["defaultBackend"] = _backend(backends[0])
        legacy: dict[str, Any] = {"serviceName": backends[1].service_name}
        if backends[1].service_port is not None:
            legacy["servicePort"] = backends[1].service_port
        spec["backend"] = legacy
        backends = backends[2:]
    if backends:
        spec["rules"] = [{"http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": _backend(b)}
                                             for b in backends]}}]
    return _object("Ingress", meta, spec=spec)


def workload_to_dict(workload: Workload) -> dict[str, Any]:
    meta = _metadata(workload.name, workload.namespace, labels=workload.labels, annotations=workload.annotations)
    template_meta: dict[str, Any] = {}
    if workload.template_labels:
        template_meta["labels"] = dict(workload.template_labels)
    if workload.template_annotations:
        template_meta["annotations"] = dict(workload.template_annotations)
    template_spec: dict[str, Any] = {}
    if workload.template_node_selector:
        template_spec["nodeSelector"] = dict(workload.template_node_selector)
    if workload.template_host_network:
        template_spec["hostNetwork"] = True
    spec: dict[str, Any] = {}
    if workload.replicas is not None:
        spec["replicas"] = workload.replicas
    if workload.selector:
        spec["selector"] = {"matchLabels": dict(workload.selector)}
    spec["template"] = {"metadata": template_meta, "spec": template_spec}
    if workload.kind == "CronJob":
        spec = {"jobTemplate": {"spec": spec}}
    status: dict[str, Any] = {}
    for key, value in (("desiredNumberScheduled", workload.desired_scheduled),
                       ("currentNumberScheduled", workload.current_scheduled),
                       ("numberReady", workload.number_ready)):
        if value is not None:
            status[key] = value
    return _object(workload.kind, meta, spec=spec, status=status)


def event_to_dict(event: Event) -> dict[str, Any]:
    meta = _metadata(event.name, event.namespace)
    involved = {"kind": event.involved_kind, "name": event.involved_name, "namespace": event.involved_namespace}
    out = _object("Event", meta, involvedObject=involved)
    out.update({"reason": event.reason, "message": event.message, "type": event.type, "count": event.count})
    if event.last_time is not None:
        out["lastTimestamp"] = event.last_time
    return out


# --------------------------------------------------------------------- NetworkPolicy


def selector_to_dict(selector: LabelSelector) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if selector.match_labels:
        out["matchLabels"] = dict(selector.match_labels)
    if selector.match_expressions:
        out["matchExpressions"] = [
            {"key": e.key, "operator": str(e.operator), **({"values": list(e.values)} if e.values else {})}
            for e in selector.match_expressions
        ]
    return out


def ip_block_to_dict(block: IPBlock) -> dict[str, Any]:
    return {"cidr": block.cidr, **({"except": list(block.excepts)} if block.excepts else {})}


def peer_to_dict(peer: PolicyPeer) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if peer.pod_selector is not None:
        out["podSelector"] = selector_to_dict(peer.pod_selector)
    if peer.namespace_selector is not None:
        out["namespaceSelector"] = selector_to_dict(peer.namespace_selector)
    if peer.ip_block is not None:
        out["ipBlock"] = ip_block_to_dict(peer.ip_block)
    return out


def policy_port_to_dict(port: PolicyPort) -> dict[str, Any]:
    out: dict[str, Any] = {"protocol": port.protocol}
    if port.port is not None:
        out["port"] = port.port
    if port.end_port is not None:
        out["endPort"] = port.end_port
    return out


def rule_to_dict(rule: PolicyRule, peer_key: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if rule.peers:
        out[peer_key] = [peer_to_dict(peer) for peer in rule.peers]
    if rule.ports:
        out["ports"] = [policy_port_to_dict(port) for port in rule.ports]
    return out


def network_policy_to_dict(policy: NetworkPolicy) -> dict[str, Any]:
    meta = _metadata(policy.name, policy.namespace, labels=policy.labels, annotations=policy.annotations,
                     uid=policy.uid, creation_timestamp=policy.creation_timestamp)
    spec: dict[str, Any] = {"podSelector": selector_to_dict(policy.pod_selector)}
    if policy.ingress:
        spec["ingress"] = [rule_to_dict(rule, "from") for rule in policy.ingress]
    if policy.egress:
        spec["egress"] = [rule_to_dict(rule, "to") for rule in policy.egress]
    if policy.policy_types_written:
        spec["policyTypes"] = list(policy.policy_types)
    return {"apiVersion": API_VERSIONS["NetworkPolicy"], "kind": "NetworkPolicy", "metadata": meta, "spec": spec}


# ----------------------------------------------------------------------------- GKE


def _node_pool(pool: GkeNodePool) -> dict[str, Any]:
    out: dict[str, Any] = {"name": pool.name}
    config: dict[str, Any] = {}
    if pool.machine_type is not None:
        config["machineType"] = pool.machine_type
    if pool.workload_metadata_mode is not None:
        config["workloadMetadataConfig"] = {"mode": pool.workload_metadata_mode}
    if config:
        out["config"] = config
    if pool.initial_node_count is not None:
        out["initialNodeCount"] = pool.initial_node_count
    scaling: dict[str, Any] = {}
    if pool.autoscaling_enabled:
        scaling["enabled"] = True
    if pool.min_node_count is not None:
        scaling["minNodeCount"] = pool.min_node_count
    if pool.max_node_count is not None:
        scaling["maxNodeCount"] = pool.max_node_count
    if scaling:
        out["autoscaling"] = scaling
    if pool.locations:
        out["locations"] = list(pool.locations)
    if pool.version is not None:
        out["version"] = pool.version
    if pool.status is not None:
        out["status"] = pool.status
    return out


def _maintenance(policy: MaintenancePolicy) -> dict[str, Any]:
    window: dict[str, Any] = {}
    if policy.daily_start_time is not None or policy.daily_duration is not None:
        daily = {"startTime": policy.daily_start_time, "duration": policy.daily_duration}
        window["dailyMaintenanceWindow"] = {k: v for k, v in daily.items() if v is not None}
    if policy.recurring_start_time is not None or policy.recurring_end_time is not None \
            or policy.recurrence is not None:
        recurring: dict[str, Any] = {}
        inner = {"startTime": policy.recurring_start_time, "endTime": policy.recurring_end_time}
        inner = {k: v for k, v in inner.items() if v is not None}
        if inner:
            recurring["window"] = inner
        if policy.recurrence is not None:
            recurring["recurrence"] = policy.recurrence
        window["recurringWindow"] = recurring
    if policy.exclusions:
        exclusions = {}
        for exclusion in policy.exclusions:
            entry: dict[str, Any] = {}
            if exclusion.start_time is not None:
                entry["startTime"] = exclusion.start_time
            if exclusion.end_time is not None:
                entry["endTime"] = exclusion.end_time
            if exclusion.scope is not None:
                entry["maintenanceExclusionOptions"] = {"scope": exclusion.scope}
            exclusions[exclusion.name] = entry
        window["maintenanceExclusions"] = exclusions
    return {"window": window} if window else {}


def cluster_to_dict(cluster: GkeCluster) -> dict[str, Any]:
    """`gcloud container clusters describe --format=json` shape (REST Cluster, camelCase)."""
    out: dict[str, Any] = {"name": cluster.name}
    simple = (("location", cluster.location), ("selfLink", cluster.self_link), ("status", cluster.status),
              ("currentMasterVersion", cluster.current_master_version),
              ("currentNodeVersion", cluster.current_node_version), ("endpoint", cluster.public_endpoint),
              ("network", cluster.network), ("subnetwork", cluster.subnetwork))
    out.update({key: value for key, value in simple if value is not None})
    if cluster.locations:
        out["locations"] = list(cluster.locations)
    if cluster.autopilot:
        out["autopilot"] = {"enabled": True}
    addons: dict[str, Any] = {}
    if cluster.network_policy_addon_present:
        addons["networkPolicyConfig"] = {"disabled": True} if cluster.network_policy_addon_disabled else {}
    if cluster.dns_cache_enabled:
        addons["dnsCacheConfig"] = {"enabled": True}
    # Written even when empty: a missing addonsConfig, networkPolicy or networkConfig reads back as
    # "not known", which is not what an empty one says.
    if addons or cluster.addons_config_present:
        out["addonsConfig"] = addons
    policy: dict[str, Any] = {}
    if cluster.network_policy_provider is not None:
        policy["provider"] = cluster.network_policy_provider
    if cluster.network_policy_enabled:
        policy["enabled"] = True
    if policy or cluster.network_policy_enabled is False:
        out["networkPolicy"] = policy
    network: dict[str, Any] = {}
    if cluster.datapath_provider is not None:
        network["datapathProvider"] = cluster.datapath_provider
    if cluster.enable_fqdn_network_policy:
        network["enableFqdnNetworkPolicy"] = True
    if cluster.cluster_dns is not None:
        network["dnsConfig"] = {"clusterDns": cluster.cluster_dns}
    if network or cluster.network_config_present:
        out["networkConfig"] = network
    allocation: dict[str, Any] = {}
    if cluster.pod_ipv4_cidr is not None:
        allocation["clusterIpv4CidrBlock"] = cluster.pod_ipv4_cidr
    if cluster.services_ipv4_cidr is not None:
        allocation["servicesIpv4CidrBlock"] = cluster.services_ipv4_cidr
    if allocation:
        out["ipAllocationPolicy"] = allocation
    if cluster.private_endpoint is not None:
        out["privateClusterConfig"] = {"privateEndpoint": cluster.private_endpoint}
    if cluster.psc_private_endpoint is not None:
        out["controlPlaneEndpointsConfig"] = {"ipEndpointsConfig": {"privateEndpoint": cluster.psc_private_endpoint}}
    if cluster.workload_pool is not None:
        out["workloadIdentityConfig"] = {"workloadPool": cluster.workload_pool}
    if cluster.maintenance_policy is not None:
        out["maintenancePolicy"] = _maintenance(cluster.maintenance_policy)
    # Always present: it is also what tells a bare describe document from other JSON.
    out["nodePools"] = [_node_pool(pool) for pool in cluster.node_pools]
    return out


def operation_to_dict(operation: GkeOperation) -> dict[str, Any]:
    """One REST Operation (as in `gcloud container operations list --format=json`)."""
    out: dict[str, Any] = {"name": operation.name, "operationType": operation.operation_type,
                           "status": operation.status}
    simple = (("location", operation.zone), ("targetLink", operation.target_link),
              ("startTime", operation.start_time), ("endTime", operation.end_time),
              ("statusMessage", operation.status_message))
    out.update({key: value for key, value in simple if value is not None})
    if operation.progress_metrics:
        out["progress"] = {"metrics": [{"name": name, "intValue": str(value)}
                                       for name, value in operation.progress_metrics]}
    return out


# --------------------------------------------------------------------------- CRD policy kinds


def crd_policy_to_dict(obj: FqdnNetworkPolicy | CiliumPolicy | NetworkLogging) -> dict[str, Any]:
    """FQDN and Cilium policies as read (their model keeps the raw object, status and
    managedFields dropped): the parser reads it back to an equal object. A copy, so a caller
    editing the dict cannot change the snapshot's object."""
    import copy

    return copy.deepcopy(obj.raw)


# --------------------------------------------------------------------------- dispatch

_SERIALIZERS: dict[type, Any] = {
    Namespace: namespace_to_dict, Pod: pod_to_dict, Node: node_to_dict, Service: service_to_dict,
    Ingress: ingress_to_dict, Workload: workload_to_dict, Event: event_to_dict,
    NetworkPolicy: network_policy_to_dict, GkeCluster: cluster_to_dict, GkeOperation: operation_to_dict,
    FqdnNetworkPolicy: crd_policy_to_dict, CiliumPolicy: crd_policy_to_dict, NetworkLogging: crd_policy_to_dict,
}


def to_k8s_dict(obj: Any) -> dict[str, Any]:
    """The kubectl/gcloud-shaped dict of any model object (what the console's YAML view shows)."""
    serializer = _SERIALIZERS.get(type(obj))
    if serializer is None:
        raise TypeError(f"cannot serialize {type(obj).__name__}")
    return serializer(obj)


def list_document(kind: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """`kubectl get KIND -o json` shape: a typed List, which also marks the kind as read when empty."""
    return {"apiVersion": API_VERSIONS.get(kind, "v1"), "kind": f"{kind}List", "metadata": {"resourceVersion": ""},
            "items": items}


__all__ = [
    "API_VERSIONS", "cluster_to_dict", "cpu_text", "crd_policy_to_dict", "event_to_dict", "ingress_to_dict", "list_document",
    "memory_text", "namespace_to_dict", "network_policy_to_dict", "node_to_dict", "operation_to_dict",
    "pod_to_dict", "selector_to_dict", "service_to_dict", "to_k8s_dict", "workload_to_dict",
]
