"""The Explain dialog's question answered: the verdicts (by the same engine calls as
`netpol-tui explain`, a DNS-name destination through `policy.questions.answer`), the Calico /
Dataplane V2 comparison, and the deciding rules of any kind with the objects holding them.

Runs in the dialog's worker; split from `explain.py` so the form and its answer stay apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from netpol_tui.widgets.verdicts import VERDICT_WORDS

MAX_PAIRS = 50
#: Deciding rules offered in the Go to list under the answer.
MAX_DECIDING = 20


def compute_explain(snapshot: Any, engines: dict[str, Any], request: Any) -> dict[str, Any]:
    """Ask the engine (one per dataplane, cached in `engines`); ValueError for a bad question.

    An endpoint the unread data would have named (pods or Services not read) gives no verdicts
    and `unknown`: the message and the reasons.
    """
    from netpol_tui.policy import EndpointError, EndpointUnknown, PolicyEngine, check_port, check_protocol

    def engine_for(name: str) -> Any:
        engine = engines.get(name)
        if engine is None:
            # the app's "auto" engine already is the calico (or dataplane-v2) one on most clusters
            same = next((known for known in engines.values() if known.dataplane == name), None)
            if same is None:
                # another model's engine over the same snapshot shares its whole index: derived, not built
                known = next((known for known in engines.values() if known.snapshot is snapshot), None)
                same = known.derive(snapshot, name) if known is not None else PolicyEngine(snapshot, name)
            engine = engines[name] = same
        return engine

    from netpol_tui.policy.names import split_name
    from netpol_tui.policy.questions import answer

    port, protocol = check_port(request.port), check_protocol(request.protocol)
    engine = engine_for(request.dataplane)
    unknown = None
    try:
        pairs = [(src, dst) for src in engine.resolve(request.src, request.namespace)
                 for dst in engine.resolve(request.dst, request.namespace)]
        verdicts = [engine.evaluate(src, dst, port, protocol) for src, dst in pairs[:MAX_PAIRS]]
    except EndpointUnknown as exc:
        unknown = exc
    except EndpointError:
        if split_name(request.dst) is None:
            raise
        try:  # a DNS name: answered by name, exactly as `netpol-tui explain` answers it
            verdicts = answer(engine, request.src, request.dst, port, protocol, request.namespace)[:MAX_PAIRS]
        except EndpointUnknown as exc:
            unknown = exc
        pairs = []
    if unknown is not None:
        return {"verdicts": [], "comparison": [], "policies": {}, "notes": engine.notes, "deciding": [],
                "unknown": {"message": unknown.message, "unknown_because": unknown.unknown_because,
                            "question": f"{request.src} -> {request.dst} on {protocol} port {port}"}}
    comparison: list[tuple[str, Any]] = []
    if pairs and snapshot.policies:
        src, dst = pairs[0]
        calico = engine_for("calico").evaluate(src, dst, port, protocol)
        dataplane_v2 = engine_for("dataplane-v2").evaluate(src, dst, port, protocol)
        if calico.known and dataplane_v2.known and calico.allowed != dataplane_v2.allowed:
            comparison = [("Calico", calico), ("Dataplane V2", dataplane_v2)]
    return {"verdicts": verdicts, "comparison": comparison, "notes": engine.notes, "pairs": len(pairs) or len(verdicts),
            **deciding_objects(snapshot, verdicts)}


def deciding_objects(snapshot: Any, verdicts: list[Any]) -> dict[str, Any]:
    """`policies`: the policies holding the deciding rules, by the rules' `policy_key` (shown as
    described, the rule emphasised); `deciding`: (label, ObjectRef) per deciding rule of any kind
    (`denied by CCNP lockdown egressDeny[0]`), for the Go to list."""
    from netpol_tui.policy.questions import deciding_rules, rule_title
    from netpol_tui.refs import rule_object_ref

    rules = list(dict.fromkeys((word, ref) for verdict in verdicts for word, ref in deciding_rules(verdict)))
    keys = {ref.policy_key for _, ref in rules}
    policies: dict[tuple, Any] = {policy.key: policy for policy in snapshot.policies if policy.key in keys}
    for policy in (*snapshot.fqdn_policies, *snapshot.cilium_policies):
        key = (policy.namespace or "", policy.name, policy.label.split(" ", 1)[0])
        if key in keys:
            policies[key] = policy
    deciding = [(f"{word} {rule_title(ref)}", rule_object_ref(ref)) for word, ref in rules[:MAX_DECIDING]]
    return {"policies": policies, "deciding": deciding}


@dataclass(frozen=True, slots=True)
class ExplainRequest:
    src: str
    dst: str
    port: str
    protocol: str = "TCP"
    dataplane: str = "auto"
    namespace: str | None = None

    @property
    def command(self) -> str:
        """The same question for the CLI (pasted into a ticket or a script)."""
        from netpol_tui.shell import join, option_words

        dataplane = ("--dataplane", self.dataplane) if self.dataplane != "auto" else ()
        return join(("netpol-tui", "explain", *option_words("--from", self.src), *option_words("--to", self.dst),
                     *option_words("--port", self.port), "--protocol", self.protocol, *dataplane))


#: What the verdict-changed marker calls an answer that could not be given (an endpoint went away).
NO_ANSWER = "NO ANSWER"


def verdict_word(result: dict[str, Any] | None, error: str | None = None) -> str:
    """One word for an answer, to tell whether it turned: ALLOWED, DENIED, UNKNOWN, MIXED (a
    Service whose pod pairs disagree), NO PODS, or NO ANSWER (the question failed)."""
    if error is not None or result is None:
        return NO_ANSWER
    if result.get("unknown"):
        return "UNKNOWN"
    words = {VERDICT_WORDS[verdict.allowed] for verdict in result["verdicts"]}
    return words.pop() if len(words) == 1 else "MIXED" if words else "NO PODS"


def _failing_side(engines: dict[str, Any], request: ExplainRequest) -> str:
    """"from" when the source does not resolve, else "to" (which field a suggestion fixes)."""
    engine = engines.get(request.dataplane) or next(iter(engines.values()), None)
    if engine is None:
        return "to"
    try:
        engine.resolve(request.src, request.namespace)
    except ValueError:
        return "from"
    return "to"
