"""Tests written to kill the mutants of checks/ that survived the area's tests (docs/mutation.md)."""

from __future__ import annotations

from netpol_tui.checks import run_checks
from netpol_tui.checks.ipblocks import MAX_EXPANDED_PORTS
from tests.checks.helpers import lst, namespace, pod, policy, snapshot


def findings(check_id: str, *docs):
    return [f for f in run_checks(snapshot(*docs), select=check_id).findings if f.id == check_id]


def shop(pods, *policies):
    return (lst("Namespace", [namespace("shop")]), lst("Pod", pods), lst("NetworkPolicy", list(policies)))


def selecting(labels: dict) -> dict:
    return policy("db", spec={"podSelector": {"matchLabels": labels}, "policyTypes": ["Ingress"]})


# kills: policies.py _near_hints `if text not in hints` dropped (one near miss listed once per pod)
def test_np001_lists_a_near_miss_once_however_many_pods_share_it():
    pods = [pod("db-0", labels={"app": "dbb", "shard": "a"}, ip="10.64.0.10"),
            pod("db-1", labels={"app": "dbb", "shard": "b"}, ip="10.64.0.11")]
    (finding,) = findings("NP001", *shop(pods, selecting({"app": "db"})))
    near = [e.observed for e in finding.evidence if e.path == "near miss"]
    assert len(near) == 1 and "dbb" in near[0]


# kills: policies.py _corrections `and candidate not in out` -> `or` (a "corrected" selector that
# still selects no pod was offered as the fix)
def test_np001_offers_a_corrected_selector_only_when_it_selects_a_pod():
    pods = [pod("db-0", labels={"app": "db", "tier": "front"}, ip="10.64.0.10")]
    (fixable,) = findings("NP001", *shop(pods, selecting({"app": "dbb"})))
    assert fixable.remediation.manifest is not None and "app: db\n" in fixable.remediation.manifest
    # correcting app=dbb to app=db still leaves tier=back, which no pod has: no manifest to apply
    (unfixable,) = findings("NP001", *shop(pods, selecting({"app": "dbb", "tier": "back"})))
    assert unfixable.remediation.manifest is None


# kills: policies.py NP001 `if manifest:` dropped (the corrected policy was not offered to apply)
def test_np001_remediation_applies_the_corrected_policy_first():
    pods = [pod("db-0", labels={"app": "db"}, ip="10.64.0.10")]
    (fixable,) = findings("NP001", *shop(pods, selecting({"app": "dbb"})))
    assert fixable.remediation.commands[0].text.startswith("kubectl apply")
    (plain,) = findings("NP001", *shop(pods, selecting({"app": "cache"})))
    assert not any(c.text.startswith("kubectl apply") for c in plain.remediation.commands)


# kills: policies.py NP002's singular/plural wording (`len(messages) == 1` -> `== 0`)
def test_np002_message_agrees_in_number_with_its_peers():
    pods = [pod("db-0", labels={"app": "db"}, ip="10.64.0.10")]

    def peers(*apps):
        return policy("db-in", spec={"podSelector": {"matchLabels": {"app": "db"}}, "policyTypes": ["Ingress"],
                                     "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": a}}}
                                                           for a in apps]}]})

    (one,) = findings("NP002", *shop(pods, peers("nope")))
    assert "has 1 peer that matches nothing, so that rule allows" in one.message
    (two,) = findings("NP002", *shop(pods, peers("nope", "nada")))
    assert "has 2 peers that match nothing, so those rules allow" in two.message


# kills: policies.py _peer_text `namespace_selector is not None` -> `is None` (a peer shown with the
# selector it does not have)
def test_np002_names_each_peer_by_the_selectors_it_has():
    pods = [pod("db-0", labels={"app": "db"}, ip="10.64.0.10")]

    def peer(p):
        return policy("db-in", spec={"podSelector": {"matchLabels": {"app": "db"}}, "policyTypes": ["Ingress"],
                                     "ingress": [{"from": [p]}]})

    (pods_only,) = findings("NP002", *shop(pods, peer({"podSelector": {"matchLabels": {"app": "nope"}}})))
    assert "podSelector app=nope" in pods_only.message and "namespaceSelector" not in pods_only.message
    (ns_only,) = findings("NP002", *shop(pods, peer({"namespaceSelector": {"matchLabels": {"team": "nope"}}})))
    assert "namespaceSelector team=nope" in ns_only.message and "podSelector" not in ns_only.message


# kills: ipblocks.py _sections `policy.egress and (...)` -> `or` (an egress section that
# policyTypes leaves out is not enforced, so its ipBlock is not a finding of GKE011; NP006 reports it)
def test_gke011_ignores_an_egress_section_that_policy_types_leaves_out():
    from tests.checks.helpers import cluster

    def web_out(types):
        return policy("web-out", spec={"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": types,
                                       "egress": [{"to": [{"ipBlock": {"cidr": "10.64.0.0/16"}}]}]})

    docs = (cluster(calico=None, addon=None, datapath="ADVANCED_DATAPATH"),)
    pods = [pod("web-0", labels={"app": "web"}, ip="10.64.0.10")]
    assert findings("GKE011", *docs, *shop(pods, web_out(["Ingress", "Egress"])))
    assert not findings("GKE011", *docs, *shop(pods, web_out(["Ingress"])))


def dv2_cluster():
    from tests.checks.helpers import cluster

    return cluster(calico=None, addon=None, datapath="ADVANCED_DATAPATH")


# kills: ipblocks.py GKE009 `if count > MAX_EXPANDED_PORTS` dropped (a range of thousands of ports was
# "expanded" into a manifest listing every one)
def test_gke009_expands_a_short_port_range_but_not_a_wide_one():
    def ranged(first, last):
        return policy("db-in", spec={"podSelector": {"matchLabels": {"app": "db"}}, "policyTypes": ["Ingress"],
                                     "ingress": [{"ports": [{"port": first, "endPort": last}]}]})

    pods = [pod("db-0", labels={"app": "db"}, ip="10.64.0.10")]
    (short,) = findings("GKE009", dv2_cluster(), *shop(pods, ranged(8000, 8003)))
    assert short.remediation.manifest is not None
    assert all(f"port: {n}" in short.remediation.manifest for n in range(8000, 8004))
    # kills: `if manifest:` dropped (the expanded policy is what the remediation applies)
    assert short.remediation.commands[0].text.startswith("kubectl apply")
    # the limit itself: a range of exactly MAX_EXPANDED_PORTS ports is still listed, one more is not
    last = 8000 + MAX_EXPANDED_PORTS - 1
    assert findings("GKE009", dv2_cluster(), *shop(pods, ranged(8000, last)))[0].remediation.manifest
    assert findings("GKE009", dv2_cluster(), *shop(pods, ranged(8000, last + 1)))[0].remediation.manifest is None
    (wide,) = findings("GKE009", dv2_cluster(), *shop(pods, ranged(1000, 9000)))
    assert wide.remediation.manifest is None
    assert any("edit" in c.text for c in wide.remediation.commands)


# kills: ipblocks.py GKE011 `if covers_all` dropped: an ipBlock over the whole pod range meant
# "every pod", which on Dataplane V2 is the peer `namespaceSelector: {}`, not a list of today's pods
def test_gke011_replaces_a_block_over_the_whole_pod_range_by_every_pod():
    def web_out(cidr):
        return policy("web-out", spec={"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"],
                                       "egress": [{"to": [{"ipBlock": {"cidr": cidr}}]}]})

    pods = [pod("web-0", labels={"app": "web"}, ip="10.64.0.10"), pod("db-0", labels={"app": "db"}, ip="10.64.0.11")]
    (whole,) = findings("GKE011", dv2_cluster(), *shop(pods, web_out("10.0.0.0/8")))  # pod range 10.64.0.0/14
    assert "namespaceSelector: {}" in (whole.remediation.manifest or "")
    (part,) = findings("GKE011", dv2_cluster(), *shop(pods, web_out("10.64.0.0/24")))
    assert "namespaceSelector: {}" not in (part.remediation.manifest or "")
    assert "app: db" in (part.remediation.manifest or "")


# kills: gke_enforcement.py GKE003 evidence capped at 20 nodes (`nodes[:20]` -> 21) and the rest counted
# (in the singular for one: "1 more unlabelled node", through text.plural)
def test_gke003_lists_twenty_unlabelled_nodes_and_counts_the_rest():
    from tests.checks.helpers import cluster, node

    def evidence(unlabelled):
        nodes = [node("n-ok")] + [node(f"n{i:02}", labelled=False, ip=f"10.128.0.{i + 10}") for i in range(unlabelled)]
        (finding,) = findings("GKE003", cluster(), lst("Node", nodes))
        listed_nodes = [e.path for e in finding.evidence if e.path.startswith("Node n")]
        assert all("n-ok" not in path for path in listed_nodes)
        return len(listed_nodes), [e.observed for e in finding.evidence if e.observed.startswith("... and")]

    assert evidence(25) == (20, ["... and 5 more unlabelled nodes"])
    assert evidence(21) == (20, ["... and 1 more unlabelled node"])  # plural() for one node
    assert evidence(20) == (20, [])


# kills: named_ports.py NP005's "declared as" note dropped (`if other_protocol`), and its wording of
# whose ports were searched (`destinations is None` flipped)
def test_np005_says_whose_ports_lack_the_name_and_under_which_protocol_it_exists():
    pods = [pod("db-0", labels={"app": "db"}, ip="10.64.0.10",
                ports=[{"name": "dns", "containerPort": 53, "protocol": "UDP"}])]
    wrong_protocol = policy("db-in", spec={"podSelector": {"matchLabels": {"app": "db"}}, "policyTypes": ["Ingress"],
                                           "ingress": [{"ports": [{"port": "dns", "protocol": "TCP"}]}]})
    (finding,) = findings("NP005", *shop(pods, wrong_protocol))
    (observed,) = [e.observed for e in finding.evidence if e.path == "spec.ingress[0].ports[0]"]
    assert "TCP port named 'dns', declared by none of the 1 destination pod" in observed
    assert "(declared as UDP)" in observed


# kills: ipblocks.py GKE012 `peers[j:j + 1] = new_peers` -> `peers[j:j]` (the pod's /32 ipBlock was
# kept beside the selector peer meant to replace it)
def test_gke012_replaces_a_pod_ip_block_by_the_pods_selector():
    pods = [pod("web-0", labels={"app": "web"}, ip="10.64.0.10"), pod("db-0", labels={"app": "db"}, ip="10.64.0.11")]
    to_db = policy("web-out", spec={"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"],
                                    "egress": [{"to": [{"ipBlock": {"cidr": "10.64.0.11/32"}},
                                                       {"podSelector": {"matchLabels": {"app": "cache"}}}]}]})
    (finding,) = findings("GKE012", dv2_cluster(), *shop(pods, to_db))
    manifest = finding.remediation.manifest or ""
    assert "app: db" in manifest and "10.64.0.11/32" not in manifest and "ipBlock" not in manifest
    assert "app: cache" in manifest  # the rule's other peers stay


# kills: cilium.py GKE026 `if result is None: continue` -> pass, the policyTypes `continue` -> pass,
# and `if not probes: return None` dropped: only an allow rule that a deny rule overrides in full
# is reported; a rule the deny leaves open, a section policyTypes leaves out, and a rule that
# allows no existing pod or address are not
def test_gke026_reports_only_allow_rules_every_probe_of_which_is_denied():
    from tests.checks.make_fixtures import ccnp, fqdn_cluster, world

    smtp_deny = lst("CiliumClusterwideNetworkPolicy", [ccnp("lockdown", {
        "endpointSelector": {}, "enableDefaultDeny": {"egress": False, "ingress": False},
        "egressDeny": [{"toEntities": ["world"], "toPorts": [{"ports": [{"port": "25", "protocol": "TCP"}]}]}]})])

    def web_out(name, port, types=("Egress",), to=None):
        return policy(name, "shop", {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": list(types),
                                     "egress": [{"to": [to or {"ipBlock": {"cidr": "0.0.0.0/0"}}],
                                                 "ports": [{"protocol": "TCP", "port": port}]}]})

    policies = [web_out("mail", 25), web_out("https", 443), web_out("mail-ignored", 25, types=("Ingress",)),
                web_out("mail-to-nobody", 25, to={"podSelector": {"matchLabels": {"app": "nobody"}}})]
    found = findings("GKE026", fqdn_cluster(), *world(policies=policies, extra=[smtp_deny]))
    assert [f.subject.name for f in found] == ["mail"]


# kills (timed out under load in the run): fqdn_rules.py GKE024's split `MAX_ADDRESSES // 2` -> `// 3`
# and `// 1`: the fix cuts the names into policies of at most half the limit each
def test_gke024_splits_the_names_into_policies_of_half_the_limit():
    import yaml

    from netpol_tui.checks.fqdn_rules import MAX_ADDRESSES
    from tests.checks.make_fixtures import fixtures

    cluster_doc, documents = fixtures()["GKE024"]["fires"]  # 51 names in one rule
    (finding,) = [f for f in run_checks(snapshot(cluster_doc, *documents), select="GKE024").findings]
    parts = list(yaml.safe_load_all(finding.remediation.manifest or ""))
    sizes = [sum(len(rule["matches"]) for rule in part["spec"]["egress"]) for part in parts]
    assert sum(sizes) == 51 and sizes == [MAX_ADDRESSES // 2, MAX_ADDRESSES // 2, 1]


# kills: fqdn_rules.py GKE023 `if doc not in docs` flipped (no NetworkPolicy for the Service's pods
# was offered), and the dedupe: two names of one Service give one NetworkPolicy
def test_gke023_offers_one_label_based_policy_per_service():
    import yaml

    from tests.checks.make_fixtures import fixtures, fqdn_cluster, fqdn_policy, service, world

    payments = lst("Service", [service("payments", "shop", {"app": "payments"})])
    both = fqdn_policy("allow-payments", names=("payments.shop.svc.cluster.local", "payments.shop"))
    docs = world(policies=[], extra=[payments, lst("FQDNNetworkPolicy", [both])])
    (finding,) = run_checks(snapshot(fqdn_cluster(), *docs), select="GKE023").findings
    (offered,) = list(yaml.safe_load_all(finding.remediation.manifest or ""))
    assert offered["kind"] == "NetworkPolicy" and offered["metadata"]["name"] == "allow-to-payments"
    cluster_doc, documents = fixtures()["GKE023"]["fires"]
    (single,) = run_checks(snapshot(cluster_doc, *documents), select="GKE023").findings
    assert [d["kind"] for d in yaml.safe_load_all(single.remediation.manifest or "")] == ["NetworkPolicy"]


# kills: cilium.py GKE025 `'exists' if len(policies) == 1 else 'exist'` (`!= 1`, `== 0`, `== 2`):
# the sentence agrees in number with the count of Cilium policies GKE does not enforce
def test_gke025_message_agrees_in_number_with_the_cilium_policies():
    from tests.checks.helpers import cluster
    from tests.checks.make_fixtures import DENY_INGRESS, ccnp, world

    def message(count):
        deny = lst("CiliumClusterwideNetworkPolicy", [ccnp(f"lockdown-{i}", {
            "endpointSelector": {}, "egressDeny": [{"toEntities": ["world"]}]}) for i in range(count)])
        (finding,) = findings("GKE025", cluster(), *world(policies=[DENY_INGRESS], extra=[deny]))
        return finding.message

    assert "1 Cilium policy exists, but cluster prod runs Calico" in message(1)
    assert "2 Cilium policies exist, but cluster prod runs Calico" in message(2)


# kills: cilium.py GKE026 `_rule_ports` named-port resolution `p.name == entry.port and
# p.protocol == entry.protocol` (-> `or`, either `==` -> `!=`): a rule's named port opens only the
# subject pod's port of that name and protocol (NetworkPolicy resolves a named port per pod), so a
# deny of that one port number shadows the whole allow; another port of the pod is not opened by it
def test_gke026_resolves_a_named_port_on_the_receiving_pod_only_by_name_and_protocol():
    from tests.checks.make_fixtures import ccnp, fqdn_cluster, world

    deny_smtp = lst("CiliumClusterwideNetworkPolicy", [ccnp("no-smtp", {
        "endpointSelector": {"matchLabels": {"app": "mail"}},
        "ingressDeny": [{"fromEntities": ["all"], "toPorts": [{"ports": [{"port": "25", "protocol": "TCP"}]}]}]})])
    mail = pod("mail-0", labels={"app": "mail"}, ip="10.64.0.20",
               ports=[{"name": "http", "containerPort": 8080, "protocol": "TCP"},
                      {"name": "smtp", "containerPort": 25, "protocol": "TCP"},
                      {"name": "syslog", "containerPort": 514, "protocol": "UDP"}])
    web = pod("web-0", labels={"app": "web"}, ip="10.64.0.21")

    def mail_in(name, port, protocol="TCP"):
        return policy(name, "shop", {"podSelector": {"matchLabels": {"app": "mail"}}, "policyTypes": ["Ingress"],
                                     "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}],
                                                  "ports": [{"protocol": protocol, "port": port}]}]})

    policies = [mail_in("smtp-by-name", "smtp"), mail_in("http-by-name", "http"), mail_in("udp-smtp", "smtp", "UDP")]
    found = findings("GKE026", fqdn_cluster(), *world(policies=policies, pods=[mail, web], extra=[deny_smtp]))
    assert [f.subject.name for f in found] == ["smtp-by-name"]
    (allows,) = [e.observed for e in found[0].evidence if e.path.endswith("spec.ingress[0]")]
    assert allows.startswith("allows 1 pod/port combination")


# kills: reachability_ingress.py `_service_port` (the `if` dropped, `or` -> `and`, either `and` ->
# `or`, either `==` -> `!=`): an Ingress backend names its Service port by number
# (`port.number`, the Service's `port`, not the targetPort) or by name (`port.name`), and GKE013
# checks the health-check ranges only on the targetPort behind that one Service port
def test_gke013_checks_the_service_port_the_ingress_backend_names_by_number_or_name():
    from tests.checks.helpers import cluster
    from tests.checks.make_fixtures import DENY_INGRESS, world

    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop", "annotations": {}},
           "spec": {"type": "ClusterIP", "selector": {"app": "web"}, "clusterIP": "10.96.0.50", "ports": [
               {"name": "metrics", "port": 9090, "targetPort": 9090, "protocol": "TCP"},
               {"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}]}}
    # the health checks are allowed on the metrics port only, not on 8080
    metrics_only = policy("allow-health-checks", "shop", {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [
        {"from": [{"ipBlock": {"cidr": "130.211.0.0/22"}}, {"ipBlock": {"cidr": "35.191.0.0/16"}}],
         "ports": [{"protocol": "TCP", "port": 9090}]}]})

    def found(port):
        ing = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web", "namespace": "shop"},
               "spec": {"defaultBackend": {"service": {"name": "web", "port": port}}}}
        docs = world(policies=[DENY_INGRESS, metrics_only], extra=[lst("Service", [svc]), lst("Ingress", [ing])])
        return findings("GKE013", cluster(), *docs)

    for http in ({"number": 80}, {"name": "http"}):
        (finding,) = found(http)
        assert finding.message.endswith("on TCP 8080; the load balancer will mark them unhealthy."), http
        assert "port: 8080" in (finding.remediation.manifest or "") and "9090" not in finding.remediation.manifest
    assert found({"number": 9090}) == [] and found({"name": "metrics"}) == []


IPADDRS = "cni.projectcalico.org/ipAddrs"


def _workload(kind: str, name: str, annotations: dict) -> dict:
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": "shop"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}, "annotations": annotations},
                                  "spec": {"containers": [{"name": "main"}]}}}}


# kills: known_issues.py KI002 `if IPADDRS_ANNOTATION in workload.template_annotations and
# workload.kind != "ReplicaSet"` (dropped, `and` -> `or`, `in` -> `not in`, `!=` -> `==`): a pod
# template asking for Calico fixed IPs is reported on the workload to edit, the Deployment, and not
# again on the ReplicaSet the Deployment controller copies its template into (editing that one is
# undone by the controller); a workload without the annotation is not reported
def test_ki002_reports_the_deployment_template_not_its_replicaset():
    from tests.checks.helpers import cluster
    from tests.checks.make_fixtures import world

    fixed = {IPADDRS: '["10.64.1.30"]'}
    workloads = [lst("Deployment", [_workload("Deployment", "web", fixed), _workload("Deployment", "api", {})]),
                 lst("ReplicaSet", [_workload("ReplicaSet", "web-5d8f9c", fixed)])]
    found = findings("KI002", cluster(), *world(policies=[], pods=[], extra=workloads))
    assert [(f.subject.kind, f.subject.name) for f in found] == [("Deployment", "web")]
    assert "kubectl -n shop patch deployment web" in found[0].remediation.commands[0].text


# kills: known_issues.py KI003 `if not missing: continue` -> pass: a manual ip-masq-agent whose
# nodeSelector waits for node.kubernetes.io/masq-agent-ds-ready=true is not stuck when every node
# already carries the label (its DaemonSet is short for another reason, not this known issue)
def test_ki003_is_silent_when_every_node_carries_the_readiness_label():
    from tests.checks.helpers import cluster, node
    from tests.checks.make_fixtures import daemonset, world

    masq = "node.kubernetes.io/masq-agent-ds-ready"
    labelled = lst("Node", [node("node-a", labels={masq: "true"}), node("node-b", labels={masq: "true"})])
    unlabelled = lst("Node", [node("node-a", labels={masq: "true"}), node("node-b")])

    def found(node_list):
        ds = lst("DaemonSet", [daemonset("ip-masq-agent", "kube-system", {"k8s-app": "ip-masq-agent"},
                                         {masq: "true"}, 1)])
        return findings("KI003", cluster(), *world(policies=[], node_list=node_list, extra=[ds]))

    assert [f.subject.name for f in found(unlabelled)] == ["ip-masq-agent"]
    assert found(labelled) == []


# kills: known_issues.py KI003 loose pods `_agent(pods[0].labels, pods[0].owner_name or "") or ""`
# (either `or` -> `and`, `pods[0]` -> `pods[1]`): a pending pod of a self-managed DaemonSet named
# ip-masq-agent whose DaemonSet object was not read is recognised by its owner's name alone (it
# has no k8s-app label) and reported with the label its nodes lack
def test_ki003_recognises_a_loose_agent_pod_by_its_owner_name():
    from tests.checks.helpers import cluster, node
    from tests.checks.make_fixtures import world

    masq = "node.kubernetes.io/masq-agent-ds-ready"
    stuck = pod("ip-masq-agent-x7k2p", "kube-system", labels={"app": "masq"}, ip="", node_name="",
                phase="Pending", owner=("DaemonSet", "ip-masq-agent"))
    nodes = lst("Node", [node("node-a", labels={masq: "true"}), node("node-b")])
    (finding,) = findings("KI003", cluster(), *world(policies=[], pods=[stuck], node_list=nodes))
    assert finding.subject.name == "ip-masq-agent-x7k2p"
    assert finding.message.startswith("Manually deployed ip-masq-agent cannot run on 1 node that lacks "
                                      f"{masq}=true")


# kills: gke_enforcement.py GKE016 `if state.mode is Mode.UNKNOWN and state.maintenance.configured`
# (dropped, `and` -> `or`, `is` -> `is not`): a maintenance window or exclusion delays the node
# recreation an enforcement change needs, so with one configured and a description trimmed of the
# enforcement fields, whether recreation is pending (and held back) is unknown; with none
# configured nothing can hold recreation back and GKE016 is clean whatever the mode
def test_gke016_is_unknown_only_when_a_window_is_set_and_the_enforcement_mode_is_not():
    from netpol_tui.checks.enforcement import EnforcementState
    from tests.checks.helpers import node
    from tests.checks.make_fixtures import _maintenance

    trimmed = {"name": "prod", "location": "europe-west1", "currentMasterVersion": "1.30.5-gke.1014001"}
    nodes = lst("Node", [node("n1"), node("n2", labelled=False)])

    def report(description):
        docs = (description, nodes, lst("NetworkPolicy", [policy("deny")]), lst("Pod", []))
        return EnforcementState.from_snapshot(snapshot(*docs)).mode, run_checks(snapshot(*docs), select="GKE016")

    mode, windowed = report({**trimmed, "maintenancePolicy": _maintenance()})
    assert str(mode) == "unknown" and windowed.findings == ()
    assert [u.id for u in windowed.unknown] == ["GKE016"] and "trimmed" in windowed.unknown[0].reason
    mode, plain = report(trimmed)
    assert str(mode) == "unknown" and plain.findings == () and plain.unknown == ()


# BUG FIX (found in the second pass, checks/cilium.py `_rule_ports`): a NetworkPolicy rule without
# `ports` allows every port of every protocol (TCP, UDP and SCTP), so a Cilium deny of all TCP
# ports leaves the rule's UDP and SCTP traffic flowing: GKE026 must not call it dead. It was probed
# on TCP only and reported; a deny of every port with protocol ANY still shadows it in full.
def test_gke026_a_rule_without_ports_is_shadowed_only_by_a_deny_of_every_protocol():
    from tests.checks.make_fixtures import ccnp, fqdn_cluster, world

    mail = pod("mail-0", labels={"app": "mail"}, ip="10.64.0.20",
               ports=[{"name": "smtp", "containerPort": 25, "protocol": "TCP"}])
    web = pod("web-0", labels={"app": "web"}, ip="10.64.0.21")
    allow = policy("mail-in", "shop", {"podSelector": {"matchLabels": {"app": "mail"}}, "policyTypes": ["Ingress"],
                                       "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}]}]})

    def found(protocol):
        deny = lst("CiliumClusterwideNetworkPolicy", [ccnp("no-traffic", {
            "endpointSelector": {"matchLabels": {"app": "mail"}},
            "ingressDeny": [{"fromEntities": ["all"], "toPorts": [{"ports": [{"port": "0", "protocol": protocol}]}]}]})])
        return findings("GKE026", fqdn_cluster(), *world(policies=[allow], pods=[mail, web], extra=[deny]))

    assert found("TCP") == []
    (dead,) = found("ANY")
    assert dead.subject.name == "mail-in" and "ingressDeny[0] of CCNP no-traffic" in dead.message


# kills: ipblocks.py GKE012 `elif service is not None and service.selector` (dropped, `is not` -> `is`, `and` -> `or`): an ipBlock of a
# Service's ClusterIP never matches (policy sees the packet after the ClusterIP is translated to a
# pod IP), so the fix replaces it by a peer selecting the Service's pods, with a namespaceSelector
# on kubernetes.io/metadata.name when the Service lives in another namespace
def test_gke012_replaces_a_cluster_ip_block_by_the_services_pods():
    from tests.checks.make_fixtures import service

    pods = [pod("web-0", labels={"app": "web"}, ip="10.64.0.10")]

    def manifest(svc_namespace, selector=None):
        to_svc = policy("web-out", spec={"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"],
                                         "egress": [{"to": [{"ipBlock": {"cidr": "10.96.0.50/32"}}]}]})
        docs = (lst("Namespace", [namespace("shop"), namespace("pay")]), lst("Pod", pods), lst("NetworkPolicy", [to_svc]),
                lst("Service", [service("payments", svc_namespace, {"app": "payments"} if selector is None else selector)]))
        (finding,) = findings("GKE012", dv2_cluster(), *docs)
        assert "inside the Service range 10.96.0.0/20" in " ".join(e.observed for e in finding.evidence)
        return finding.remediation.manifest or ""

    same = manifest("shop")
    assert "app: payments" in same and "ipBlock" not in same and "namespaceSelector" not in same
    other = manifest("pay")
    assert "app: payments" in other and "kubernetes.io/metadata.name: pay" in other and "ipBlock" not in other
    # a Service without a selector (Endpoints managed by hand) has no pods to select by labels: no
    # manifest, never an empty podSelector that would allow every pod of the namespace (kills `and` -> `or`)
    assert "podSelector: {}" not in manifest("shop", selector={})


# kills: cilium.py GKE026 `_rule_others` probe of an ipBlock with excepts (`strict=False` -> True on
# the excepts, `a.version == e.version and a in e` -> `or`): the API server accepts an except with
# host bits set (10.0.0.9/25 is valid, it means 10.0.0.0/25), and an except removes only the
# addresses inside it, so the block's last address still probes the rule and the deny shadows it
def test_gke026_probes_an_ip_block_outside_its_except_even_with_host_bits_set():
    from tests.checks.make_fixtures import ccnp, fqdn_cluster, world

    smtp_deny = lst("CiliumClusterwideNetworkPolicy", [ccnp("lockdown", {
        "endpointSelector": {}, "enableDefaultDeny": {"egress": False, "ingress": False},
        "egressDeny": [{"toEntities": ["world"], "toPorts": [{"ports": [{"port": "25", "protocol": "TCP"}]}]}]})])
    mail = policy("mail", "shop", {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"],
                                   "egress": [{"to": [{"ipBlock": {"cidr": "203.0.113.0/24",
                                                                   "except": ["203.0.113.9/25"]}}],
                                               "ports": [{"protocol": "TCP", "port": 25}]}]})
    (finding,) = findings("GKE026", fqdn_cluster(), *world(policies=[mail], extra=[smtp_deny]))
    assert finding.subject.name == "mail" and "egressDeny[0] of CCNP lockdown" in finding.message


# kills: cilium.py GKE026 probe choice (`a.version == e.version` -> `!=`, `a in e` -> `not in`): the
# probe is an address the block matches, never one its except removes: an allow of 203.0.113.0/24
# except 203.0.113.0/25 reaches only .128-.255, so a deny of .128/25 shadows it and a deny of
# .0/25 (the excepted half) does not
def test_gke026_probes_only_addresses_the_block_matches():
    from tests.checks.make_fixtures import ccnp, fqdn_cluster, world

    def found(denied):
        deny = lst("CiliumClusterwideNetworkPolicy", [ccnp("lockdown", {
            "endpointSelector": {}, "enableDefaultDeny": {"egress": False, "ingress": False},
            "egressDeny": [{"toCIDR": [denied], "toPorts": [{"ports": [{"port": "25", "protocol": "TCP"}]}]}]})])
        mail = policy("mail", "shop", {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"],
                                       "egress": [{"to": [{"ipBlock": {"cidr": "203.0.113.0/24",
                                                                       "except": ["203.0.113.0/25"]}}],
                                                   "ports": [{"protocol": "TCP", "port": 25}]}]})
        return [f.subject.name for f in findings("GKE026", fqdn_cluster(), *world(policies=[mail], extra=[deny]))]

    assert found("203.0.113.128/25") == ["mail"]
    assert found("203.0.113.0/25") == []


# A bug found in the second mutation pass and fixed: GKE026 probed an ipBlock peer with one
# address (its first host), so a deny of that one address was reported as shadowing an allow of
# the whole block, though the rest of it still flows. The probes are now one address per stretch
# of the block cut by the deny rules' CIDRs; a deny covering the block in pieces still shadows it.
def test_gke026_a_deny_of_one_address_does_not_shadow_an_allow_of_its_block():
    from tests.checks.make_fixtures import ccnp, fqdn_cluster, world

    deny = lst("CiliumClusterwideNetworkPolicy", [ccnp("lockdown", {
        "endpointSelector": {}, "enableDefaultDeny": {"egress": False, "ingress": False},
        "egressDeny": [{"toCIDR": ["203.0.113.1/32"], "toPorts": [{"ports": [{"port": "25", "protocol": "TCP"}]}]}]})])
    mail = policy("mail", "shop", {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"],
                                   "egress": [{"to": [{"ipBlock": {"cidr": "203.0.113.0/24"}}],
                                               "ports": [{"protocol": "TCP", "port": 25}]}]})
    assert findings("GKE026", fqdn_cluster(), *world(policies=[mail], extra=[deny])) == []


def test_gke026_a_deny_of_the_whole_block_in_pieces_shadows_it_and_a_gap_does_not():
    from tests.checks.make_fixtures import ccnp, fqdn_cluster, world

    def found(*denied):
        deny = lst("CiliumClusterwideNetworkPolicy", [ccnp("lockdown", {
            "endpointSelector": {}, "enableDefaultDeny": {"egress": False, "ingress": False},
            "egressDeny": [{"toCIDR": list(denied), "toPorts": [{"ports": [{"port": "25", "protocol": "TCP"}]}]}]})])
        mail = policy("mail", "shop", {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"],
                                       "egress": [{"to": [{"ipBlock": {"cidr": "203.0.113.0/24"}}],
                                                   "ports": [{"protocol": "TCP", "port": 25}]}]})
        return [f.subject.name for f in findings("GKE026", fqdn_cluster(), *world(policies=[mail], extra=[deny]))]

    assert found("203.0.113.0/25", "203.0.113.128/25") == ["mail"]
    assert found("203.0.113.0/25", "203.0.113.192/26") == []  # .128-.191 still flow
    assert found("203.0.113.0/23") == ["mail"]
