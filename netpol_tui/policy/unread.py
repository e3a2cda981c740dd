"""What a verdict cannot know: kinds the source did not read, and how to ask for them.

A verdict that depends on data that was not read is *unknown*, never allowed or denied. This
module names the missing data in one sentence per gap (which kind, why it is missing, the
command that checks the permission or supplies the data) and decides namespaceSelector
matches three-valued when namespace labels are missing.
"""

from __future__ import annotations

from netpol_tui.model.snapshot import Kind, Snapshot
from netpol_tui.policy.selectors import CompiledSelector
from netpol_tui.shell import join, objects

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
#: The kinds a verdict can depend on, with the API resource each is listed as.
VERDICT_KINDS: dict[Kind, tuple[str, bool]] = {
    Kind.NETWORK_POLICY: ("networkpolicies", True),
    Kind.NAMESPACE: ("namespaces", False),
    Kind.POD: ("pods", True),
    Kind.SERVICE: ("services", True),
}
#: The Dataplane V2 CRD kinds, with the API resources (RBAC names) each is listed as. They are not
#: in VERDICT_KINDS: a source without them holds none; only a failed read makes verdicts unknown.
CRD_RESOURCES: dict[Kind, tuple[tuple[str, bool], ...]] = {
    Kind.FQDN_POLICY: (("fqdnnetworkpolicies.networking.gke.io", True),),
    Kind.CILIUM_POLICY: (("ciliumnetworkpolicies.cilium.io", True),
                         ("ciliumclusterwidenetworkpolicies.cilium.io", False)),
}
_SELECTOR_IN, _SELECTOR_NOT_IN, _SELECTOR_EXISTS, _SELECTOR_DOES_NOT_EXIST = 0, 1, 2, 3


class Unread:
    """The verdict kinds a snapshot lacks, each with the reason and the command to check it."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.reasons: dict[Kind, str] = {}
        for kind in VERDICT_KINDS:
            if snapshot.has(kind):
                continue
            reason = snapshot.unknown_reason(kind)
            self.reasons[kind] = reason or f"no {kind} objects were loaded"
        self._texts: dict[Kind, str] = {}

    def __bool__(self) -> bool:
        return bool(self.reasons)

    def __contains__(self, kind: object) -> bool:
        return kind in self.reasons

    @property
    def kinds(self) -> tuple[Kind, ...]:
        return tuple(self.reasons)

    def command(self, kind: Kind) -> str:
        """`kubectl auth can-i list networkpolicies -A` for a live source (the permission to ask
        for), the `kubectl get` whose output supplies the kind for files."""
        resource, namespaced = VERDICT_KINDS[kind]
        return self._command(kind, resource, namespaced)

    def _command(self, kind: Kind, resource: str, namespaced: bool) -> str:
        source = self.snapshot.source
        context = ("--context", source.context) if source.context else ()
        scope: tuple[str, ...] = ()
        if namespaced:
            scope = ("-n", source.namespace) if source.namespace else ("-A",)
        if source.kind == "live" or self.snapshot.unknown_reason(kind):
            return join(("kubectl", "auth", "can-i", "list", resource, *scope, *context))
        return join(("kubectl", "get", resource, *scope, *context, "-o", "json"))

    def crd_sentence(self, kind: Kind) -> str | None:
        """For a CRD kind that was not read: `FQDNNetworkPolicy objects were not read (...); check
        the permission with `kubectl auth can-i list fqdnnetworkpolicies.networking.gke.io -A``.
        None when the kind was read (or simply absent, which means none exist)."""
        reason = self.snapshot.unknown_reason(kind)
        if not reason:
            return None
        resources = CRD_RESOURCES[kind]
        # Name the lists that failed (a forbidden cluster-wide list, say) when the reason says which.
        named = [item for item in resources if item[0].split(".", 1)[0] in reason] or list(resources)
        commands = " and ".join(f"`{self._command(kind, resource, namespaced)}`" for resource, namespaced in named)
        return f"{kind} objects were not read ({reason}); check the permission with {commands}"

    def sentence(self, kind: Kind) -> str:
        """`NetworkPolicy objects were not read (403 Forbidden); check with `kubectl auth ...``."""
        text = self._texts.get(kind)
        if text is None:
            command = self.command(kind)
            how = "check the permission with" if command.startswith("kubectl auth") else "supply them with"
            text = self._texts[kind] = (f"{kind} objects were not read ({self.reasons[kind]}); "
                                        f"{how} `{command}`")
        return text

    def because(self, kind: Kind, what: str) -> str:
        """One unknown_because entry: what could not be decided, then the missing kind."""
        return f"{what}: {self.sentence(kind)}"

    def missing_namespace(self, namespace: str, what: str) -> str:
        """Namespaces were read, but not this one (a stale or partial snapshot): its labels are unknown."""
        context = self.snapshot.source.context
        flag = ("--context", context) if context else ()
        check = join(("kubectl", "get", *objects("namespace", namespace), *flag, "-o", "json"))
        return (f"{what}: namespace {namespace} is not among the Namespaces read, so its labels are unknown; "
                f"check it with `{check}`")


def namespace_match_without_labels(selector: CompiledSelector, namespace: str) -> bool | None:
    """Does a namespaceSelector match a namespace whose labels were not read?

    Only `kubernetes.io/metadata.name` is known (the API server sets it on every namespace). A
    term on that key that fails makes the match False; every term on it passing and no other
    term makes it True; otherwise the answer depends on labels nobody read (None), unless the
    other terms cannot all hold for any label set (then False).
    """
    known = {NAMESPACE_NAME_LABEL: namespace}
    for key, value in selector.equals:
        if key == NAMESPACE_NAME_LABEL and value != namespace:
            return False
    for op, key, values in selector.expressions:
        if key == NAMESPACE_NAME_LABEL and not _term_holds(op, values, known.get(key), key in known):
            return False
    others = [(key, value) for key, value in selector.equals if key != NAMESPACE_NAME_LABEL]
    other_expressions = [item for item in selector.expressions if item[1] != NAMESPACE_NAME_LABEL]
    if not others and not other_expressions:
        return True
    return None if _satisfiable(others, other_expressions) else False


def _term_holds(op: int, values: frozenset[str], value: str | None, present: bool) -> bool:
    if op == _SELECTOR_IN:
        return value in values
    if op == _SELECTOR_NOT_IN:
        return not present or value not in values
    if op == _SELECTOR_EXISTS:
        return present
    return not present


def _satisfiable(equals: list[tuple[str, str]], expressions: list[tuple[int, str, frozenset[str]]]) -> bool:
    """Some label set meets every term (label values are free, so only contradictions fail)."""
    per_key: dict[str, list[tuple[int, frozenset[str]]]] = {}
    for key, value in equals:
        per_key.setdefault(key, []).append((_SELECTOR_IN, frozenset((value,))))
    for op, key, values in expressions:
        per_key.setdefault(key, []).append((op, values))
    for terms in per_key.values():
        must_exist = any(op in (_SELECTOR_IN, _SELECTOR_EXISTS) for op, _ in terms)
        if must_exist and any(op == _SELECTOR_DOES_NOT_EXIST for op, _ in terms):
            return False
        allowed: set[str] | None = None
        for op, values in terms:
            if op == _SELECTOR_IN:
                allowed = set(values) if allowed is None else allowed & values
        if allowed is not None:
            for op, values in terms:
                if op == _SELECTOR_NOT_IN:
                    allowed -= values
            if not allowed:
                return False
    return True

