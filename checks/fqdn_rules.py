"""What FQDNNetworkPolicy rules name: GKE023 (an in-cluster Service), GKE024 (over 50 addresses).

Both read the policies alone (no verdict engine): a Service name can never be allowed by an FQDN
rule, because GKE turns a Service into its pods before policy runs, and one policy programs at
most 50 addresses (gke-facts section 13).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from netpol_tui.checks.context import Context, Hit, commands
from netpol_tui.checks.fqdn_common import FQDN_RESOURCE, need_fqdn_policies
from netpol_tui.checks.manifests import dump, namespace_peer, selector_dict
from netpol_tui.checks.model import Evidence, Subject
from netpol_tui.model.gke_policy import FqdnNetworkPolicy
from netpol_tui.model.objects import Service
from netpol_tui.model.snapshot import Kind
from netpol_tui.shell import apply, kubectl, objects
from netpol_tui.text import listed

#: GKE: "The maximum number of IPv4 and IPv6 IP addresses that a FQDNNetworkPolicy can resolve to is 50."
MAX_ADDRESSES = 50
CLUSTER_DOMAIN = ".svc.cluster.local"


# ------------------------------------------------------------------ GKE023


def service_for_name(name: str, services: dict[tuple[str, str], Service]) -> tuple[Service | None, bool]:
    """(the Service the name resolves to inside the cluster, whether the name is in-cluster at all).

    `svc.cluster.local` names are in-cluster whether or not the Service is in the snapshot;
    `NAME.NAMESPACE` and `NAME.NAMESPACE.svc` are when such a Service exists."""
    host = name.lower().rstrip(".")
    if host.endswith(CLUSTER_DOMAIN) or host == CLUSTER_DOMAIN[1:]:
        parts = host[: -len(CLUSTER_DOMAIN)].split(".")
        service = services.get((parts[1], parts[0])) if len(parts) == 2 else None
        return service, True
    parts = host.split(".")
    if len(parts) == 3 and parts[2] == "svc" or len(parts) == 2:
        service = services.get((parts[1], parts[0]))
        return service, service is not None
    return None, False


def check_fqdn_service_target(ctx: Context) -> Iterator[Hit]:
    """An FQDN rule names an in-cluster Service, which FQDN network policy can never allow.

    GKE translates a Service's virtual IP to the backend Pod IPs before it evaluates network
    policy, so a ClusterIP or headless Service cannot be an FQDN egress target (page "Control
    Pod egress traffic using FQDN network policies"). Egress to it stays denied; allow the
    backend pods with a label-based NetworkPolicy instead.
    """
    policies = need_fqdn_policies(ctx)
    if not policies:
        return
    services_read = ctx.kind_missing(Kind.SERVICE) is None
    if not services_read:
        ctx.partial(f"names of the form NAME.NAMESPACE could not be compared with Services "
                    f"({ctx.kind_missing(Kind.SERVICE)})")
    services = {service.key: service for service in ctx.snapshot.services}
    for policy in sorted(policies, key=lambda p: p.key):
        hits: list[tuple[int, str, Service | None]] = []
        for index, rule in enumerate(policy.egress):
            for name in (*rule.names, *rule.patterns):
                service, in_cluster = service_for_name(name, services)
                if in_cluster:
                    hits.append((index, name, service))
        if hits:
            yield _service_hit(policy, hits)


def _service_hit(policy: FqdnNetworkPolicy, hits: list[tuple[int, str, Service | None]]) -> Hit:
    known = [(index, name, service) for index, name, service in hits if service is not None and service.selector]
    steps = []
    manifest = None
    if known:
        docs = []
        for _, _, service in known:
            assert service is not None and service.selector  # as `known` filtered them
            ports = [{"protocol": p.protocol, "port": p.target_port if p.target_port is not None else p.port}
                     for p in service.ports]
            doc = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                   "metadata": {"name": f"allow-to-{service.name}"[:63], "namespace": policy.namespace},
                   "spec": {"podSelector": selector_dict(policy.pod_selector), "policyTypes": ["Egress"],
                            "egress": [{"to": [namespace_peer(service.namespace, dict(service.selector))],
                                        **({"ports": ports} if ports else {})}]}}
            if doc not in docs:
                docs.append(doc)
        manifest = dump(docs)
        steps.append((apply(manifest), "allow the Service's backend pods by label instead (a NetworkPolicy "
                                       "for the pods the FQDN policy selects)"))
    steps.append((kubectl("get", *objects(FQDN_RESOURCE, policy.name), "-o", "yaml", namespace=policy.namespace),
                  "then remove the in-cluster names from the FQDN policy"))
    cmds, placeholders = commands(*steps)
    evidence = [Evidence(f"egress[{index}] of FQDNNetworkPolicy {policy.namespace}/{policy.name}", name,
                         "a name outside the cluster")
                for index, name, _ in hits[:6]]
    evidence += [Evidence(f"Service {service.namespace}/{service.name}",
                          f"{service.type or 'ClusterIP'}: its VIP becomes pod IPs before policy is evaluated")
                 for _, _, service in known[:3] if service is not None]
    names = listed(dict.fromkeys(name for _, name, _ in hits))
    return Hit(Subject("FQDNNetworkPolicy", policy.namespace, policy.name),
               f"FQDNNetworkPolicy {policy.namespace}/{policy.name} allows the in-cluster name(s) {names}; GKE "
               "translates a Service to its pods before policy runs, so these rules never allow anything.",
               tuple(evidence), cmds, manifest, placeholders, origin=policy.origin)


# ------------------------------------------------------------------ GKE024


def check_fqdn_address_limit(ctx: Context) -> Iterator[Hit]:
    """An FQDNNetworkPolicy names more hosts than the 50 addresses GKE programs per policy.

    GKE states that the IPv4 and IPv6 addresses one FQDNNetworkPolicy can resolve to are at
    most 50 (page "Control Pod egress traffic using FQDN network policies"). Every exact name
    resolves to at least one address, so a policy with more than 50 distinct names is over the
    limit for sure and egress to some of them is dropped. (Wildcard patterns and names with
    several addresses count more, which the snapshot cannot see.) Split such a policy: each
    policy has its own limit, and egress is allowed when any of them allows it.
    """
    for policy in sorted(need_fqdn_policies(ctx), key=lambda p: p.key):
        names = list(dict.fromkeys(name.lower().rstrip(".") for rule in policy.egress for name in rule.names))
        if len(names) <= MAX_ADDRESSES:
            continue
        patterns = sum(len(rule.patterns) for rule in policy.egress)
        manifest = _split_manifest(policy)
        cmds, placeholders = commands(
            (apply(manifest), f"replace the policy by parts of at most {MAX_ADDRESSES // 2} names each (names "
                              "often resolve to several addresses); then delete the original"))
        yield Hit(Subject("FQDNNetworkPolicy", policy.namespace, policy.name),
                  f"FQDNNetworkPolicy {policy.namespace}/{policy.name} names {len(names)} hosts, more than the "
                  f"{MAX_ADDRESSES} addresses GKE programs per policy: egress to some of them is dropped.",
                  (Evidence(f"FQDNNetworkPolicy {policy.namespace}/{policy.name} egress[].matches[].name",
                            f"{len(names)} distinct names ({listed(names, 5)})",
                            f"at most {MAX_ADDRESSES} addresses in all"),
                   *([Evidence("patterns", f"{patterns} wildcard patterns, each may add addresses")]
                     if patterns else [])),
                  cmds, manifest, placeholders, origin=policy.origin)


def _split_manifest(policy: FqdnNetworkPolicy) -> str:
    """The policy's rules cut into policies of at most MAX_ADDRESSES // 2 names, from its raw spec."""
    chunk = MAX_ADDRESSES // 2
    raw_rules = policy.raw.get("spec", {}).get("egress") if isinstance(policy.raw, dict) else None
    if not isinstance(raw_rules, list) or len(raw_rules) != len(policy.egress):
        raw_rules = [{"matches": [*({"name": n} for n in rule.names), *({"pattern": p} for p in rule.patterns)],
                      **({"ports": [{"protocol": proto, **({"port": port} if port is not None else {})}
                                    for proto, port in rule.ports]} if rule.ports else {})}
                     for rule in policy.egress]
    pieces: list[list[dict[str, Any]]] = [[]]
    count = 0
    for rule in raw_rules:
        matches = [m for m in rule.get("matches") or [] if isinstance(m, dict)]
        rest = {key: value for key, value in rule.items() if key != "matches"}
        for start in range(0, len(matches), chunk):
            part = matches[start:start + chunk]
            if count + len(part) > chunk and pieces[-1]:
                pieces.append([])
                count = 0
            pieces[-1].append({"matches": part, **rest})
            count += len(part)
    docs = [{"apiVersion": "networking.gke.io/v1alpha1", "kind": "FQDNNetworkPolicy",
             "metadata": {"name": f"{policy.name[:55]}-part-{number}", "namespace": policy.namespace},
             "spec": {"podSelector": selector_dict(policy.pod_selector), "egress": rules}}
            for number, rules in enumerate(pieces, 1)]
    return dump(docs)
