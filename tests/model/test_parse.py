"""Parsers: API-server defaults applied at parse time, validation, old and new gcloud field names."""

from __future__ import annotations

from typing import Any

import pytest

from netpol_tui.model import SelectorOperator
from netpol_tui.model.parse import (
    ParseError,
    parse_cluster,
    parse_event,
    parse_namespace,
    parse_network_policy,
    parse_node,
    parse_operation,
    parse_pod,
    parse_service,
    parse_workload,
)


def netpol(spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "np", "namespace": "shop"}, "spec": spec}


def ingress_ports(ports: list[dict[str, Any]]) -> dict[str, Any]:
    return netpol({"podSelector": {}, "ingress": [{"ports": ports}]})


# ------------------------------------------------------------------- policyTypes


@pytest.mark.parametrize(("spec", "types", "written"), [
    ({"podSelector": {}}, ("Ingress",), False),
    ({"podSelector": {}, "ingress": [{}]}, ("Ingress",), False),
    # An empty egress list does not make the policy egress-isolating: the API server only
    # adds Egress when the egress section has rules.
    ({"podSelector": {}, "egress": []}, ("Ingress",), False),
    ({"podSelector": {}, "egress": [{"to": [{"podSelector": {}}]}]}, ("Ingress", "Egress"), False),
    ({"podSelector": {}, "egress": [{}]}, ("Ingress", "Egress"), False),
    ({"podSelector": {}, "policyTypes": ["Egress"]}, ("Egress",), True),
    ({"podSelector": {}, "policyTypes": ["Egress"], "ingress": [{}]}, ("Egress",), True),
    ({"podSelector": {}, "policyTypes": ["Egress", "Ingress", "Egress"]}, ("Egress", "Ingress"), True),
    ({"podSelector": {}, "policyTypes": [], "egress": [{}]}, ("Ingress", "Egress"), False),
])
def test_policy_types_defaulting(spec: dict, types: tuple[str, ...], written: bool) -> None:
    policy = parse_network_policy(netpol(spec))
    assert policy.policy_types == types
    assert policy.policy_types_written is written


def test_policy_types_must_be_known() -> None:
    with pytest.raises(ParseError, match=r"spec.policyTypes\[0\] must be Ingress or Egress, got 'ingress'"):
        parse_network_policy(netpol({"podSelector": {}, "policyTypes": ["ingress"]}))


def test_missing_spec_and_missing_pod_selector() -> None:
    with pytest.raises(ParseError, match="spec is missing"):
        parse_network_policy({"metadata": {"name": "np", "namespace": "shop"}})
    # The API server decodes a missing podSelector as the empty selector: every pod.
    assert parse_network_policy(netpol({})).pod_selector.is_empty


def test_empty_from_and_null_rule_mean_everything() -> None:
    policy = parse_network_policy(netpol({"podSelector": {}, "ingress": [None, {"from": []}]}))
    assert [(rule.peers, rule.ports) for rule in policy.ingress] == [((), ()), ((), ())]


# ------------------------------------------------------------------------- ports


def test_protocol_defaults_to_tcp_and_is_normalised() -> None:
    policy = parse_network_policy(ingress_ports([{"port": 80}, {"port": 53, "protocol": "udp"},
                                                 {"protocol": "SCTP"}]))
    assert [(p.protocol, p.port, p.end_port) for p in policy.ingress[0].ports] == [
        ("TCP", 80, None), ("UDP", 53, None), ("SCTP", None, None)]


def test_named_ports_and_digit_strings() -> None:
    policy = parse_network_policy(ingress_ports([{"port": "http"}, {"port": "8080"}]))
    assert [p.port for p in policy.ingress[0].ports] == ["http", 8080]


@pytest.mark.parametrize(("port", "message"), [
    ({"port": 8080, "endPort": 9090}, None),
    ({"port": 8080, "endPort": 8080}, None),
    ({"port": 8080, "endPort": 80}, r"endPort 80 is below port 8080"),
    ({"endPort": 9090}, r"endPort needs a numeric port"),
    ({"port": "http", "endPort": 9090}, r"endPort needs a numeric port"),
    ({"port": 8080, "endPort": 70000}, r"endPort must be a port number 1-65535, got 70000"),
    ({"port": 0}, r"port must be a port number 1-65535, got 0"),
    ({"port": True}, r"port must be a port number or name, got a boolean"),
    ({"port": 80, "protocol": "ICMP"}, r"protocol must be TCP, UDP or SCTP, got 'ICMP'"),
    ({"port": "123456"}, r"port must be a port number 1-65535, got '123456'"),
])
def test_end_port_and_port_validation(port: dict, message: str | None) -> None:
    if message is None:
        parsed = parse_network_policy(ingress_ports([port])).ingress[0].ports[0]
        assert (parsed.port, parsed.end_port) == (port["port"], port["endPort"])
    else:
        with pytest.raises(ParseError, match=message):
            parse_network_policy(ingress_ports([port]))


# --------------------------------------------------------------------- selectors


def selector_policy(expressions: list[Any]) -> dict[str, Any]:
    return netpol({"podSelector": {"matchExpressions": expressions}})


def test_match_expressions() -> None:
    policy = parse_network_policy(selector_policy([
        {"key": "app", "operator": "In", "values": ["web", "api"]},
        {"key": "tier", "operator": "NotIn", "values": ["db"]},
        {"key": "canary", "operator": "DoesNotExist"},
        {"key": "team", "operator": "Exists", "values": []},
        {"key": "version", "operator": "In", "values": [1, True]},
    ]))
    expressions = policy.pod_selector.match_expressions
    assert [(e.key, e.operator, e.values) for e in expressions] == [
        ("app", SelectorOperator.IN, ("web", "api")), ("tier", SelectorOperator.NOT_IN, ("db",)),
        ("canary", SelectorOperator.DOES_NOT_EXIST, ()), ("team", SelectorOperator.EXISTS, ()),
        ("version", SelectorOperator.IN, ("1", "true")),
    ]


@pytest.mark.parametrize(("expression", "message"), [
    ({"operator": "In", "values": ["a"]}, r"matchExpressions\[0\].key is missing"),
    ({"key": ["a"], "operator": "In", "values": ["a"]}, r"matchExpressions\[0\].key must be a string"),
    ({"key": "a", "operator": "in", "values": ["a"]}, r"operator 'in' is not one of In, NotIn, Exists"),
    ({"key": "a", "operator": ["In"], "values": ["a"]}, r"operator \['In'\] is not one of"),
    ({"key": "a", "operator": "NotIn", "values": []}, r"operator NotIn needs at least one value"),
    ({"key": "a", "operator": "Exists", "values": ["x"]}, r"operator Exists takes no values"),
    ({"key": "a", "operator": "In", "values": "web"}, r"values must be a list, got a string"),
    ({"key": "a", "operator": "In", "values": [{"x": 1}]}, r"values\[0\] must be a string, got a mapping"),
    ("app=web", r"matchExpressions\[0\] must be a mapping, got a string"),
])
def test_match_expression_validation(expression: Any, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_network_policy(selector_policy([expression]))


def test_match_labels_must_be_strings() -> None:
    with pytest.raises(ParseError, match=r"spec.podSelector.matchLabels.app must be a string, got a list"):
        parse_network_policy(netpol({"podSelector": {"matchLabels": {"app": ["web"]}}}))
    # YAML scalars written without quotes are the text kubectl would have sent.
    parsed = parse_network_policy(netpol({"podSelector": {"matchLabels": {"enabled": True, "v": 2}}}))
    assert parsed.pod_selector.match_labels == {"enabled": "true", "v": "2"}


@pytest.mark.parametrize(("block", "message"), [
    ({"cidr": "10.0.0.0/8", "except": ["10.8.0.0/14"]}, None),
    ({"cidr": "0.0.0.0/0", "except": ["10.8.0.0/14", "10.12.0.0/20"]}, None),
    ({"cidr": "10.0.0.0/33"}, r"cidr is not a valid CIDR: '10.0.0.0/33'"),
    ({"cidr": "10.0.0.1"}, r"cidr must be a CIDR such as 10.0.0.0/8, got '10.0.0.1'"),
    ({"except": ["10.0.0.0/8"]}, r"cidr must be a CIDR such as 10.0.0.0/8, got None"),
    ({"cidr": "10.0.0.0/8", "except": ["10.0.0.0/8"]}, r"except\[0\] '10.0.0.0/8' must lie strictly inside"),
    ({"cidr": "10.0.0.0/8", "except": ["fd00::/8"]}, r"except\[0\] 'fd00::/8' must lie strictly inside"),
])
def test_ip_block_validation(block: dict, message: str | None) -> None:
    document = netpol({"podSelector": {}, "egress": [{"to": [{"ipBlock": block}]}]})
    if message is None:
        parsed = parse_network_policy(document).egress[0].peers[0].ip_block
        assert (parsed.cidr, parsed.excepts) == (block["cidr"], tuple(block["except"]))
    else:
        with pytest.raises(ParseError, match=message):
            parse_network_policy(document)


def test_peer_validation() -> None:
    with pytest.raises(ParseError, match=r"ipBlock cannot be combined with podSelector"):
        parse_network_policy(netpol({"ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"},
                                                            "podSelector": {}}]}]}))
    with pytest.raises(ParseError, match=r"from\[0\] must set podSelector, namespaceSelector or ipBlock"):
        parse_network_policy(netpol({"ingress": [{"from": [{}]}]}))


# ---------------------------------------------------------------------------- pods


def pod(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"metadata": {"name": "web-0", "namespace": "shop", "labels": {"app": "web"}},
                            "spec": {"containers": [{"name": "web", "ports": [{"containerPort": 8080,
                                                                               "name": "http"}]}]},
                            "status": {"phase": "Running", "podIP": "10.8.0.4"}}
    for key, value in overrides.items():
        base[key] = {**base.get(key, {}), **value}
    return base


def test_pod_basics() -> None:
    parsed = parse_pod(pod())
    assert (parsed.namespace, parsed.name, parsed.phase, parsed.ip) == ("shop", "web-0", "Running", "10.8.0.4")
    assert [(p.container_port, p.protocol, p.name, p.container) for p in parsed.ports] == [
        (8080, "TCP", "http", "web")]
    assert parse_pod({"metadata": {"name": "a"}}).namespace == "default"
    assert parse_pod({"metadata": {"name": "a"}}).phase == "Pending"


def test_pod_ips_dual_stack_and_validation() -> None:
    parsed = parse_pod(pod(status={"podIPs": [{"ip": "10.8.0.4"}, {"ip": "fd00:10:8::4"}]}))
    assert parsed.pod_ips == ("10.8.0.4", "fd00:10:8::4")
    with pytest.raises(ParseError, match=r"status.podIPs\[1\].ip is not an IP address: 'nope'"):
        parse_pod(pod(status={"podIPs": [{"ip": "10.8.0.4"}, {"ip": "nope"}]}))
    with pytest.raises(ParseError, match=r"status.hostIP must be an IP address, got a number"):
        parse_pod(pod(status={"hostIP": 10}))


def test_pod_requests_init_containers_and_owner() -> None:
    parsed = parse_pod(pod(
        metadata={"ownerReferences": [{"kind": "Node", "name": "n1"},
                                      {"kind": "ReplicaSet", "name": "web-abc", "controller": True}]},
        spec={"containers": [{"name": "a", "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}},
                             {"name": "b", "resources": {"requests": {"cpu": 0.5, "memory": "1Gi"}}}],
              "initContainers": [{"name": "init", "resources": {"requests": {"cpu": "1", "memory": "10Mi"}}}]},
    ))
    assert parsed.cpu_request_millis == 1000 and parsed.memory_request_bytes == 64 * 2**20 + 2**30
    assert (parsed.owner_kind, parsed.owner_name) == ("ReplicaSet", "web-abc")


def test_pod_waiting_reasons_and_host_network() -> None:
    parsed = parse_pod(pod(spec={"hostNetwork": True}, status={
        "phase": "Pending", "podIP": None,
        "initContainerStatuses": [{"state": {"terminated": {"exitCode": 0}}}],
        "containerStatuses": [{"state": {"waiting": {"reason": "ContainerCreating"}}}, {"state": {"waiting": {}}}],
    }))
    assert parsed.waiting_reasons == ("ContainerCreating", "Waiting")
    assert parsed.host_network and not parsed.is_running and parsed.is_live


@pytest.mark.parametrize(("overrides", "message"), [
    ({"metadata": {"labels": ["app"]}}, r"metadata.labels must be a mapping of strings, got a list"),
    ({"metadata": {"labels": {"app": None}}}, r"metadata.labels.app must be a string, got null"),
    ({"metadata": {"name": 5}}, r"metadata.name must be a string, got a number"),
    ({"metadata": {"namespace": ["a"]}}, r"metadata.namespace must be a string, got a list"),
    ({"spec": {"containers": {"name": "a"}}}, r"spec.containers must be a list, got a mapping"),
    ({"spec": {"containers": [{"ports": [{"containerPort": "http"}]}]}},
     r"spec.containers\[0\].ports\[0\].containerPort must be an integer, got 'http'"),
    ({"spec": {"containers": [{"ports": [{"containerPort": 80, "protocol": "HTTP"}]}]}},
     r"protocol must be TCP, UDP or SCTP, got 'HTTP'"),
    ({"spec": {"containers": [{"resources": {"requests": {"memory": "-1Gi"}}}]}},
     r"resources.requests: must not be negative: '-1Gi'"),
    ({"spec": {"hostNetwork": "yes"}}, r"spec.hostNetwork must be a boolean, got 'yes'"),
    ({"spec": {"terminationGracePeriodSeconds": 1.5}}, r"terminationGracePeriodSeconds must be an integer"),
    ({"status": {"phase": ["Running"]}}, r"status.phase must be a string, got a list"),
])
def test_pod_validation(overrides: dict, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_pod(pod(**overrides))


# ---------------------------------------------------------------- other core kinds


def test_namespace_gets_its_name_label() -> None:
    parsed = parse_namespace({"metadata": {"name": "shop", "labels": {"team": "a"}}})
    assert parsed.labels == {"team": "a", "kubernetes.io/metadata.name": "shop"}


def test_node_fields() -> None:
    parsed = parse_node({
        "metadata": {"name": "n1", "labels": {"beta.kubernetes.io/instance-type": "e2-medium"}},
        "spec": {"podCIDR": "10.8.0.0/24", "unschedulable": True},
        "status": {"allocatable": {"cpu": "940m", "memory": "2869536Ki"},
                   "addresses": [{"type": "ExternalIP", "address": "34.1.2.3"},
                                 {"type": "InternalIP", "address": "10.132.0.2"}],
                   "conditions": [{"type": "Ready", "status": "False"}]},
    })
    assert parsed.machine_type == "e2-medium" and parsed.pod_cidrs == ("10.8.0.0/24",)
    assert (parsed.internal_ip, parsed.external_ip) == ("10.132.0.2", "34.1.2.3")
    assert parsed.allocatable_cpu_millis == 940 and parsed.allocatable_memory_bytes == 2869536 * 1024
    assert parsed.status_text == "NotReady,SchedulingDisabled"
    with pytest.raises(ParseError, match=r"spec.podCIDRs\[0\] is not a valid CIDR"):
        parse_node({"metadata": {"name": "n1"}, "spec": {"podCIDRs": ["10.8.0.0/99"]}})


def test_service_fields() -> None:
    parsed = parse_service({"metadata": {"name": "db", "namespace": "data"},
                            "spec": {"clusterIP": "None", "selector": {}, "ports": [{"port": 5432}]}})
    assert parsed.cluster_ips == () and parsed.selector is None and parsed.type == "ClusterIP"
    assert [(p.port, p.protocol, p.target_port) for p in parsed.ports] == [(5432, "TCP", 5432)]
    with pytest.raises(ParseError, match=r"spec.clusterIP is not an IP address: 'ten'"):
        parse_service({"metadata": {"name": "x"}, "spec": {"clusterIP": "ten"}})


def test_workload_cron_job_template() -> None:
    parsed = parse_workload({"kind": "CronJob", "metadata": {"name": "r", "namespace": "b"}, "spec": {
        "jobTemplate": {"spec": {"template": {"metadata": {"labels": {"app": "r"}},
                                              "spec": {"hostNetwork": True}}}}}})
    assert parsed.template_labels == {"app": "r"} and parsed.template_host_network


# ------------------------------------------------------------------------- events


def test_core_v1_event() -> None:
    event = parse_event({
        "apiVersion": "v1", "kind": "Event", "metadata": {"name": "p.1", "namespace": "payments"},
        "involvedObject": {"kind": "Pod", "name": "p", "namespace": "payments"},
        "reason": "FailedCreatePodSandBox", "message": "ipAddrs is not compatible", "type": "Warning",
        "count": 4, "firstTimestamp": "2024-01-01T00:00:00Z", "lastTimestamp": "2024-01-01T01:00:00Z",
    })
    assert (event.involved_kind, event.involved_namespace, event.involved_name) == ("Pod", "payments", "p")
    assert (event.reason, event.type, event.count, event.last_time) == (
        "FailedCreatePodSandBox", "Warning", 4, "2024-01-01T01:00:00Z")


def test_events_k8s_io_v1_event() -> None:
    event = parse_event({
        "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "p.2", "namespace": "shop"},
        "regarding": {"kind": "Pod", "name": "web-0", "namespace": "shop"}, "note": "Back-off",
        "reason": "BackOff", "type": "Warning", "deprecatedCount": 7,
        "eventTime": "2024-01-01T00:00:00.000000Z", "deprecatedLastTimestamp": "2024-01-01T02:00:00Z",
    })
    assert (event.involved_name, event.message, event.count, event.last_time) == (
        "web-0", "Back-off", 7, "2024-01-01T02:00:00Z")
    minimal = parse_event({"metadata": {"name": "e", "namespace": "x", "creationTimestamp": "T"},
                           "regarding": {"kind": "Node", "name": "n1"}})
    assert (minimal.count, minimal.type, minimal.last_time, minimal.involved_namespace) == (1, "Normal", "T", "")


# ---------------------------------------------------------------------------- GKE


CLUSTER = {"name": "prod", "selfLink": "https://container.googleapis.com/v1/projects/acme/locations/"
                                       "europe-west1/clusters/prod"}


def test_addon_config_presence() -> None:
    on = parse_cluster({**CLUSTER, "addonsConfig": {"networkPolicyConfig": {}}})
    off = parse_cluster({**CLUSTER, "addonsConfig": {"httpLoadBalancing": {}}})
    disabled = parse_cluster({**CLUSTER, "addonsConfig": {"networkPolicyConfig": {"disabled": True}}})
    assert (on.addon_enabled, off.addon_enabled, disabled.addon_enabled) == (True, False, False)
    assert (on.network_policy_addon_present, off.network_policy_addon_present) == (True, False)


def test_enforcement_fields_absent_is_not_false() -> None:
    """A description trimmed to name/location/version says nothing about enforcement (issue 10 item 8)."""
    trimmed = parse_cluster({**CLUSTER, "location": "europe-west1", "currentMasterVersion": "1.30.5-gke.1"})
    assert trimmed.network_policy_enabled is None and trimmed.addon_enabled is None
    assert not trimmed.datapath_known and not trimmed.is_standard_legacy and not trimmed.is_dataplane_v2
    assert not trimmed.calico_enforcement
    assert trimmed.enforcement_gaps == ("networkConfig.datapathProvider", "networkPolicy.enabled",
                                        "addonsConfig.networkPolicyConfig")
    assert "trimmed" in trimmed.enforcement_unknown_reason and trimmed.datapath_unknown_reason
    # A whole document leaves false fields out: there, absent means off.
    whole = parse_cluster({**CLUSTER, "addonsConfig": {"networkPolicyConfig": {"disabled": True}},
                           "networkConfig": {"network": "default"}})
    assert (whole.network_policy_enabled, whole.addon_enabled, whole.is_standard_legacy) == (False, False, True)
    assert whole.enforcement_gaps == () and whole.enforcement_unknown_reason is None
    # The node setting alone, or the datapath alone, leaves the other switches unknown.
    setting_only = parse_cluster({**CLUSTER, "networkPolicy": {"enabled": True, "provider": "CALICO"}})
    assert setting_only.network_policy_enabled is True and setting_only.addon_enabled is None
    assert setting_only.enforcement_gaps == ("addonsConfig.networkPolicyConfig",)
    legacy_only = parse_cluster({**CLUSTER, "networkConfig": {"datapathProvider": "LEGACY_DATAPATH"}})
    assert legacy_only.is_standard_legacy and legacy_only.network_policy_enabled is None
    assert legacy_only.datapath_unknown_reason is None and legacy_only.enforcement_unknown_reason
    # Dataplane V2 and Autopilot need no Calico switch.
    for doc in ({"networkConfig": {"datapathProvider": "ADVANCED_DATAPATH"}}, {"autopilot": {"enabled": True}}):
        known = parse_cluster({**CLUSTER, **doc})
        assert known.is_dataplane_v2 and known.enforcement_unknown_reason is None


def test_trimmed_cluster_round_trips_as_unknown() -> None:
    from netpol_tui.model.serialize import cluster_to_dict

    for doc in ({}, {"networkConfig": {}}, {"networkPolicy": {}}, {"addonsConfig": {}},
                {"addonsConfig": {}, "networkPolicy": {}, "networkConfig": {}}):
        cluster = parse_cluster({**CLUSTER, **doc})
        assert parse_cluster(cluster_to_dict(cluster)) == cluster, doc


def test_pod_and_service_ranges_old_and_new_names() -> None:
    old = parse_cluster({**CLUSTER, "clusterIpv4Cidr": "10.8.0.0/14", "servicesIpv4Cidr": "10.12.0.0/20"})
    new = parse_cluster({**CLUSTER, "clusterIpv4Cidr": "10.99.0.0/14", "ipAllocationPolicy": {
        "clusterIpv4CidrBlock": "10.8.0.0/14", "servicesIpv4CidrBlock": "10.12.0.0/20"}})
    middle = parse_cluster({**CLUSTER, "ipAllocationPolicy": {"clusterIpv4Cidr": "10.8.0.0/14",
                                                              "servicesIpv4Cidr": "10.12.0.0/20"}})
    for cluster in (old, new, middle):
        assert (cluster.pod_ipv4_cidr, cluster.services_ipv4_cidr) == ("10.8.0.0/14", "10.12.0.0/20")
    with pytest.raises(ParseError, match="pod range .* is not a valid CIDR: '10.8.0.0/40'"):
        parse_cluster({**CLUSTER, "clusterIpv4Cidr": "10.8.0.0/40"})


def test_private_endpoint_old_and_new_names() -> None:
    old = parse_cluster({**CLUSTER, "privateClusterConfig": {"privateEndpoint": "172.16.0.2"}})
    new = parse_cluster({**CLUSTER, "controlPlaneEndpointsConfig": {
        "ipEndpointsConfig": {"privateEndpoint": "10.128.0.2", "publicEndpoint": "34.1.1.1"}}})
    assert (old.private_endpoint, old.psc_private_endpoint, old.any_private_endpoint) == (
        "172.16.0.2", None, "172.16.0.2")
    assert (new.private_endpoint, new.psc_private_endpoint, new.any_private_endpoint) == (
        None, "10.128.0.2", "10.128.0.2")
    assert new.public_endpoint == "34.1.1.1"


def test_cluster_identity_dataplane_and_pools() -> None:
    cluster = parse_cluster({
        **CLUSTER, "zone": "europe-west1", "autopilot": {"enabled": True},
        "networkConfig": {"datapathProvider": "ADVANCED_DATAPATH", "dnsConfig": {"clusterDns": "CLOUD_DNS"}},
        "workloadIdentityConfig": {"workloadPool": "acme.svc.id.goog"},
        "nodePools": [{"name": "p", "config": {"machineType": "e2-medium",
                                               "workloadMetadataConfig": {"nodeMetadata": "GKE_METADATA_SERVER"}},
                       "initialNodeCount": "3", "locations": ["europe-west1-b"]}],
    })
    assert (cluster.project, cluster.location, cluster.is_dataplane_v2, cluster.cluster_dns) == (
        "acme", "europe-west1", True, "CLOUD_DNS")
    (pool,) = cluster.node_pools
    assert (pool.machine_type, pool.initial_node_count, pool.workload_metadata_mode) == (
        "e2-medium", 3, "GKE_METADATA_SERVER")


def test_maintenance_policy() -> None:
    empty = parse_cluster({**CLUSTER, "maintenancePolicy": {"resourceVersion": "abc"}})
    assert empty.maintenance_policy is not None and not empty.maintenance_policy.is_configured
    daily = parse_cluster({**CLUSTER, "maintenancePolicy": {"window": {
        "dailyMaintenanceWindow": {"startTime": "03:00", "duration": "PT4H0M0S"},
        "maintenanceExclusions": {"black-friday": {"startTime": "2024-11-28T00:00:00Z",
                                                   "endTime": "2024-12-02T00:00:00Z",
                                                   "maintenanceExclusionOptions": {"scope": "NO_UPGRADES"}}}}}})
    policy = daily.maintenance_policy
    assert policy.has_window and policy.daily_start_time == "03:00"
    assert [(e.name, e.scope) for e in policy.exclusions] == [("black-friday", "NO_UPGRADES")]


def test_cluster_field_types_are_checked() -> None:
    with pytest.raises(ParseError, match=r"nodePools\[0\].config.machineType must be a string, got a mapping"):
        parse_cluster({**CLUSTER, "nodePools": [{"config": {"machineType": {"name": "e2"}}}]})
    with pytest.raises(ParseError, match="cluster name is missing"):
        parse_cluster({"currentMasterVersion": "1.30.5-gke.1"})


def test_operation_metrics_and_links() -> None:
    operation = parse_operation({
        "name": "operation-1", "operationType": "UPGRADE_NODES", "status": "RUNNING",
        "targetLink": "https://container.googleapis.com/v1/projects/1/locations/x/clusters/prod/nodePools/hm",
        "progress": {"metrics": [{"name": "NODES_TOTAL", "intValue": "4"}, {"name": "NODES_DONE", "intValue": 2},
                                 {"name": "FRACTION", "doubleValue": 0.5}, {"name": "BAD", "doubleValue": "nan"},
                                 {"name": "HUGE", "doubleValue": 1e400}, {"intValue": "1"}]},
    })
    assert operation.progress_metrics == (("NODES_TOTAL", 4), ("NODES_DONE", 2), ("FRACTION", 0))
    assert (operation.node_pool, operation.cluster, operation.is_running) == ("hm", "prod", True)
    assert operation.metric("nodes done") == 2
