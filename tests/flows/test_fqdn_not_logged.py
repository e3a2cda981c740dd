"""GKE network policy logging does not record FQDNNetworkPolicy decisions (gke-facts section 13):
policy-action records of egress from FQDN-isolated pods that such a decision could change are
*not logged*, not disagreements. Ingress, other pods, Hubble records and verdicts decided
without the FQDN policies (a deny rule, an allow by NetworkPolicy) compare as before."""

from __future__ import annotations

import dataclasses

from netpol_tui.commands.flows import EXIT_DISAGREE, EXIT_UNKNOWN, exit_code
from netpol_tui.flows.compare import AGREES, DISAGREES, NOT_LOGGED
from netpol_tui.flows.diagnose import FQDN_NOT_LOGGED
from netpol_tui.model.parse_gke_policy import parse_cilium_policy, parse_fqdn_network_policy
from tests.flows.records import gke_payload, hubble_flow
from tests.flows.world import pod, policy, world

WEB_A, WEB_B = ("shop", "web-5d4f8-a"), ("shop", "web-5d4f8-b")
CACHE, DB = ("shop", "cache-0"), ("shop", "db-0")
STRIPE_IP = "198.51.100.7"


def allow_payments_api(selector: dict | None = None):
    return parse_fqdn_network_policy({
        "apiVersion": "networking.gke.io/v1alpha1", "kind": "FQDNNetworkPolicy",
        "metadata": {"name": "allow-payments-api", "namespace": "shop"},
        "spec": {"podSelector": selector if selector is not None else {"matchLabels": {"app": "web"}},
                 "egress": [{"matches": [{"name": "api.stripe.com"}], "ports": [{"protocol": "TCP", "port": 443}]}]}})


def fqdn_world(*, fqdn=None, policies=(), cilium=(), pods=None):
    snapshot = world(policies=policies, pods=pods)
    return dataclasses.replace(snapshot, fqdn_policies=(fqdn or allow_payments_api(),), cilium_policies=tuple(cilium))


def only(report):
    assert len(report.groups) == 1, [(g.src.identity, g.status) for g in report.groups]
    return report.groups[0]


def test_egress_the_fqdn_isolation_denies_is_not_logged_instead_of_disagreeing(run_flows):
    # web is isolated for egress by the FQDN policy alone: the engine denies web -> cache:6379
    records = [gke_payload("10.8.0.1", "10.8.1.2", 6379, "allow", "egress", src=WEB_A, dst=CACHE)]
    report = run_flows(fqdn_world(), records)
    group = only(report)
    assert (group.observed, group.predicted, group.status) == ("allow", "deny", NOT_LOGGED)
    assert [item["kind"] for item in group.diagnosis] == [FQDN_NOT_LOGGED]
    text = group.diagnosis[0]["text"]
    assert "FQDNNetworkPolicy shop/allow-payments-api selects the source and isolates its egress" in text
    assert "does not record FQDNNetworkPolicy decisions" in text
    data = report.to_dict()
    assert data["summary"][NOT_LOGGED] == 1 and data["summary"][DISAGREES] == 0
    assert data["groups"][0]["status"] == NOT_LOGGED
    assert "0 disagree, 0 unknown, 1 not logged, 0 agree" in report.to_text()
    assert "[NOT LOGGED] observed allow, engine: deny" in report.to_text()
    assert exit_code(report) == EXIT_UNKNOWN  # not compared: never "every group agrees"


def test_the_same_egress_without_the_fqdn_policy_agrees(run_flows):
    records = [gke_payload("10.8.0.1", "10.8.1.2", 6379, "allow", "egress", src=WEB_A, dst=CACHE)]
    assert only(run_flows(world(), records)).status == AGREES


def test_hubble_records_still_disagree(run_flows):
    # Hubble watches the datapath itself; only GKE's policy-action log leaves FQDN decisions out
    records = [hubble_flow("10.8.0.1", "10.8.1.2", 6379, "FORWARDED", "EGRESS", src=WEB_A, dst=CACHE)]
    group = only(run_flows(fqdn_world(), records))
    assert (group.predicted, group.status) == ("deny", DISAGREES)


def test_egress_to_an_address_an_fqdn_rule_may_allow_names_the_rule(run_flows):
    records = [gke_payload("10.8.0.1", STRIPE_IP, 443, "deny", "egress", src=WEB_A)]
    group = only(run_flows(fqdn_world(), records))
    assert group.status == NOT_LOGGED and group.predicted == "unknown"
    assert ("egress[0] of FQDNNetworkPolicy shop/allow-payments-api allows api.stripe.com on TCP port 443"
            in group.diagnosis[0]["text"])


def test_a_pod_the_fqdn_policy_does_not_select_still_disagrees(run_flows):
    # db is not selected: its egress is open, a deny record disagrees as before
    records = [gke_payload("10.8.1.1", "10.8.1.2", 6379, "deny", "egress", src=DB, dst=CACHE)]
    report = run_flows(fqdn_world(), records)
    group = only(report)
    assert (group.predicted, group.status) == ("allow", DISAGREES)
    assert group.diagnosis and group.diagnosis[0]["kind"] != FQDN_NOT_LOGGED
    assert exit_code(report) == EXIT_DISAGREE


def test_ingress_to_an_fqdn_isolated_pod_still_disagrees(run_flows):
    # FQDN policies only isolate egress: the ingress side of web compares as before
    records = [gke_payload("10.8.1.1", "10.8.0.1", 8080, "deny", "ingress", src=DB, dst=WEB_A)]
    group = only(run_flows(fqdn_world(), records))
    assert (group.direction, group.predicted, group.status) == ("ingress", "allow", DISAGREES)


def test_egress_a_networkpolicy_allows_is_compared(run_flows):
    allow_cache = policy("web-to-cache", "shop", {"podSelector": {"matchLabels": {"app": "web"}},
                                                  "policyTypes": ["Egress"],
                                                  "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "cache"}}}],
                                                              "ports": [{"port": 6379}]}]})
    records = [gke_payload("10.8.0.1", "10.8.1.2", 6379, "deny", "egress", src=WEB_A, dst=CACHE)]
    group = only(run_flows(fqdn_world(policies=[allow_cache]), records))
    assert (group.predicted, group.status) == ("allow", DISAGREES)


def test_egress_another_policy_isolates_and_no_fqdn_rule_can_match_is_compared(run_flows):
    isolate = policy("web-egress", "shop", {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"]})
    records = [gke_payload("10.8.0.1", "10.8.1.2", 6379, "allow", "egress", src=WEB_A, dst=CACHE)]
    group = only(run_flows(fqdn_world(policies=[isolate]), records))
    assert (group.predicted, group.status) == ("deny", DISAGREES)
    # to an address on the FQDN rule's port the FQDN rule may still decide it: not logged
    records = [gke_payload("10.8.0.1", STRIPE_IP, 443, "allow", "egress", src=WEB_A)]
    assert only(run_flows(fqdn_world(policies=[isolate]), records)).status == NOT_LOGGED


def test_egress_a_cilium_deny_rule_decides_is_compared(run_flows):
    lockdown = parse_cilium_policy({"apiVersion": "cilium.io/v2", "kind": "CiliumClusterwideNetworkPolicy",
                                    "metadata": {"name": "lockdown"},
                                    "spec": {"endpointSelector": {}, "enableDefaultDeny": {"egress": False},
                                             "egressDeny": [{"toCIDR": [f"{STRIPE_IP}/32"]}]}})
    records = [gke_payload("10.8.0.1", STRIPE_IP, 443, "allow", "egress", src=WEB_A)]
    group = only(run_flows(fqdn_world(cilium=[lockdown]), records))
    assert (group.predicted, group.status) == ("deny", DISAGREES)  # the deny wins over any FQDN rule


def test_pods_told_apart_by_a_label_only_the_fqdn_policy_selects(run_flows):
    # NetworkPolicies test `app` only; the FQDN policy selects `egress=restricted`: the two pods
    # must not share a verdict class
    pods = [pod("pay-0", "shop", {"app": "web", "egress": "restricted"}, "10.8.0.1"),
            pod("pay-1", "shop", {"app": "web"}, "10.8.0.2"),
            pod("cache-0", "shop", {"app": "cache"}, "10.8.1.2")]
    uses_app = policy("cache-ingress", "shop", {"podSelector": {"matchLabels": {"app": "cache"}},
                                                "policyTypes": ["Ingress"],
                                                "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}]}]})
    snapshot = fqdn_world(fqdn=allow_payments_api({"matchLabels": {"egress": "restricted"}}), policies=[uses_app],
                          pods=pods)
    records = [gke_payload("10.8.0.1", "10.8.1.2", 6379, "allow", "egress", src=("shop", "pay-0"), dst=CACHE),
               gke_payload("10.8.0.2", "10.8.1.2", 6379, "allow", "egress", src=("shop", "pay-1"), dst=CACHE)]
    statuses = {group.src.pod_name: (group.predicted, group.status) for group in run_flows(snapshot, records).groups}
    assert statuses == {"pay-0": ("deny", NOT_LOGGED), "pay-1": ("allow", AGREES)}


def test_off_the_dataplane_v2_model_fqdn_policies_change_nothing(run_flows):
    records = [gke_payload("10.8.0.1", "10.8.1.2", 6379, "allow", "egress", src=WEB_A, dst=CACHE)]
    group = only(run_flows(fqdn_world(), records, dataplane="calico"))
    assert (group.predicted, group.status) == ("allow", AGREES)


def test_a_cilium_deny_is_the_deciding_rule_and_go_to_opens_the_ccnp(run_flows):
    """The deciding rule keeps its kind: `g` on the Flows screen opens the CCNP, never a
    NetworkPolicy that happens to share a name (nor the pod)."""
    from screens.flows import go_target

    lockdown = parse_cilium_policy({"apiVersion": "cilium.io/v2", "kind": "CiliumClusterwideNetworkPolicy",
                                    "metadata": {"name": "lockdown"},
                                    "spec": {"endpointSelector": {}, "enableDefaultDeny": {"egress": False},
                                             "egressDeny": [{"toCIDR": [f"{STRIPE_IP}/32"]}]}})
    records = [gke_payload("10.8.0.1", STRIPE_IP, 443, "allow", "egress", src=WEB_A)]
    snapshot = fqdn_world(cilium=[lockdown])
    report = run_flows(snapshot, records)
    group = only(report)
    assert [(item["kind"], item["policy"]) for item in report.deciding(group)] == [("CCNP", "lockdown")]
    assert go_target(report, group, snapshot) == ("CiliumClusterwideNetworkPolicy", None, "lockdown")


def test_a_cnp_allow_opens_the_cnp_not_a_networkpolicy_of_its_name(run_flows):
    from screens.flows import go_target

    allow = parse_cilium_policy({"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
                                 "metadata": {"name": "web-out", "namespace": "shop"},
                                 "spec": {"endpointSelector": {"matchLabels": {"app": "web"}},
                                          "egress": [{"toEndpoints": [{"matchLabels": {"app": "cache"}}]}]}})
    records = [gke_payload("10.8.0.1", "10.8.1.2", 6379, "allow", "egress", src=WEB_A, dst=CACHE)]
    snapshot = dataclasses.replace(world(), cilium_policies=(allow,))
    report = run_flows(snapshot, records)
    group = only(report)
    assert group.predicted == "allow"
    assert ("CNP", "shop/web-out") in {(item["kind"], item["policy"]) for item in report.deciding(group)}
    assert go_target(report, group, snapshot) == ("CiliumNetworkPolicy", "shop", "web-out")
