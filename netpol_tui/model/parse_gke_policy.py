"""FQDNNetworkPolicy, CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy, validated.

A wrong type is a ParseError naming the field (the object is rejected, its kind still loads); a
field netpol-tui does not evaluate is kept by name in `unsupported`, so verdicts it could touch
become unknown.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from netpol_tui.model.gke_policy import (
    CiliumPeerRule,
    CiliumPolicy,
    CiliumPort,
    CiliumRuleSet,
    FqdnNetworkPolicy,
    FqdnRule,
)
from netpol_tui.model.objects import Origin
from netpol_tui.model.parse_fields import (
    ParseError,
    _bool,
    _dict,
    _int,
    _list,
    _metadata,
    _port_number,
    _scalar_text,
    _show,
    _string_map,
)
from netpol_tui.model.parse_policy import parse_label_selector

CILIUM_PROTOCOLS = ("TCP", "UDP", "SCTP", "ANY")
#: Cilium peer fields evaluated: endpoints, entities, CIDRs (the rest is named unsupported).
_L3 = {"ingress": ("fromEndpoints", "fromEntities", "fromCIDR", "fromCIDRSet"),
       "egress": ("toEndpoints", "toEntities", "toCIDR", "toCIDRSet")}
_RULE_KEYS = {"ingress": ("fromEndpoints", "fromEntities", "fromCIDR", "fromCIDRSet", "toPorts"),
              "egress": ("toEndpoints", "toEntities", "toCIDR", "toCIDRSet", "toPorts")}
_SPEC_KEYS = frozenset({"endpointSelector", "nodeSelector", "ingress", "ingressDeny", "egress", "egressDeny",
                        "enableDefaultDeny", "description", "labels"})
_PORT_KEYS = frozenset({"ports"})


def _protocol(value: Any, path: str, allowed: tuple[str, ...], default: str) -> str:
    if value is None:
        return default
    if not isinstance(value, str) or value.upper() not in allowed:
        raise ParseError(f"{path} must be one of {', '.join(allowed)}, got {_show(value)}")
    return value.upper()


def _cidr(value: Any, path: str) -> str:
    text = _scalar_text(value, path)
    try:
        return str(ipaddress.ip_network(text, strict=False))
    except ValueError:
        raise ParseError(f"{path} must be a CIDR, got {_show(value)}") from None


# ---------------------------------------------------------------------------- FQDN


def parse_fqdn_network_policy(obj: Mapping[str, Any], origin: Origin | None = None) -> FqdnNetworkPolicy:
    _, name, namespace = _metadata(obj, namespaced=True)
    spec = _dict(obj.get("spec"), "spec")
    selector = parse_label_selector(spec.get("podSelector"), "spec.podSelector")
    rules = []
    for index, raw in enumerate(_list(spec.get("egress"), "spec.egress")):
        where = f"spec.egress[{index}]"
        raw = _dict(raw, where)
        names, patterns = [], []
        for m, match in enumerate(_list(raw.get("matches"), f"{where}.matches")):
            match = _dict(match, f"{where}.matches[{m}]")
            if "name" in match:
                names.append(_scalar_text(match["name"], f"{where}.matches[{m}].name").lower().rstrip("."))
            if "pattern" in match:
                patterns.append(_scalar_text(match["pattern"], f"{where}.matches[{m}].pattern").lower().rstrip("."))
            if "name" not in match and "pattern" not in match:
                raise ParseError(f"{where}.matches[{m}] needs a name or a pattern")
        ports = []
        for p, port in enumerate(_list(raw.get("ports"), f"{where}.ports")):
            port = _dict(port, f"{where}.ports[{p}]")
            protocol = _protocol(port.get("protocol"), f"{where}.ports[{p}].protocol", ("TCP", "UDP", "SCTP"), "TCP")
            number = None if port.get("port") is None else _port_number(port["port"], f"{where}.ports[{p}].port")
            ports.append((protocol, number))
        rules.append(FqdnRule(tuple(names), tuple(patterns), tuple(ports)))
    return FqdnNetworkPolicy(name, namespace, selector, tuple(rules), origin, _raw(obj, "networking.gke.io/v1alpha1",
                                                                                   "FQDNNetworkPolicy"))


def fqdn_matches(rule: FqdnRule, host: str) -> bool:
    """Does `host` match one of the rule's exact names or wildcard patterns?

    GKE's page: `pattern: *.company.com` matches `api.company.com` and `store.company.com`, not
    `eu.api.company.com` nor `company.com`: `*` stands for characters of one DNS label, never a
    dot (as Cilium's matchPattern, which GKE's FQDN policy builds on, where `*` alone matches
    every name).
    """
    host = host.lower().rstrip(".")
    return host in rule.names or any(_pattern(pattern).fullmatch(host) for pattern in rule.patterns)


@functools.lru_cache(maxsize=4096)
def _pattern(pattern: str) -> re.Pattern[str]:
    if pattern == "*":
        return re.compile(r".+")
    return re.compile("[-a-z0-9_]*".join(re.escape(part) for part in pattern.split("*")))


# --------------------------------------------------------------------------- Cilium


def _cilium_ports(raw: Any, path: str, unsupported: list[str]) -> tuple[CiliumPort, ...]:
    ports = []
    for index, entry in enumerate(_list(raw, path)):
        where = f"{path}[{index}]"
        entry = _dict(entry, where)
        for key in entry:
            if key not in _PORT_KEYS:
                unsupported.append(f"{where}.{key}")
        for p, port in enumerate(_list(entry.get("ports"), f"{where}.ports")):
            port = _dict(port, f"{where}.ports[{p}]")
            protocol = _protocol(port.get("protocol"), f"{where}.ports[{p}].protocol", CILIUM_PROTOCOLS, "ANY")
            value = port.get("port")
            number: int | str | None
            if value is None or value in ("0", 0):
                number = None
            elif isinstance(value, str) and not value.strip().isdigit():
                number = value
            else:
                number = _port_number(value, f"{where}.ports[{p}].port")
            end = _int(port.get("endPort"), f"{where}.ports[{p}].endPort")
            ports.append(CiliumPort(protocol, number, end or None))
        if not entry.get("ports"):
            ports.append(CiliumPort("ANY"))
    return tuple(ports)


def _peer_rule(raw: Any, path: str, direction: str) -> CiliumPeerRule:
    raw = _dict(raw, path)
    unsupported = [f"{path}.{key}" for key in raw if key not in _RULE_KEYS[direction]]
    endpoints_key, entities_key, cidr_key, cidr_set_key = _L3[direction]
    endpoints = tuple(parse_label_selector(item, f"{path}.{endpoints_key}[{i}]")
                      for i, item in enumerate(_list(raw.get(endpoints_key), f"{path}.{endpoints_key}")))
    entities = tuple(_scalar_text(item, f"{path}.{entities_key}[{i}]")
                     for i, item in enumerate(_list(raw.get(entities_key), f"{path}.{entities_key}")))
    cidrs: list[tuple[str, tuple[str, ...]]] = [(_cidr(item, f"{path}.{cidr_key}[{i}]"), ())
             for i, item in enumerate(_list(raw.get(cidr_key), f"{path}.{cidr_key}"))]
    for i, item in enumerate(_list(raw.get(cidr_set_key), f"{path}.{cidr_set_key}")):
        where = f"{path}.{cidr_set_key}[{i}]"
        item = _dict(item, where)
        if "cidr" not in item:
            unsupported.append(f"{where} (cidrGroupRef/selector)")
            continue
        excepts = tuple(_cidr(e, f"{where}.except[{j}]") for j, e in enumerate(_list(item.get("except"), where)))
        cidrs.append((_cidr(item["cidr"], f"{where}.cidr"), excepts))
    ports_key = "toPorts"
    ports = _cilium_ports(raw.get(ports_key), f"{path}.{ports_key}", unsupported)
    has_l3 = any(key in raw for key in _L3[direction])
    return CiliumPeerRule(endpoints, entities, tuple(cidrs), ports, has_l3, tuple(unsupported))


def _rule_set(raw: Any, path: str) -> CiliumRuleSet:
    raw = _dict(raw, path)
    unsupported = [f"{path}.{key}" for key in raw if key not in _SPEC_KEYS]
    endpoint = raw.get("endpointSelector")
    node = raw.get("nodeSelector")
    sections = {}
    for key, direction in (("ingress", "ingress"), ("ingressDeny", "ingress"), ("egress", "egress"),
                           ("egressDeny", "egress")):
        sections[key] = tuple(_peer_rule(item, f"{path}.{key}[{i}]", direction)
                              for i, item in enumerate(_list(raw.get(key), f"{path}.{key}")))
    default_deny = _dict(raw.get("enableDefaultDeny"), f"{path}.enableDefaultDeny")
    return CiliumRuleSet(
        parse_label_selector(endpoint, f"{path}.endpointSelector") if endpoint is not None else None,
        parse_label_selector(node, f"{path}.nodeSelector") if node is not None else None,
        sections["ingress"], sections["ingressDeny"], sections["egress"], sections["egressDeny"],
        _bool(default_deny["ingress"], f"{path}.enableDefaultDeny.ingress") if "ingress" in default_deny else None,
        _bool(default_deny["egress"], f"{path}.enableDefaultDeny.egress") if "egress" in default_deny else None,
        path, tuple(unsupported))


def parse_cilium_policy(obj: Mapping[str, Any], origin: Origin | None = None) -> CiliumPolicy:
    written = obj.get("kind")
    kind: str = written if written in ("CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy") \
        else "CiliumNetworkPolicy"
    clusterwide = kind == "CiliumClusterwideNetworkPolicy"
    meta, name, namespace = _metadata(obj, namespaced=not clusterwide)
    raw_specs = []
    if obj.get("spec") is not None:
        raw_specs.append(("spec", obj["spec"]))
    raw_specs += [(f"specs[{i}]", item) for i, item in enumerate(_list(obj.get("specs"), "specs"))]
    if not raw_specs:
        raise ParseError("spec (or specs) is missing")
    rules: list[CiliumRuleSet] = []
    unsupported: list[str] = []
    for path, raw in raw_specs:
        rule_set = _rule_set(raw, path)
        unsupported += rule_set.unsupported
        for section in (rule_set.ingress, rule_set.ingress_deny, rule_set.egress, rule_set.egress_deny):
            for rule in section:
                unsupported += rule.unsupported
        rules.append(rule_set)
    return CiliumPolicy(kind, name, None if clusterwide else namespace, tuple(rules), tuple(unsupported), origin,
                        _string_map(meta.get("labels"), "metadata.labels"), _raw(obj, "cilium.io/v2", kind))


def _raw(obj: Mapping[str, Any], api_version: str, kind: str) -> dict[str, Any]:
    """The object to write back: as read, without managedFields and status (noise, and large)."""
    metadata = {k: v for k, v in dict(obj.get("metadata") or {}).items() if k != "managedFields"}
    return {"apiVersion": obj.get("apiVersion") or api_version, "kind": kind, "metadata": metadata,
            **{k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata", "status")}}


__all__ = ["fqdn_matches", "parse_cilium_policy", "parse_fqdn_network_policy"]
