"""The catalog of checks (one explicit tuple) and `run_checks`, which runs them over a snapshot.

A check is `function(ctx) -> Iterable[Hit]`. It raises `CheckUnknown` when it lacks data; any
other exception is caught here and reported as an unknown with the error, so one broken check
never costs the user the others.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from netpol_tui.checks import (
    cilium,
    fqdn,
    fqdn_dns,
    fqdn_rules,
    gke_sizing,
    ipblocks,
    known_issues,
    named_ports,
    policies,
    policy_logging,
    reachability,
    reachability_dns,
    reachability_ingress,
)
from netpol_tui.checks import gke_enforcement as enf
from netpol_tui.checks.context import CheckUnknown, Context, Hit
from netpol_tui.checks.model import Finding, NotRead, Remediation, Report, Severity, UnknownCheck
from netpol_tui.gcpause import gc_paused
from netpol_tui.model.snapshot import Snapshot

if TYPE_CHECKING:
    from netpol_tui.policy import PolicyEngine

CheckFunction = Callable[[Context], Iterable[Hit]]


@dataclass(frozen=True, slots=True)
class CheckSpec:
    id: str
    symbol: str
    title: str
    #: Default severity; a finding may differ where checks-spec says so (GKE012, NP004).
    severity: Severity
    #: Why the problem matters: the function's docstring, dedented.
    doc: str
    function: CheckFunction

    @property
    def summary(self) -> str:
        return self.doc.split("\n\n", 1)[0].replace("\n", " ")


def _spec(check_id: str, symbol: str, title: str, severity: Severity, function: CheckFunction) -> CheckSpec:
    return CheckSpec(check_id, symbol, title, severity, inspect.cleandoc(function.__doc__ or ""), function)


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741 - I is INFO, read as a column

CATALOG: tuple[CheckSpec, ...] = (
    _spec("GKE001", "enforcement-off", "NetworkPolicies exist but enforcement is off", E,
          enf.check_enforcement_off),
    _spec("GKE002", "enforcement-half-on", "Control-plane addon and node setting disagree", W,
          enf.check_enforcement_half_on),
    _spec("GKE003", "nodes-not-enforcing", "Nodes without Calico enforcement", E, enf.check_nodes_not_enforcing),
    _spec("GKE004", "disable-pending", "Enforcement switched off but nodes still enforce", W,
          enf.check_disable_pending),
    _spec("GKE005", "unsupported-machine-type", "Machine type not supported with network policy", E,
          gke_sizing.check_unsupported_machine_type),
    _spec("GKE006", "below-recommended-size", "Cluster below 3 nodes of e2-medium", W,
          gke_sizing.check_below_recommended_size),
    _spec("GKE007", "enforcement-overhead-headroom", "No room for the enforcement overhead on a node", W,
          gke_sizing.check_enforcement_overhead_headroom),
    _spec("GKE008", "metadata-egress-blocked", "Metadata server blocked by egress policy", E,
          reachability.check_metadata_egress_blocked),
    _spec("GKE009", "endport-ignored", "endPort ignored by Dataplane V2", W, ipblocks.check_endport_ignored),
    _spec("GKE010", "ipblock-matches-pods", "ipBlock also matches pod traffic (Calico)", W,
          ipblocks.check_ipblock_matches_pods),
    _spec("GKE011", "ipblock-ignores-pods", "ipBlock on pod IPs never matches (Dataplane V2)", W,
          ipblocks.check_ipblock_ignores_pods),
    _spec("GKE012", "dataplane-v2-incompatible", "Policy feature unsupported by Dataplane V2", W,
          ipblocks.check_dataplane_v2_incompatible),
    _spec("GKE013", "lb-health-checks-blocked", "Load balancer health checks blocked", E,
          reachability_ingress.check_lb_health_checks_blocked),
    _spec("GKE014", "node-port-cross-node", "Node port traffic from other nodes blocked", W,
          reachability_ingress.check_node_port_cross_node),
    _spec("GKE015", "control-plane-egress-blocked", "Private control-plane endpoint blocked by egress policy", E,
          reachability.check_control_plane_egress_blocked),
    _spec("GKE016", "maintenance-delays-recreation", "Maintenance policy delays node recreation", W,
          enf.check_maintenance_delays_recreation),
    _spec("GKE017", "deny-logging-off", "Denied connections are not logged", W,
          policy_logging.check_deny_logging_off),
    _spec("GKE018", "fqdn-needs-dataplane-v2", "FQDN policies on a cluster without Dataplane V2", E,
          fqdn.check_fqdn_needs_dataplane_v2),
    _spec("GKE019", "fqdn-version-too-old", "FQDN policies on a GKE version without them", E,
          fqdn.check_fqdn_version_too_old),
    _spec("GKE020", "fqdn-not-enabled", "FQDN network policy not enabled on the cluster", E,
          fqdn.check_fqdn_not_enabled),
    _spec("GKE021", "fqdn-dns-blocked", "DNS blocked for FQDN-isolated pods", E, fqdn_dns.check_fqdn_dns_blocked),
    _spec("GKE022", "fqdn-custom-dns", "Custom DNS server, unsupported by FQDN policies", W,
          fqdn_dns.check_fqdn_custom_dns),
    _spec("GKE023", "fqdn-service-target", "FQDN rule names an in-cluster Service", W,
          fqdn_rules.check_fqdn_service_target),
    _spec("GKE024", "fqdn-address-limit", "FQDN policy over GKE's 50-address limit", W,
          fqdn_rules.check_fqdn_address_limit),
    _spec("GKE025", "cilium-not-enforced", "Cilium policies on a cluster without Dataplane V2", E,
          cilium.check_cilium_not_enforced),
    _spec("GKE026", "cilium-deny-shadows-allow", "Cilium deny rule shadows a NetworkPolicy allow", W,
          cilium.check_ccnp_deny_shadows_allow),
    _spec("KI001", "calico-statefulset-termination", "StatefulSet pods lose connections while terminating", W,
          known_issues.check_calico_statefulset_termination),
    _spec("KI002", "calico-ipam-host-local", "Pods request Calico fixed IPs (host-local IPAM)", E,
          known_issues.check_calico_ipam_host_local),
    _spec("KI003", "manual-daemonset-unscheduled", "Manual ip-masq-agent or calico-node unscheduled", W,
          known_issues.check_manual_daemonset_unscheduled),
    _spec("NP001", "policy-selects-nothing", "Policy selects no pod", W, policies.check_policy_selects_nothing),
    _spec("NP002", "peer-matches-nothing", "Rule peer matches nothing", W, policies.check_peer_matches_nothing),
    _spec("NP003", "unprotected-namespace", "Namespace without any policy", I, policies.check_unprotected_namespace),
    _spec("NP004", "dns-egress-blocked", "DNS blocked by egress policy", E, reachability_dns.check_dns_egress_blocked),
    _spec("NP005", "named-port-unresolved", "Named port declared by no destination pod", W,
          named_ports.check_named_port_unresolved),
    _spec("NP006", "ignored-policy-section", "Rules ignored because policyTypes leaves them out", W,
          policies.check_ignored_policy_section),
)

CHECKS_BY_ID = {spec.id: spec for spec in CATALOG}


class SelectionError(ValueError):
    """--select / --ignore named something that is no check id, symbol or id prefix."""


def _tokens(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    return [token.strip() for item in items for token in str(item).split(",") if token.strip()]


def _matching(token: str) -> list[CheckSpec]:
    upper = token.upper()
    return [spec for spec in CATALOG
            if spec.id == upper or spec.symbol == token.lower() or spec.id.startswith(upper)]


def select_checks(select: str | Iterable[str] | None = None,
                  ignore: str | Iterable[str] | None = None) -> tuple[CheckSpec, ...]:
    """Checks chosen by ids, symbols or id prefixes (`GKE`, `NP00`); SelectionError for unknown names."""
    chosen: list[CheckSpec] = []
    select_tokens, ignore_tokens = _tokens(select), _tokens(ignore)
    for token in [*select_tokens, *ignore_tokens]:
        if not _matching(token):
            raise SelectionError(f"no check matches {token!r}; run `netpol-tui checks` for the ids and symbols")
    if select_tokens:
        wanted = {spec.id for token in select_tokens for spec in _matching(token)}
        chosen = [spec for spec in CATALOG if spec.id in wanted]
    else:
        chosen = list(CATALOG)
    ignored = {spec.id for token in ignore_tokens for spec in _matching(token)}
    return tuple(spec for spec in chosen if spec.id not in ignored)


def make_engine(snapshot: Snapshot) -> tuple[PolicyEngine | None, str | None]:
    """The verdict engine under the cluster's own dataplane, or None and why not."""
    try:
        from netpol_tui.policy import PolicyEngine

        return PolicyEngine(snapshot, dataplane="auto"), None
    except Exception as exc:  # an engine bug must not cost the non-reachability checks
        return None, f"{type(exc).__name__}: {exc}"


def _finding(spec: CheckSpec, hit: Hit) -> Finding:
    return Finding(
        id=spec.id, symbol=spec.symbol, severity=hit.severity or spec.severity, title=spec.title,
        subject=hit.subject, message=hit.message, evidence=tuple(hit.evidence),
        remediation=Remediation(tuple(hit.commands), hit.manifest, tuple(hit.placeholders)),
        explanation=spec.doc, origin=hit.origin, notes=tuple(hit.notes),
    )


def run_checks(snapshot: Snapshot, engine: PolicyEngine | None = None,
               select: str | Iterable[str] | None = None, ignore: str | Iterable[str] | None = None,
               timings: dict[str, float] | None = None) -> Report:
    """Run the chosen checks; never raises for a failing check (it becomes an unknown).

    `engine` defaults to a PolicyEngine with dataplane "auto" built here. `timings`, when
    given, receives seconds per check id (for the benchmark).
    """
    specs = select_checks(select, ignore)
    with gc_paused():
        return _run(snapshot, engine, specs, timings)


def _run(snapshot: Snapshot, engine: PolicyEngine | None, specs: tuple[CheckSpec, ...],
         timings: dict[str, float] | None) -> Report:
    engine_error = None
    if engine is None:
        engine, engine_error = make_engine(snapshot)
    return run_prepared(Context(snapshot, engine, engine_error), specs, timings)


def run_prepared(ctx: Context, specs: tuple[CheckSpec, ...], timings: dict[str, float] | None = None) -> Report:
    """Run `specs` over a prepared context (checks/incremental.py seeds its indexes); the caller
    pauses the collector."""
    snapshot, engine = ctx.snapshot, ctx.engine
    findings: list[Finding] = []
    unknown: list[UnknownCheck] = []
    for spec in specs:
        ctx.current_check = spec.id
        started = time.perf_counter()
        try:
            hits = list(spec.function(ctx))
        except CheckUnknown as exc:
            unknown.append(UnknownCheck(spec.id, exc.reason))
            hits = []
        except Exception as exc:  # a check bug becomes an unknown, never a traceback
            unknown.append(UnknownCheck(spec.id, f"the check failed: {type(exc).__name__}: {exc}"))
            hits = []
        findings.extend(_finding(spec, hit) for hit in hits)
        for reason in ctx.partial_unknown.get(spec.id, ()):
            unknown.append(UnknownCheck(spec.id, f"partly unknown: {reason}"))
        if timings is not None:
            timings[spec.id] = time.perf_counter() - started
    findings.sort(key=lambda finding: finding.sort_key)
    cluster = snapshot.cluster.name if snapshot.cluster else (snapshot.source.cluster or None)
    return Report(findings=tuple(findings), unknown=tuple(unknown), dataplane=ctx.dataplane, cluster=cluster,
                  source=snapshot.source.description, checked=tuple(spec.id for spec in specs),
                  notes=tuple(engine.notes) if engine is not None else (), not_read=NotRead.from_snapshot(snapshot))
