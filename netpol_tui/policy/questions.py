"""One explain question answered, the way the CLI and the console both ask it, and the rules
that decided an answer named with their kind.

`answer` is the CLI's `explain` logic (a DNS-name destination is answered by name, a Service's
DNS name as its pods with the note why no FQDN rule can allow it), so the Explain dialog gives
the same verdicts and the same sentences (`Verdict.sentences`) as `netpol-tui explain`.
`deciding_rules` and `rule_title` name the rules that decided (`CCNP lockdown egressDeny[0]`,
`FQDNNetworkPolicy shop/allow-payments-api egress[0]`), the deny rules first.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from netpol_tui.policy.gke_rules import KindRuleRef
from netpol_tui.policy.results import EndpointError, EndpointUnknown, RuleRef

#: KindRuleRef.kind -> the Kubernetes kind of the object holding the rule.
OBJECT_KINDS = {"CCNP": "CiliumClusterwideNetworkPolicy", "CNP": "CiliumNetworkPolicy",
                "FQDNNetworkPolicy": "FQDNNetworkPolicy"}


def _pairs(engine: Any, src_text: str, dst_text: str, namespace: str | None) -> list[tuple[Any, Any]]:
    sources = engine.resolve(src_text, namespace)
    destinations = engine.resolve(dst_text, namespace)
    return [(src, dst) for src in sources for dst in destinations]


def answer(engine: Any, src_text: str, dst_text: str, port: int, protocol: str,
           namespace: str | None = None) -> list[Any]:
    """The verdicts of one query. A destination that names no snapshot endpoint but is a DNS name
    is answered by name (FQDN rules); a Service's DNS name as the Service's pods, saying why no
    FQDN rule can allow it. EndpointUnknown / EndpointError as `engine.resolve` raises them."""
    from netpol_tui.policy.names import pod_address, split_name

    try:
        pairs = _pairs(engine, src_text, dst_text, namespace)
    except EndpointUnknown:
        raise
    except EndpointError:
        parsed = split_name(dst_text)
        if parsed is None:
            raise
        host = parsed[0]
        address = pod_address(host)
        if address is not None:  # a pod's own DNS record: traffic to that pod
            return [engine.evaluate(a, b, port, protocol) for a, b in _pairs(engine, src_text, address, namespace)]
        sources = engine.resolve(src_text, namespace)
        service = engine.service_for_name(host)
        if service is None:
            return [engine.evaluate_name(src, host, port, protocol) for src in sources]
        verdicts = []
        for src, dst in _pairs(engine, src_text, f"{service[0]}/svc/{service[1]}", namespace):
            verdict = engine.evaluate(src, dst, port, protocol)
            naming = engine.fqdn_rules_naming(src.pod, host) if src.pod is not None else ()
            note = (f"{host} is the DNS name of Service {service[0]}/{service[1]}, evaluated as its pods. An "
                    "FQDNNetworkPolicy rule never allows a ClusterIP or headless Service: GKE translates the "
                    "Service's virtual IP to a pod IP before policy is evaluated (a headless name resolves to pod "
                    "IPs); allow the pods with a label-based NetworkPolicy")
            if naming:
                note += f" ({naming[0]} names {host}, to no effect)"
            verdicts.append(replace(verdict, notes=(*verdict.notes, note + ".")))
        return verdicts
    return [engine.evaluate(a, b, port, protocol) for a, b in pairs]


def sides(verdict: Any) -> tuple[Any, ...]:
    """The sides a verdict has: egress and ingress (a DNS-name answer has only egress)."""
    ingress = getattr(verdict, "ingress", None)
    return (verdict.egress,) if ingress is None else (verdict.egress, ingress)


def deciding_rules(verdict: Any) -> tuple[tuple[str, RuleRef], ...]:
    """("denied by" / "allowed by", rule) for the rules that decided the verdict, of any kind:
    the deny rules (which take precedence) first, then the allows; each rule once."""
    found: dict[RuleRef, str] = {}
    for side in sides(verdict):
        for ref in side.denied_by:
            found.setdefault(ref, "denied by")
    for side in sides(verdict):
        for ref in side.allowed_by:
            found.setdefault(ref, "allowed by")
    return tuple((word, ref) for ref, word in found.items())


def object_kind(ref: RuleRef) -> str:
    """The Kubernetes kind of the object holding the rule (`NetworkPolicy` for a plain RuleRef)."""
    return OBJECT_KINDS.get(getattr(ref, "kind", ""), "NetworkPolicy")


def rule_title(ref: RuleRef) -> str:
    """The rule named with its kind: `CCNP lockdown egressDeny[0]`, `FQDNNetworkPolicy
    shop/allow-payments-api egress[0]`, `NetworkPolicy shop/web-dns egress[0]` (plain text)."""
    if isinstance(ref, KindRuleRef) and ref.label:
        return f"{ref.label} {ref.section}[{ref.rule_index}]"
    return f"NetworkPolicy {ref.policy} {ref.direction.word}[{ref.rule_index}]"


__all__ = ["OBJECT_KINDS", "answer", "deciding_rules", "object_kind", "rule_title", "sides"]
