"""Tests written to kill the mutants of policy/ that survived the area's tests (docs/mutation.md).

Each test states a Kubernetes or GKE rule; the comment above it names the mutant it kills.
"""

from __future__ import annotations

import dataclasses
import itertools

from netpol_tui.model.parse import parse_cluster
from netpol_tui.model.policy import LabelSelector, LabelSelectorRequirement, SelectorOperator
from netpol_tui.policy import Direction, PolicyEngine, RuleRef, match_selector, one_edit_apart
from netpol_tui.policy.selectors import explain_terms
from tests.policy.builders import pod, policy, snapshot

EXT_BLOCK = "203.0.113.0/24"


def pods():
    return [
        pod("web-0", "shop", {"app": "web"}, "10.1.0.1"),
        pod("db-0", "shop", {"app": "db"}, "10.1.0.2", ports=[{"name": "pg", "containerPort": 5432}]),
        pod("node-agent", "shop", {"app": "agent"}, "10.128.0.5", host_network=True),
    ]


DENY_ALL = policy("deny-all", "shop", policyTypes=["Ingress", "Egress"])


def engine(policies=(DENY_ALL,), model="kubernetes", **extra) -> PolicyEngine:
    return PolicyEngine(snapshot(pods(), policies, **extra), model)


def ask(eng: PolicyEngine, src: str, dst: str, port: int, protocol: str = "TCP"):
    (a,) = eng.resolve(src)
    (b,) = eng.resolve(dst)
    return eng.evaluate(a, b, port, protocol)


# ------------------------------------------------------------------ cidr.py: the CIDR sweep


# kills: cidr.py `if self.dataplane is Dataplane.NONE` dropped, and its verdict's partial flag True
def test_cidr_sweep_with_enforcement_off_allows_everything_and_isolates_nothing():
    # a Standard cluster without NetworkPolicy enforcement: policies exist but none is enforced
    eng = engine(model="none")
    for direction in ("Ingress", "Egress"):
        result = eng.evaluate_cidr(eng.pod("shop", "db-0"), EXT_BLOCK, 5432, "TCP", direction)
        assert result.fully_allowed and not result.partially_allowed
        assert result.isolated is False and result.uncovered == ()


# kills: cidr.py `if pod.host_network` dropped, and its verdict's partial flag True
def test_cidr_sweep_to_a_host_network_pod_is_not_governed_by_policy():
    # hostNetwork pods are not selected by NetworkPolicy in practice (gke-facts): a deny-all that
    # selects every pod of the namespace does not isolate the node agent
    for model in ("calico", "dataplane-v2"):
        eng = engine(model=model)
        agent = eng.pod("shop", "node-agent")
        result = eng.evaluate_cidr(agent, EXT_BLOCK, 9100, "TCP", "Ingress")
        assert result.fully_allowed and not result.partially_allowed and not result.isolated
        assert any("host network" in note for note in result.notes)
        # the same deny-all does isolate an ordinary pod next to it
        assert not eng.evaluate_cidr(eng.pod("shop", "db-0"), EXT_BLOCK, 5432, "TCP", "Ingress").fully_allowed


# ------------------------------------------------------------------ ranges.py: the cluster's ranges


def ranged_engine() -> PolicyEngine:
    cluster = parse_cluster({"name": "c1", "currentMasterVersion": "1.29.1-gke.100",
                             "networkConfig": {"datapathProvider": "ADVANCED_DATAPATH"},
                             "ipAllocationPolicy": {"clusterIpv4CidrBlock": "10.1.0.0/16",
                                                    "servicesIpv4CidrBlock": "10.96.0.0/20"}})
    return PolicyEngine(dataclasses.replace(snapshot(pods(), ()), cluster=cluster), "auto")


# kills: ranges.py range_of `index >= 0` -> `index >= -1` (an address below every range matched the last)
def test_an_address_just_below_the_pod_range_is_not_in_it():
    eng = ranged_engine()
    for below in ("10.0.255.255", "10.0.0.1", "9.9.9.9"):
        notes = ask(eng, below, "shop/db-0", 5432).notes
        assert not any("pod range" in note or "Service range" in note for note in notes), below
    assert any("pod range" in note for note in ask(eng, "10.1.0.0", "shop/db-0", 5432).notes)


# kills: cidr.py `verdict(True, False, False)` for a pod no policy isolates -> partial flag True
def test_cidr_sweep_of_a_direction_no_policy_isolates_is_fully_and_only_fully_allowed():
    eng = engine([policy("ingress-only", "shop", policyTypes=["Ingress"])], "calico")
    result = eng.evaluate_cidr(eng.pod("shop", "db-0"), EXT_BLOCK, 5432, "TCP", "Egress")
    assert result.fully_allowed and not result.partially_allowed and result.isolated is False
    assert not eng.evaluate_cidr(eng.pod("shop", "db-0"), EXT_BLOCK, 5432, "TCP", "Ingress").fully_allowed


# kills: cidr.py `if first_peer is not None` -> `is None` (the sweep cited the rule whose ipBlock missed)
def test_cidr_sweep_cites_the_rule_and_peer_whose_ipblock_covers_it():
    eng = engine([policy("lb", "shop", podSelector={"matchLabels": {"app": "db"}}, ingress=[
        {"from": [{"ipBlock": {"cidr": "198.51.100.0/24"}}]},
        {"from": [{"podSelector": {"matchLabels": {"app": "web"}}}, {"ipBlock": {"cidr": EXT_BLOCK}}]},
    ])], "calico")
    result = eng.evaluate_cidr(eng.pod("shop", "db-0"), EXT_BLOCK, 5432, "TCP", "Ingress")
    assert result.fully_allowed
    assert result.allowed_by == (RuleRef("shop", "lb", Direction.INGRESS, 1, 1, None),)


# kills: cidr.py `if direction is Direction.INGRESS` flipped when the traffic is built (a named
# port is the destination pod's: on Ingress the swept pod's own containerPort)
def test_cidr_sweep_resolves_a_named_port_on_the_receiving_pod():
    eng = engine([policy("pg-from-lb", "shop", podSelector={"matchLabels": {"app": "db"}}, ingress=[
        {"from": [{"ipBlock": {"cidr": EXT_BLOCK}}], "ports": [{"port": "pg"}]}])], "calico")
    db = eng.pod("shop", "db-0")
    assert eng.evaluate_cidr(db, EXT_BLOCK, 5432, "TCP", "Ingress").fully_allowed
    assert not eng.evaluate_cidr(db, EXT_BLOCK, 5433, "TCP", "Ingress").partially_allowed


# ------------------------------------------------------------------ selectors.py: the typo hint


# kills: selectors.py one_edit_apart `and` -> `or` in the swap test, and the shorter/longer swap
def test_one_edit_apart_is_exactly_one_insertion_deletion_substitution_or_adjacent_swap():
    for a, b in [("wbe", "web"), ("wab", "web"), ("we", "web"), ("web", "we"), ("webb", "web"), ("app", "ap")]:
        assert one_edit_apart(a, b) and one_edit_apart(b, a), (a, b)
    for a, b in [("web", "web"), ("web", "wxy"), ("abcd", "xbcy"), ("we", "webb"), ("db", "web"), ("ab", "ba ")]:
        assert not one_edit_apart(a, b) and not one_edit_apart(b, a), (a, b)


# kills: selectors.py explain_terms NotIn `current is None or current not in values` -> `and`
def test_every_explained_term_holds_exactly_when_the_selector_matches():
    # the spec's operators: In (key present, value listed), NotIn (key absent, or value not listed),
    # Exists, DoesNotExist; matchLabels and matchExpressions are ANDed
    requirements = [LabelSelectorRequirement("tier", op, values) for op, values in [
        (SelectorOperator.IN, ("front", "back")), (SelectorOperator.NOT_IN, ("back",)),
        (SelectorOperator.EXISTS, ()), (SelectorOperator.DOES_NOT_EXIST, ())]]
    label_sets = [{}, {"tier": "front"}, {"tier": "back"}, {"tier": "edge", "app": "web"}, {"app": "web"}]
    for match_labels, requirement, labels in itertools.product([{}, {"app": "web"}], requirements, label_sets):
        selector = LabelSelector(match_labels, (requirement,))
        terms = explain_terms(selector, labels)
        assert all(term.matched for term in terms) == match_selector(selector, labels), (selector, labels)
    not_in = LabelSelector({}, (requirements[1],))
    assert [t.matched for t in explain_terms(not_in, {"tier": "front"})] == [True]
    assert [t.matched for t in explain_terms(not_in, {})] == [True]
    assert [t.matched for t in explain_terms(not_in, {"tier": "back"})] == [False]


# kills: selectors.py _key_hint's case-only branch dropped, and the Exists hint dropped
def test_a_missing_key_is_explained_by_its_near_miss():
    # label keys are case-sensitive: APP=web does not select app=web, and the hint says why
    (term,) = explain_terms(LabelSelector({"APP": "web"}), {"app": "web"})
    assert not term.matched and "differs from 'APP' only in case" in (term.hint or "")
    exists = LabelSelector({}, (LabelSelectorRequirement("tier", SelectorOperator.EXISTS),))
    (term,) = explain_terms(exists, {"teir": "front"})
    assert not term.matched and "one character away" in (term.hint or "")
    (term,) = explain_terms(exists, {"zone": "a"})
    assert not term.matched and term.hint is None


# ------------------------------------------------------------------ evaluation.py


# kills: evaluation.py _independence_note `elif allowed:` dropped (an allowed verdict said a side denied it)
def test_a_definite_verdict_despite_unread_namespaces_says_which_way_it_went():
    from netpol_tui.model.snapshot import Kind

    unread = [(Kind.NAMESPACE, "namespaces: forbidden")]
    allowed = ask(engine((), "calico", unread=unread), "shop/web-0", "shop/db-0", 5432)
    assert allowed.allowed is True
    assert any("does not depend on them" in n and "both sides allow it" in n for n in allowed.notes)
    assert not any("denies it" in n for n in allowed.notes)
    denied = ask(engine((policy("deny-in", "shop", policyTypes=["Ingress"]),), "calico", unread=unread),
                 "shop/web-0", "shop/db-0", 5432)
    assert denied.allowed is False
    assert any("ingress side denies it" in n for n in denied.notes)


# kills: evaluation.py `applies` True -> False on the allowed and denied pod sides, and the
# hostNetwork side's isolating policies taken from the wrong part of the view
def test_which_side_policy_applies_to_and_who_isolates_it():
    allow_web = policy("allow-web", "shop", podSelector={"matchLabels": {"app": "db"}},
                       ingress=[{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}]}])
    eng = engine((DENY_ALL, allow_web), "calico")
    allowed = ask(eng, "shop/web-0", "shop/db-0", 5432)
    assert allowed.ingress.applies is True and allowed.ingress.allowed is True
    assert sorted(allowed.ingress.isolating_policies) == ["shop/allow-web", "shop/deny-all"]
    denied = ask(eng, "shop/db-0", "shop/web-0", 80)
    assert denied.egress.applies is True and denied.egress.allowed is False
    # a hostNetwork pod is selected by the deny-all, yet policy does not apply to it in practice
    host = ask(eng, "shop/web-0", "shop/node-agent", 9100).ingress
    assert host.applies is False and host.allowed is True
    assert host.isolating_policies == ("shop/deny-all",)
    outside = ask(eng, "shop/db-0", "203.0.113.7", 443).ingress
    assert outside.applies is False


# kills: evaluation.py summary `allowed_by[0]` -> `allowed_by[-1]` (the first allowing rule is named)
def test_an_allowed_side_names_its_first_allowing_rule_and_counts_the_rest():
    both = policy("two-ways", "shop", podSelector={"matchLabels": {"app": "db"}}, ingress=[
        {"ports": [{"port": 5432}]}, {"from": [{"podSelector": {"matchLabels": {"app": "web"}}}]}])
    ingress = ask(engine((both,), "calico"), "shop/web-0", "shop/db-0", 5432).ingress
    first, second = ingress.allowed_by
    assert (first.rule_index, second.rule_index) == (0, 1)
    assert f"allowed by {first}" in ingress.summary and "(and 1 more rule)" in ingress.summary


# kills: evaluation.py `applies` True -> False on a side that no policy isolates
def test_a_pod_side_no_policy_isolates_still_applies():
    eng = engine((policy("deny-in", "shop", policyTypes=["Ingress"]),), "calico")
    egress = ask(eng, "shop/web-0", "shop/db-0", 5432).egress
    assert egress.applies is True and egress.isolated is False and egress.allowed is True


# kills: evaluation.py _match_rule's port check dropped (a policy that does not select the pod was
# offered as "would allow this" although its rule is for another port)
def test_would_allow_hints_only_name_rules_that_match_the_port():
    def near_miss(port):
        return policy("for-dbb", "shop", podSelector={"matchLabels": {"app": "dbb"}},
                      ingress=[{"ports": [{"port": port}]}])
    deny = policy("deny-in", "shop", policyTypes=["Ingress"])
    right_port = ask(engine((deny, near_miss(5432)), "calico"), "shop/web-0", "shop/db-0", 5432).ingress
    assert right_port.allowed is False
    assert any("for-dbb would allow this" in reason for reason in right_port.denied_because)
    wrong_port = ask(engine((deny, near_miss(9999)), "calico"), "shop/web-0", "shop/db-0", 5432).ingress
    assert wrong_port.allowed is False
    assert not any("for-dbb" in reason for reason in wrong_port.denied_because)


# kills: evaluation.py _first_port's `continue` after an undecided entry (a ClusterIP's port is
# translated to the Service's targetPort, so with Services unread a port entry cannot decide)
def test_egress_port_rule_to_a_possible_cluster_ip_is_unknown_when_services_are_unread():
    from netpol_tui.model.snapshot import Kind

    out = policy("web-out", "shop", podSelector={"matchLabels": {"app": "web"}}, policyTypes=["Egress"],
                 egress=[{"ports": [{"port": 80}]}])  # to every destination, port 80 only
    read = ask(engine((out,), "calico"), "shop/web-0", "10.96.0.10", 80).egress
    unread = ask(engine((out,), "calico", unread=[(Kind.SERVICE, "services: forbidden")]),
                 "shop/web-0", "10.96.0.10", 80).egress
    assert read.allowed is True
    assert unread.allowed is None and unread.unknown_because


# kills: evaluation.py `if Kind.NETWORK_POLICY in self.unread` on an address side (the reason that
# the policies themselves were not read went missing)
def test_an_unknown_address_side_says_the_policies_were_not_read_too():
    from netpol_tui.model.snapshot import Kind

    eng = engine((), "calico", unread=[(Kind.POD, "pods: forbidden"), (Kind.NETWORK_POLICY, "netpol: forbidden")])
    ingress = ask(eng, "shop/web-0", "10.1.0.77", 80).ingress
    assert ingress.allowed is None
    assert any("netpol: forbidden" in reason for reason in ingress.unknown_because)
    assert any("pods: forbidden" in reason for reason in ingress.unknown_because)


# kills: cidr.py the Dataplane V2 metadata note's `and` -> `or` (only Egress sweeps that hold
# 169.254.169.254 on Dataplane V2 get it)
def test_the_metadata_note_is_only_for_dataplane_v2_egress_sweeps_over_the_metadata_address():
    def notes(model, cidr, direction):
        eng = engine((DENY_ALL,), model)
        return eng.evaluate_cidr(eng.pod("shop", "web-0"), cidr, 80, "TCP", direction).notes

    def says(found):
        return any("rewritten by the node" in note for note in found)

    assert says(notes("dataplane-v2", "169.254.0.0/16", "Egress"))
    assert not says(notes("dataplane-v2", EXT_BLOCK, "Egress"))
    assert not says(notes("dataplane-v2", "169.254.0.0/16", "Ingress"))
    assert not says(notes("calico", "169.254.0.0/16", "Egress"))


# ------------------------------------------------------------------ gke_rules.py


# kills (timed out under load in the run): gke_rules.py fqdn_targets' "three at most" 3 -> 4
def test_an_fqdn_rule_names_three_targets_and_counts_the_rest():
    from netpol_tui.model.gke_policy import FqdnRule
    from netpol_tui.policy.gke_rules import fqdn_targets

    rule = FqdnRule(names=("a.example", "b.example", "c.example", "d.example"), patterns=("*.cdn.example",))
    assert fqdn_targets(rule) == "a.example, b.example, c.example and 2 more"
    three = FqdnRule(names=("a.example", "b.example"), patterns=("*.cdn.example",))
    assert fqdn_targets(three) == "a.example, b.example, names matching *.cdn.example"
    assert fqdn_targets(FqdnRule(names=("a.example", "b.example", "c.example", "d.example"))).endswith(" and 1 more")


# ------------------------------------------------------------------ addresses.py


# kills: addresses.py parse_network strict=False -> True (the API server accepts host bits in an
# ipBlock CIDR: 203.0.113.9/24 means 203.0.113.0/24)
def test_a_cidr_with_host_bits_means_its_network():
    eng = engine([policy("lb", "shop", podSelector={"matchLabels": {"app": "db"}},
                         ingress=[{"from": [{"ipBlock": {"cidr": "203.0.113.9/24"}}]}])], "calico")
    result = eng.evaluate_cidr(eng.pod("shop", "db-0"), "203.0.113.77/24", 5432, "TCP", "Ingress")
    assert result.cidr == "203.0.113.0/24" and result.fully_allowed


# kills: addresses.py union's overlap test against the last merged interval (`[-1][2]` -> `[-1][1]`,
# `[-1]` -> `[0]`): the union of intervals is sorted, disjoint and covers exactly the inputs
def test_union_of_intervals_is_sorted_disjoint_and_exact():
    from netpol_tui.policy.addresses import union

    assert union([(4, 0, 100), (4, 50, 150)]) == [(4, 0, 150)]
    assert union([(4, 20, 30), (4, 0, 10), (4, 25, 27)]) == [(4, 0, 10), (4, 20, 30)]
    assert union([(4, 0, 10), (4, 11, 20), (6, 0, 5)]) == [(4, 0, 20), (6, 0, 5)]  # adjacent ones merge
    assert union([(4, 0, 10), (4, 12, 20)]) == [(4, 0, 10), (4, 12, 20)]
    assert union([(4, 0, 10), (6, 0, 5), (6, 3, 8)]) == [(4, 0, 10), (6, 0, 8)]  # per family


# kills: addresses.py try_parse_address's fast path `len(part) > 1 and part[0] == "0"` -> `> 2`
# (a leading zero is ambiguous octal: Go's net.ParseIP, and so the API server, rejects it)
def test_a_dotted_quad_with_a_leading_zero_is_not_an_address():
    from netpol_tui.policy.addresses import try_parse_address

    assert try_parse_address("10.01.0.1") is None and try_parse_address("010.1.0.1") is None
    parsed = try_parse_address("10.1.0.1")
    assert parsed is not None and parsed.value == (10 << 24) + (1 << 16) + 1


# kills: endpoints.py `parts[0].lower() in ("svc", "service")` -> `parts[1]` (`svc/NAME` in the
# default namespace is that Service, resolved to the pods it sends to)
def test_svc_slash_name_resolves_in_the_default_namespace():
    from tests.policy.builders import service

    eng = engine(services=[service("web", "shop", selector={"app": "web"})])
    (endpoint,) = eng.resolve("svc/web", "shop")
    assert endpoint.pod is not None and endpoint.pod.name == "web-0"


# ------------------------------------------------------------------ unread.py


# kills: unread.py _term_holds NotIn `or` -> `and`, DoesNotExist's `return not present` -> False, and
# the operator codes (Exists = NotIn): with the namespaces unread, a namespaceSelector on
# kubernetes.io/metadata.name is still decided, since every namespace carries that label (its name)
def test_metadata_name_selectors_decide_without_namespace_labels():
    from netpol_tui.model.snapshot import Kind

    def verdict(operator, values=()):
        expression = {"key": "kubernetes.io/metadata.name", "operator": operator, "values": list(values)}
        if not values:
            del expression["values"]
        allow = policy("db-in", "shop", podSelector={"matchLabels": {"app": "db"}},
                       ingress=[{"from": [{"namespaceSelector": {"matchExpressions": [expression]}}]}])
        snap = snapshot([*pods(), pod("client-0", "web", {"app": "client"}, "10.2.0.1")], [allow],
                        unread=[(Kind.NAMESPACE, "namespaces: forbidden")])
        return ask(PolicyEngine(snap, "calico"), "web/client-0", "shop/db-0", 5432).allowed

    assert verdict("NotIn", ["shop"]) is True
    assert verdict("NotIn", ["web"]) is False
    assert verdict("In", ["web"]) is True
    assert verdict("Exists") is True
    assert verdict("DoesNotExist") is False


# ------------------------------------------------------------------ verdicts.py, common.py


# kills: verdicts.py DirectionResult.to_dict's `if self.allowed is None` (unknown_because belongs
# to unknown sides only) and CidrVerdict.known `return not self.unknown_because` -> False
def test_unknown_reasons_appear_exactly_on_unknown_answers():
    from netpol_tui.model.snapshot import Kind

    known = ask(engine((), "calico"), "shop/web-0", "shop/db-0", 5432)
    assert "unknown_because" not in known.ingress.to_dict()
    unread = engine((), "calico", unread=[(Kind.NETWORK_POLICY, "netpol: forbidden")])
    unknown = ask(unread, "shop/web-0", "shop/db-0", 5432)
    assert unknown.ingress.to_dict()["unknown_because"] and unknown.allowed is None
    read = engine((), "calico")
    assert read.evaluate_cidr(read.pod("shop", "db-0"), EXT_BLOCK, 80, "TCP", "Ingress").known
    assert not unread.evaluate_cidr(unread.pod("shop", "db-0"), EXT_BLOCK, 80, "TCP", "Ingress").known


# kills: common.py _port_text `port.port is None` flipped and the named-port branch dropped (a denial
# names the port entry as written: every port of a protocol, or a named port)
def test_a_protocol_mismatch_denial_names_the_port_entry_as_written():
    def reason(port_entry):
        allow = policy("db-in", "shop", podSelector={"matchLabels": {"app": "db"}}, ingress=[{"ports": [port_entry]}])
        return " ".join(ask(engine((allow,), "calico"), "shop/web-0", "shop/db-0", 5432, "UDP").ingress.denied_because)

    assert "allows TCP (every port), traffic is UDP" in reason({"protocol": "TCP"})
    assert "allows TCP named port pg, traffic is UDP" in reason({"protocol": "TCP", "port": "pg"})
    assert "allows TCP 5432, traffic is UDP" in reason({"protocol": "TCP", "port": 5432})


# kills: verdicts.py sentences' `if self.requested_port is not None` dropped (the Service port asked
# for is translated to the pod's targetPort before policy applies; the sentence shows both)
def test_the_pasted_sentence_shows_the_service_port_beside_the_target_port():
    from tests.policy.builders import service

    eng = engine((), "calico", services=[service("db", "shop", selector={"app": "db"},
                                                 ports=[{"port": 80, "targetPort": 5432}])])
    (src,) = eng.resolve("shop/web-0")
    (dst,) = eng.resolve("shop/svc/db")
    verdict = eng.evaluate(src, dst, 80, "TCP")
    assert verdict.port == 5432 and "on TCP port 5432 (Service port 80) is ALLOWED" in verdict.sentences()[0]
    direct = ask(eng, "shop/web-0", "shop/db-0", 5432).sentences()[0]
    assert "Service port" not in direct


# kills: common.py `MAX_RULES_SHOWN = 3` (+1/-1): a denial spells out the three nearest rules of a
# policy (each fails only at its peer here) and counts the rest, in the singular for one
def test_a_denial_spells_out_three_nearest_rules_and_counts_the_rest():
    def reasons(count):
        rules = [{"from": [{"podSelector": {"matchLabels": {"app": f"cache-{i}"}}}]} for i in range(count)]
        allow = policy("db-in", "shop", podSelector={"matchLabels": {"app": "db"}}, ingress=rules)
        return ask(engine((allow,), "calico"), "shop/web-0", "shop/db-0", 5432).ingress.denied_because

    def shown(found):
        return sorted({r.split(" of policy")[0] for r in found if r.startswith("peer 0 of ingress rule")})

    four = reasons(4)
    assert shown(four) == ["peer 0 of ingress rule 0", "peer 0 of ingress rule 1", "peer 0 of ingress rule 2"]
    assert "1 more ingress rule of policy shop/db-in fails as closely" in four
    five = reasons(5)
    assert len(shown(five)) == 3 and "2 more ingress rules of policy shop/db-in fail as closely" in five
    three = reasons(3)
    assert len(shown(three)) == 3 and not any("more ingress rule" in r for r in three)


# the plural fix in explanation.py: beyond MAX_PEERS_SHOWN (4) peers or port entries of a nearest
# rule, the rest are counted through text.plural ("1 more peer ... does not", "2 more ... do not")
def test_a_denial_counts_the_peers_and_port_entries_it_does_not_spell_out():
    def reasons(peers, ports):
        rule = {"from": [{"podSelector": {"matchLabels": {"app": f"cache-{i}"}}} for i in range(peers)],
                "ports": [{"protocol": "TCP", "port": 6000 + i} for i in range(ports)]}
        allow = policy("db-in", "shop", podSelector={"matchLabels": {"app": "db"}}, ingress=[rule])
        return ask(engine((allow,), "calico"), "shop/web-0", "shop/db-0", 5432).ingress.denied_because

    one = reasons(5, 5)
    assert "1 more peer of ingress rule 0 of policy shop/db-in does not match the source either" in one
    assert "1 more port entry of ingress rule 0 of policy shop/db-in does not match either" in one
    two = reasons(6, 6)
    assert "2 more peers of ingress rule 0 of policy shop/db-in do not match the source either" in two
    assert "2 more port entries of ingress rule 0 of policy shop/db-in do not match either" in two
    assert not any(" more " in r for r in reasons(4, 4))


# kills: unread.py CRD_RESOURCES `("ciliumnetworkpolicies.cilium.io", True)` -> False: a
# CiliumNetworkPolicy is namespaced, so the permission to list it everywhere is asked with -A; a
# CiliumClusterwideNetworkPolicy is cluster-scoped and takes no namespace flag
def test_an_unread_cilium_policy_names_each_resource_with_its_scope():
    from netpol_tui.model.snapshot import Kind
    from netpol_tui.policy.unread import Unread

    reason = ("ciliumnetworkpolicies.cilium.io is forbidden; "
              "ciliumclusterwidenetworkpolicies.cilium.io is forbidden")
    sentence = Unread(snapshot(pods(), (), unread=[(Kind.CILIUM_POLICY, reason)])).crd_sentence(Kind.CILIUM_POLICY)
    assert sentence is not None
    assert "`kubectl auth can-i list ciliumnetworkpolicies.cilium.io -A`" in sentence
    assert "`kubectl auth can-i list ciliumclusterwidenetworkpolicies.cilium.io`" in sentence


# kills: index.py namespace_labels `if labels is None` (dropped, `is` -> `is not`): a namespace
# that holds pods but whose Namespace object is not in the snapshot (a stale or partial read)
# still has the label kubernetes.io/metadata.name=<its name>, which the API server sets on every
# namespace (Kubernetes 1.21+); its other labels are not invented
def test_an_unlisted_namespace_still_carries_its_metadata_name_label():
    import dataclasses

    from tests.policy.builders import namespace

    snap = snapshot([*pods(), pod("job-0", "batch", {"app": "job"}, "10.1.0.9")], ())
    snap = dataclasses.replace(snap, namespaces=(namespace("shop", {"kubernetes.io/metadata.name": "shop"}),))
    eng = PolicyEngine(snap, "calico")
    by_name = LabelSelector({"kubernetes.io/metadata.name": "batch"})
    assert eng.namespace_labels("batch") == {"kubernetes.io/metadata.name": "batch"}
    assert eng.namespaces_matching(by_name) == ("batch",)
    assert eng.namespaces_matching(LabelSelector({"team": "batch"})) == ()


# kills: verdicts.py DirectionResult.known and Verdict.known (`return self.allowed is not None` ->
# False / True): an answer is known when it is ALLOWED or DENIED, and not when the NetworkPolicies
# it depends on were not read
def test_known_is_true_exactly_for_definite_answers():
    from netpol_tui.model.snapshot import Kind

    allowed = ask(engine((), "calico"), "shop/web-0", "shop/db-0", 5432)
    denied = ask(engine(), "shop/web-0", "shop/db-0", 5432)
    unread = engine((), "calico", unread=[(Kind.NETWORK_POLICY, "netpol: forbidden")])
    unknown = ask(unread, "shop/web-0", "shop/db-0", 5432)
    assert allowed.allowed is True and allowed.known and allowed.ingress.known and allowed.egress.known
    assert denied.allowed is False and denied.known and denied.ingress.known
    assert unknown.allowed is None and not unknown.known and not unknown.ingress.known


# kills: verdicts.py sentences' `if self.allowed is None` flipped: the pasted sentences of an
# UNKNOWN answer list the data that was not read; an ALLOWED one has no such section
def test_the_pasted_sentences_list_the_missing_data_only_for_unknown_answers():
    from netpol_tui.model.snapshot import Kind

    unread = engine((), "calico", unread=[(Kind.NETWORK_POLICY, "netpol: forbidden")])
    unknown = ask(unread, "shop/web-0", "shop/db-0", 5432).sentences()
    assert "is UNKNOWN" in unknown[0] and unknown[1] == "It depends on data that was not read:"
    assert any(line.startswith("  ? ") and "netpol: forbidden" in line for line in unknown)
    allowed = ask(engine((), "calico"), "shop/web-0", "shop/db-0", 5432).sentences()
    assert "is ALLOWED" in allowed[0]
    assert not any("not read" in line or line.startswith("  ? ") for line in allowed)


# kills: addresses.py subtract's `if v != version or last < low or first > high` dropped: removing
# a range that misses a piece leaves that piece as it was. An ipBlock 10.0.0.0/22 with excepts
# 10.0.1.0/24 and 10.0.3.0/24 matches exactly 10.0.0.0/24 and 10.0.2.0/24, so a sweep of the /22
# leaves the two excepts uncovered and nothing else
def test_an_ip_block_with_two_excepts_covers_exactly_the_pieces_between_them():
    block = {"ipBlock": {"cidr": "10.0.0.0/22", "except": ["10.0.1.0/24", "10.0.3.0/24"]}}
    allow = policy("db-in", "shop", podSelector={"matchLabels": {"app": "db"}}, ingress=[{"from": [block]}])
    eng = engine((allow,), "calico")
    sweep = eng.evaluate_cidr(eng.pod("shop", "db-0"), "10.0.0.0/22", 5432, "TCP", "Ingress")
    assert sweep.partially_allowed and not sweep.fully_allowed
    assert sweep.uncovered == ("10.0.1.0/24", "10.0.3.0/24")
    inside = eng.evaluate_cidr(eng.pod("shop", "db-0"), "10.0.2.0/24", 5432, "TCP", "Ingress")
    assert inside.fully_allowed and inside.uncovered == ()


# kills: addresses.py subtract's `last < low` -> `<=` and `first > high` -> `>=`: an except of the
# block's first or last address alone (a /32 at either end) removes that one address
def test_an_except_of_the_first_or_last_address_removes_that_address():
    def uncovered(excepted):
        block = {"ipBlock": {"cidr": "10.0.0.0/24", "except": [excepted]}}
        allow = policy("db-in", "shop", podSelector={"matchLabels": {"app": "db"}}, ingress=[{"from": [block]}])
        eng = engine((allow,), "calico")
        return eng.evaluate_cidr(eng.pod("shop", "db-0"), "10.0.0.0/24", 5432, "TCP", "Ingress").uncovered

    assert uncovered("10.0.0.0/32") == ("10.0.0.0/32",)
    assert uncovered("10.0.0.255/32") == ("10.0.0.255/32",)


# kills: unread.py _satisfiable's `op in (_SELECTOR_IN, _SELECTOR_EXISTS)` -> `not in`: for a
# namespace whose labels were not read, a namespaceSelector `team DoesNotExist` may or may not
# match (unknown), while `team Exists` with `team DoesNotExist` contradicts itself (never matches)
def test_a_namespace_selector_on_unread_labels_is_unknown_unless_it_contradicts_itself():
    from netpol_tui.policy.selectors import CompiledSelector
    from netpol_tui.policy.unread import namespace_match_without_labels

    def match(*terms):
        reqs = tuple(LabelSelectorRequirement(key, op, tuple(values)) for key, op, values in terms)
        return namespace_match_without_labels(CompiledSelector(LabelSelector({}, reqs)), "batch")

    absent = ("team", SelectorOperator.DOES_NOT_EXIST, ())
    assert match(absent) is None
    assert match(("team", SelectorOperator.NOT_IN, ("a",))) is None
    assert match(("team", SelectorOperator.EXISTS, ()), absent) is False
    assert match(("team", SelectorOperator.IN, ("a",)), absent) is False
