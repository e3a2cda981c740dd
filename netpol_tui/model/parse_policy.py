"""NetworkPolicy and label selectors, validated as the API server would before defaulting."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from netpol_tui.model.objects import (
    Origin,
)
from netpol_tui.model.parse_fields import (
    ParseError,
    _dict,
    _int_or_name,
    _list,
    _metadata,
    _port_number,
    _protocol,
    _scalar_text,
    _show,
    _str,
    _string_map,
    _type,
)
from netpol_tui.model.policy import (
    IPBlock,
    LabelSelector,
    LabelSelectorRequirement,
    NetworkPolicy,
    PolicyPeer,
    PolicyPort,
    PolicyRule,
    SelectorOperator,
)

# --------------------------------------------------------------------------- selectors


def parse_label_selector(value: Any, path: str) -> LabelSelector:
    data = _dict(value, path)
    labels = _string_map(data.get("matchLabels"), f"{path}.matchLabels")
    expressions = []
    for index, raw in enumerate(_list(data.get("matchExpressions"), f"{path}.matchExpressions")):
        where = f"{path}.matchExpressions[{index}]"
        raw = _dict(raw, where)
        key = raw.get("key")
        if not isinstance(key, str) or not key:
            raise ParseError(f"{where}.key is missing" if key is None or key == ""
                             else f"{where}.key must be a string, got {_type(key)}")
        operator_text = raw.get("operator")
        try:
            operator = SelectorOperator(str(operator_text))  # any non-text value: ValueError below
        except (ValueError, TypeError):
            raise ParseError(
                f"{where}.operator {_show(operator_text)} is not one of In, NotIn, Exists, DoesNotExist"
            ) from None
        values = tuple(_scalar_text(v, f"{where}.values[{i}]")
                       for i, v in enumerate(_list(raw.get("values"), f"{where}.values")))
        if operator in (SelectorOperator.IN, SelectorOperator.NOT_IN) and not values:
            raise ParseError(f"{where}: operator {operator} needs at least one value")
        if operator in (SelectorOperator.EXISTS, SelectorOperator.DOES_NOT_EXIST) and values:
            raise ParseError(f"{where}: operator {operator} takes no values")
        expressions.append(LabelSelectorRequirement(key, operator, values))
    return LabelSelector(labels, tuple(expressions))


# ----------------------------------------------------------------------- NetworkPolicy


def _network(text: Any, path: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    if not isinstance(text, str) or "/" not in text:
        raise ParseError(f"{path} must be a CIDR such as 10.0.0.0/8, got {_show(text)}")
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise ParseError(f"{path} is not a valid CIDR: {_show(text)}") from None


def _ip_block(value: Any, path: str) -> IPBlock:
    data = _dict(value, path)
    cidr = data.get("cidr")
    network = _network(cidr, f"{path}.cidr")
    excepts = []
    for index, item in enumerate(_list(data.get("except"), f"{path}.except")):
        inner = _network(item, f"{path}.except[{index}]")
        if not _strictly_inside(inner, network):
            raise ParseError(f"{path}.except[{index}] {_show(item)} must lie strictly inside {_show(cidr)}")
        excepts.append(item.strip())
    return IPBlock(str(cidr).strip(), tuple(excepts))  # a str: _network checked it


def _strictly_inside(inner: ipaddress.IPv4Network | ipaddress.IPv6Network,
                     outer: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    """A subnet of `outer` (same IP version) other than `outer` itself."""
    if isinstance(inner, ipaddress.IPv4Network) and isinstance(outer, ipaddress.IPv4Network):
        return inner != outer and inner.subnet_of(outer)
    if isinstance(inner, ipaddress.IPv6Network) and isinstance(outer, ipaddress.IPv6Network):
        return inner != outer and inner.subnet_of(outer)
    return False


def _peers(value: Any, path: str) -> tuple[PolicyPeer, ...]:
    peers = []
    for index, raw in enumerate(_list(value, path)):
        where = f"{path}[{index}]"
        raw = _dict(raw, where)
        pod = raw.get("podSelector")
        namespace = raw.get("namespaceSelector")
        block = raw.get("ipBlock")
        if block is not None and (pod is not None or namespace is not None):
            raise ParseError(f"{where}: ipBlock cannot be combined with podSelector or namespaceSelector")
        if block is None and pod is None and namespace is None:
            raise ParseError(f"{where} must set podSelector, namespaceSelector or ipBlock")
        peers.append(PolicyPeer(
            parse_label_selector(pod, f"{where}.podSelector") if pod is not None else None,
            parse_label_selector(namespace, f"{where}.namespaceSelector") if namespace is not None else None,
            _ip_block(block, f"{where}.ipBlock") if block is not None else None,
        ))
    return tuple(peers)


def _policy_ports(value: Any, path: str) -> tuple[PolicyPort, ...]:
    ports = []
    for index, raw in enumerate(_list(value, path)):
        where = f"{path}[{index}]"
        raw = _dict(raw, where)
        port = _int_or_name(raw.get("port"), f"{where}.port")
        end_port = raw.get("endPort")
        if end_port is not None:
            end_port = _port_number(end_port, f"{where}.endPort")
            if not isinstance(port, int):
                raise ParseError(f"{where}.endPort needs a numeric port")
            if end_port < port:
                raise ParseError(f"{where}.endPort {end_port} is below port {port}")
        ports.append(PolicyPort(_protocol(raw.get("protocol"), f"{where}.protocol"), port, end_port))
    return tuple(ports)


def _rules(value: Any, path: str, peer_key: str) -> tuple[PolicyRule, ...]:
    rules = []
    for index, raw in enumerate(_list(value, path)):
        where = f"{path}[{index}]"
        raw = _dict(raw, where)
        rules.append(PolicyRule(_peers(raw.get(peer_key), f"{where}.{peer_key}"),
                                _policy_ports(raw.get("ports"), f"{where}.ports")))
    return tuple(rules)


def parse_network_policy(obj: Mapping[str, Any], origin: Origin | None = None) -> NetworkPolicy:
    meta, name, namespace = _metadata(obj, namespaced=True)
    if obj.get("spec") is None:
        raise ParseError("spec is missing")
    spec = _dict(obj.get("spec"), "spec")
    # A missing podSelector decodes as the empty selector on the API server too: all pods.
    pod_selector = parse_label_selector(spec.get("podSelector"), "spec.podSelector")
    ingress = _rules(spec.get("ingress"), "spec.ingress", "from")
    egress = _rules(spec.get("egress"), "spec.egress", "to")
    written = _list(spec.get("policyTypes"), "spec.policyTypes")
    if written:
        types = []
        for index, item in enumerate(written):
            if item not in ("Ingress", "Egress"):
                raise ParseError(f"spec.policyTypes[{index}] must be Ingress or Egress, got {_show(item)}")
            if item not in types:
                types.append(item)
        policy_types = tuple(types)
    else:
        # The API server's defaulting: Ingress always, Egress only with a non-empty egress list.
        policy_types = ("Ingress", "Egress") if egress else ("Ingress",)
    return NetworkPolicy(
        name=name, namespace=namespace, pod_selector=pod_selector, policy_types=policy_types,
        ingress=ingress, egress=egress, policy_types_written=bool(written),
        labels=_string_map(meta.get("labels"), "metadata.labels"),
        annotations=_string_map(meta.get("annotations"), "metadata.annotations"),
        uid=_str(meta.get("uid"), "metadata.uid", "") or "",
        creation_timestamp=_str(meta.get("creationTimestamp"), "metadata.creationTimestamp"),
        origin=origin,
    )
