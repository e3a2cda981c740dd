"""Explanations: the nearest rules and why each fails, what could not be decided and which kind is
missing, and the caveats (hostNetwork, stale IPs, dual stack, metadata rewrite).
"""

from __future__ import annotations

from collections.abc import Mapping

from netpol_tui.model.objects import Pod
from netpol_tui.model.policy import LabelSelector, NetworkPolicy, PolicyPeer, PolicyPort
from netpol_tui.model.snapshot import Kind
from netpol_tui.policy.common import (
    DV2,
    MAX_PEERS_SHOWN,
    MAX_RULES_SHOWN,
    METADATA_ADDRESS,
    NO_MATCH,
    UNDECIDED,
    WORDS,
    CompiledPolicy,
    Outcome,
    Undecided,
    _CPeer,
    _port_text,
    _subject_to_policy,
    _Traffic,
    policy_name,
)
from netpol_tui.policy.index import PolicyIndex
from netpol_tui.policy.results import (
    Dataplane,
    Direction,
    Endpoint,
)
from netpol_tui.policy.selectors import explain_terms, failure_text, selector_text
from netpol_tui.policy.unread import namespace_match_without_labels
from netpol_tui.text import plural


class ExplanationMixin(PolicyIndex):
    """Why a side is denied or unknown, and the caveats an on-call engineer needs, in sentences."""

    def _undecided_reasons(self, undecided: list[Undecided], direction: Direction, other: Endpoint, doubt: tuple[Kind, ...],
                           t: _Traffic) -> list[str]:
        """For each rule that may allow the traffic, what could not be decided and which kind is missing."""
        word = WORDS[direction]
        reasons: list[str] = []
        for policy, rule, peer_index, port_index in undecided[:MAX_RULES_SHOWN * 2]:
            rule_text = f"{word} rule {rule.index} of policy {policy_name(policy)}"
            if peer_index == UNDECIDED:
                for j, peer in enumerate(rule.peers):
                    for kind, what in self._peer_doubt(policy, peer, other, doubt):
                        question = f"whether peer {j} of {rule_text} matches {other.name} ({what})"
                        # a namespace doubt is only ever about a pod's namespace (_peer_doubt)
                        if kind is Kind.NAMESPACE and Kind.NAMESPACE not in self.unread and other.pod is not None:
                            reasons.append(self.unread.missing_namespace(other.pod.namespace, question))
                        else:
                            reasons.append(self.unread.because(kind, question))
            if port_index == UNDECIDED:
                kind = Kind.SERVICE if Kind.SERVICE in t.dst_doubt else Kind.POD
                what = ("the Service's targetPort" if kind is Kind.SERVICE
                        else "named ports resolve on the destination pod's containers")
                reasons.append(self.unread.because(kind, f"whether a port entry of {rule_text} matches "
                                                         f"{t.protocol} {t.port} ({what})"))
        if (extra := len(undecided) - MAX_RULES_SHOWN * 2) > 0:
            reasons.append(f"{plural(extra, 'more rule')} {'is' if extra == 1 else 'are'} undecided likewise")
        unique: list[str] = []
        for reason in reasons:
            if reason not in unique:
                unique.append(reason)
        return unique

    def _peer_doubt(self, policy: NetworkPolicy, peer: _CPeer, other: Endpoint,
                    doubt: tuple[Kind, ...]) -> list[tuple[Kind, str]]:
        """The unread kinds that leave this peer's match undecided, with what each hides."""
        if other.pod is None:
            if not doubt:
                return []
            if peer.block is not None:
                if Kind.SERVICE in doubt:
                    return [(Kind.SERVICE, f"ipBlock {peer.block.block.cidr}; if it is a ClusterIP, the packet "
                                           "goes on to a pod whose IP is unknown")]
                return [(Kind.POD, f"ipBlock {peer.block.block.cidr}; on Dataplane V2 ipBlock never matches "
                                   "a pod, and it may be one")]
            return [(kind, "it may be a pod the selectors match" if kind is Kind.POD
                     else "it may be a ClusterIP sending to a pod the selectors match") for kind in doubt]
        if peer.ns_sel is not None and other.pod.namespace not in self._ns_known:
            if namespace_match_without_labels(peer.ns_sel, other.pod.namespace) is None:
                return [(Kind.NAMESPACE, f"namespaceSelector {selector_text(peer.ns_sel.selector)} needs the "
                                         f"labels of namespace {other.pod.namespace}")]
        return []

    # ---------------------------------------------------------- explanation

    def _explain_denial(self, outcomes: list[Outcome], direction: Direction, subject: Endpoint, other: Endpoint,
                        other_ip: str | None, t: _Traffic, model: Dataplane) -> list[str]:
        """For each isolating policy, its nearest rules (fewest failing parts) and why each fails."""
        role = "destination" if direction is Direction.EGRESS else "source"
        word = WORDS[direction]
        reasons: list[str] = []
        empty: list[str] = []
        for policy, results in outcomes:
            pname = policy_name(policy)
            if not results:
                empty.append(pname)
                continue
            best = min((peer == NO_MATCH) + (port == NO_MATCH) for _, peer, port in results)
            nearest = [item for item in results if (item[1] == NO_MATCH) + (item[2] == NO_MATCH) == best]
            for rule, peer_index, port_index in nearest[:MAX_RULES_SHOWN]:
                rule_text = f"{word} rule {rule.index} of policy {pname}"
                if peer_index == NO_MATCH:
                    for j, peer in enumerate(rule.peers[:MAX_PEERS_SHOWN]):
                        reasons.append(f"peer {j} of {rule_text}"
                                       f"{self._peer_failure(policy, peer.peer, other, other_ip, role, model)}")
                    if (extra := len(rule.peers) - MAX_PEERS_SHOWN) > 0:
                        reasons.append(f"{plural(extra, 'more peer')} of {rule_text} "
                                       f"{'does' if extra == 1 else 'do'} not match the {role} either")
                if port_index == NO_MATCH:
                    for k, port in enumerate(rule.ports[:MAX_PEERS_SHOWN]):
                        reasons.append(f"port entry {k} of {rule_text}: {self._port_failure(port, t, model)}")
                    if (extra := len(rule.ports) - MAX_PEERS_SHOWN) > 0:
                        reasons.append(f"{plural(extra, 'more port entry', 'more port entries')} of {rule_text} "
                                       f"{'does' if extra == 1 else 'do'} not match either")
            if (extra := len(nearest) - MAX_RULES_SHOWN) > 0:
                reasons.append(f"{plural(extra, f'more {word} rule')} of policy {pname} "
                               f"{'fails' if extra == 1 else 'fail'} as closely")
        for pname in empty:
            reasons.append(f"policy {pname} lists {direction} in policyTypes and has no {word} rules: it "
                           f"isolates {subject.name} and allows no {word} traffic by itself")
        return reasons

    def _would_allow(self, pod: Pod, direction: Direction, others: tuple[CompiledPolicy, ...], subject: Endpoint,
                     other: Endpoint, other_ip: str | None, t: _Traffic, model: Dataplane) -> list[str]:
        """Policies of the namespace that would allow the traffic but do not select the pod."""
        reasons: list[tuple[bool, str]] = []
        for policy, rules in others:
            for rule in rules:
                ref = self._match_rule(policy, direction, rule, other, other_ip, t, model)
                if ref is not None:
                    text = self._selector_failure(policy.pod_selector, pod.labels, "the pod")
                    reasons.append((text.endswith(")"), f"policy {policy_name(policy)} would allow this by "
                                    f"{WORDS[direction]} rule {rule.index} but does not select {subject.name}: its "
                                    f"podSelector {text}"))
                    break
        # near misses (a typo hint) first
        return [text for near, text in sorted(reasons, key=lambda item: not item[0])]

    def _selector_failure(self, selector: LabelSelector, labels: Mapping[str, str], whose: str) -> str:
        """`needs app=store, WHOSE has app=stor (...)`.

        Cached by the labels' values for the selector's keys: that decides the text, except for
        the hints about absent keys, which look at every label (then the whole label set is key).
        """
        compiled = self._compiled(selector)
        projection = tuple(labels.get(key) for key in compiled.keys)
        key = (id(selector), projection) if None not in projection else \
            (id(selector), projection, frozenset(labels.items()))
        entry = self._selector_text_cache.get(key)
        if entry is None or entry[0] is not selector:
            terms = explain_terms(selector, labels)
            text = failure_text(terms, "\0")
            # None when the cluster's text holds the placeholder itself: no template
            template = text if text.replace("\0", "\1") == failure_text(terms, "\1") else None
            entry = (selector, template)
            self._selector_text_cache[key] = entry
        if entry[1] is None:
            return failure_text(explain_terms(selector, labels), whose)
        return entry[1].replace("\0", whose)

    def _namespace_failure(self, selector: LabelSelector, namespace: str) -> str:
        text = self._selector_failure(selector, self.namespace_labels(namespace), f"namespace {namespace}")
        return "needs a namespace with " + text[len("needs "):]

    def _peer_failure(self, policy: NetworkPolicy, peer: PolicyPeer, endpoint: Endpoint,
                      ip: str | None, role: str, model: Dataplane) -> str:
        """Why a peer does not match; the text follows `peer J of RULE`."""
        if peer.ip_block is not None:
            cidr = peer.ip_block.cidr
            if model is DV2 and _subject_to_policy(endpoint):
                return (f": ipBlock {cidr} does not apply to pod traffic on Dataplane V2 "
                        "(select pods with podSelector/namespaceSelector instead)")
            address = self._address(ip)
            if address is None:
                return f": ipBlock {cidr} cannot match {role} {endpoint.name}, which has no IP address"
            return f": {self._block(peer.ip_block).why_not(address)}"
        pod = endpoint.pod
        if pod is None or pod.host_network:
            wanted = []
            if peer.pod_selector is not None:
                wanted.append(f"pods {selector_text(peer.pod_selector)}")
            if peer.namespace_selector is not None:
                wanted.append(f"namespaces {selector_text(peer.namespace_selector)}")
            if pod is None:
                return (f" selects {' in '.join(wanted)}; {role} {endpoint.name} is not a pod in the "
                        "cluster, and pod and namespace selectors never match outside addresses")
            return (f" selects {' in '.join(wanted)}; {role} {endpoint.name} is a hostNetwork pod, "
                    "its traffic carries the node's address and selectors do not match it in practice")
        parts = []
        if peer.namespace_selector is None:
            if pod.namespace != policy.namespace:
                parts.append(f"matches only pods in namespace {policy.namespace} (it has no namespaceSelector), "
                             f"{role} is in namespace {pod.namespace}")
        elif not self._ns_matches(peer.namespace_selector, pod.namespace):
            parts.append(self._namespace_failure(peer.namespace_selector, pod.namespace))
        if peer.pod_selector is not None and not self._compiled(peer.pod_selector).matches(pod.labels):
            parts.append(self._selector_failure(peer.pod_selector, pod.labels, role))
        if not parts:
            return " matches"
        return " " + "; and it ".join(parts)

    def _port_failure(self, port: PolicyPort, t: _Traffic, model: Dataplane) -> str:
        if port.protocol != t.protocol:
            return f"allows {_port_text(port)}, traffic is {t.protocol}"
        if isinstance(port.port, str):
            pod = t.dst.pod
            if pod is None:
                return (f"named port {port.port} cannot match destination {t.dst.name}, which is not a pod "
                        "(named ports resolve on the destination pod's containers)")
            numbers = sorted({p.container_port for p in pod.ports
                              if p.name == port.port and p.protocol == port.protocol})
            if not numbers:
                other = [f"{p.protocol} {p.container_port}" for p in pod.ports if p.name == port.port]
                extra = f" (it has {port.port} as {', '.join(other)})" if other else ""
                return (f"named port {port.port}: destination pod {pod.namespace}/{pod.name} declares no "
                        f"{port.protocol} container port named {port.port}{extra}")
            number = " and ".join(str(n) for n in numbers)
            return (f"named port {port.port} resolves to {port.protocol} {number} on destination pod "
                    f"{pod.namespace}/{pod.name}, traffic is to port {t.port}")
        if port.end_port is not None:
            written = f"{port.port}-{port.end_port}"
            if model is DV2:
                if port.port is not None and port.port <= t.port <= port.end_port:
                    return (f"port {t.port} is in {written} but only port {port.port} is open "
                            "(endPort ignored on Dataplane V2)")
                return f"port {t.port} not in {written} (endPort ignored on Dataplane V2)"
            return f"port {t.port} not in {written}"
        return f"port {t.port} is not {port.port}"

    def _caveats(self, t: _Traffic, notes: list[str]) -> None:
        if t.src.pod is None and t.dst.pod is None:
            if t.src_doubt or t.dst_doubt:
                notes.append("Neither endpoint is a known pod of this cluster, but the pods or Services were not "
                             "read, so either may be one.")
            else:
                notes.append("Neither endpoint is a pod of this cluster: NetworkPolicy does not govern this "
                             "traffic.")
        if self.dataplane is DV2 and t.dst.address == METADATA_ADDRESS:
            notes.append(f"On Dataplane V2 traffic to {METADATA_ADDRESS} (metadata server, Cloud DNS) is "
                         "rewritten by the node before policy runs; this verdict is uncertain.")
        for role, endpoint in (("Source", t.src), ("Destination", t.dst)):
            pod = endpoint.pod
            if pod is None:
                address = endpoint.address or ""
                owner = self._host_ips.get(address)
                if owner:
                    notes.append(f"{role} {address} is the address of {owner}: node traffic, matched only "
                                 "by ipBlock; the verdict is uncertain.")
                service = self._service_ips.get(address)
                if service is not None and role == "Destination":
                    notes.append(f"{address} is the ClusterIP of Service {service.namespace}/{service.name}; "
                                 "policy applies after the Service picks a pod: ask about "
                                 f"{service.namespace}/svc/{service.name} instead.")
                parsed = self._address(address) if not owner and service is None \
                    and Kind.POD not in self.unread else None
                if parsed is not None:
                    in_pods = self._range_of(self._pod_ranges, parsed)
                    in_services = self._range_of(self._service_ranges, parsed)
                    if in_pods:
                        notes.append(f"{role} {address} lies in {in_pods} but no pod of the snapshot has it (a "
                                     "newer pod, or a stale snapshot?); it was evaluated as an outside address. "
                                     "If it is a pod, selectors decide"
                                     + (" and ipBlock rules never match it on Dataplane V2" if self.dataplane is DV2
                                        else "") + ": ask about the pod by name.")
                    elif in_services and Kind.SERVICE not in self.unread:
                        notes.append(f"{role} {address} lies in {in_services} but no Service of the snapshot has "
                                     "it; a ClusterIP is translated to a backing pod before policy runs: ask "
                                     "about NAMESPACE/svc/NAME.")
                continue
            holders = self._shared_ips.get(endpoint.address or "")
            if holders:
                names = ", ".join(f"{other.namespace}/{other.name}" for other in holders[:4])
                notes.append(f"{role} IP {endpoint.address} is claimed by {len(holders)} live pods ({names}); "
                             f"the snapshot is stale or inconsistent and {endpoint.name} was assumed.")
            if pod.host_network:
                notes.append(f"{role} {endpoint.name} uses the host network: NetworkPolicy does not apply to "
                             "hostNetwork pods in practice, and its traffic carries the node's address, so "
                             "this verdict is uncertain.")
            if not pod.is_live:
                notes.append(f"{role} pod {endpoint.name} is in phase {pod.phase} and sends or receives no "
                             "traffic.")
                holder = self._pod_by_ip.get(endpoint.address or "")
                if holder is not None and holder is not pod:
                    notes.append(f"Its IP {endpoint.address} now belongs to live pod {holder.namespace}/"
                                 f"{holder.name}: traffic to that address reaches that pod, under its policies.")
            if endpoint.address is None:
                notes.append(f"{role} pod {endpoint.name} has no IP address yet: ipBlock rules cannot match it.")
        if t.src.pod is not None and t.src.pod is t.dst.pod:
            if t.dst.service is None:
                notes.append("Source and destination are the same pod: traffic to its own IP (or localhost) "
                             "never leaves the pod's network namespace, so NetworkPolicy does not apply.")
            else:
                notes.append("Source and destination are the same pod, reached through its Service (hairpin): "
                             "whether policy applies to hairpin traffic depends on the dataplane; the verdict "
                             "shown applies the policies.")
