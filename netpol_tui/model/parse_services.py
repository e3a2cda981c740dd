"""Services and Ingresses: the ports and backends that reachability questions start from."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netpol_tui.model.objects import (
    Ingress,
    IngressBackend,
    Origin,
    Service,
    ServicePort,
)
from netpol_tui.model.parse_fields import (
    _dict,
    _int_or_name,
    _ip,
    _list,
    _metadata,
    _port_number,
    _protocol,
    _str,
    _string_map,
)


def parse_service(obj: Mapping[str, Any], origin: Origin | None = None) -> Service:
    meta, name, namespace = _metadata(obj, namespaced=True)
    spec = _dict(obj.get("spec"), "spec")
    ports = []
    for index, raw in enumerate(_list(spec.get("ports"), "spec.ports")):
        path = f"spec.ports[{index}]"
        raw = _dict(raw, path)
        port = _port_number(raw.get("port"), f"{path}.port")
        target = _int_or_name(raw.get("targetPort"), f"{path}.targetPort")
        node_port = raw.get("nodePort")
        ports.append(ServicePort(port, _protocol(raw.get("protocol"), f"{path}.protocol"),
                                 _str(raw.get("name"), f"{path}.name"),
                                 target if target is not None else port,
                                 _port_number(node_port, f"{path}.nodePort") if node_port else None))
    selector = spec.get("selector")
    ips = tuple(_ip(ip, f"spec.clusterIPs[{index}]") or "" for index, ip in
                enumerate(_list(spec.get("clusterIPs"), "spec.clusterIPs")) if ip not in ("", "None"))
    if not ips and spec.get("clusterIP") not in (None, "", "None"):
        ips = (_ip(spec.get("clusterIP"), "spec.clusterIP") or "",)
    ingress_status = _dict(_dict(obj.get("status"), "status").get("loadBalancer"), "status.loadBalancer")
    lb_ips = tuple(_ip(entry["ip"], f"status.loadBalancer.ingress[{index}].ip") or ""
                   for index, entry in enumerate(_list(ingress_status.get("ingress"), "status.loadBalancer.ingress"))
                   if isinstance(entry, dict) and entry.get("ip") is not None)
    return Service(
        name=name, namespace=namespace, type=_str(spec.get("type"), "spec.type", "ClusterIP") or "ClusterIP",
        selector=_string_map(selector, "spec.selector") if selector else None,
        ports=tuple(ports),
        external_traffic_policy=_str(spec.get("externalTrafficPolicy"), "spec.externalTrafficPolicy"),
        cluster_ips=tuple(ip for ip in ips if ip), load_balancer_ips=tuple(ip for ip in lb_ips if ip),
        labels=_string_map(meta.get("labels"), "metadata.labels"),
        annotations=_string_map(meta.get("annotations"), "metadata.annotations"), origin=origin,
    )


def _backend(raw: Any, path: str) -> IngressBackend | None:
    raw = _dict(raw, path)
    if raw.get("service") is not None:
        service = _dict(raw["service"], f"{path}.service")
        port = _dict(service.get("port"), f"{path}.service.port")
        value = port.get("number") if port.get("number") is not None else port.get("name")
        return IngressBackend(_str(service.get("name"), f"{path}.service.name", "") or "",
                              _int_or_name(value, f"{path}.service.port"))
    if raw.get("serviceName"):
        return IngressBackend(_str(raw["serviceName"], f"{path}.serviceName") or "",
                              _int_or_name(raw.get("servicePort"), f"{path}.servicePort"))
    return None


def parse_ingress(obj: Mapping[str, Any], origin: Origin | None = None) -> Ingress:
    meta, name, namespace = _metadata(obj, namespaced=True)
    spec = _dict(obj.get("spec"), "spec")
    backends = []
    for key in ("defaultBackend", "backend"):
        if spec.get(key) is not None:
            backend = _backend(spec[key], f"spec.{key}")
            if backend:
                backends.append(backend)
    for rindex, rule in enumerate(_list(spec.get("rules"), "spec.rules")):
        http = _dict(_dict(rule, f"spec.rules[{rindex}]").get("http"), f"spec.rules[{rindex}].http")
        for pindex, path in enumerate(_list(http.get("paths"), f"spec.rules[{rindex}].http.paths")):
            where = f"spec.rules[{rindex}].http.paths[{pindex}]"
            backend = _backend(_dict(path, where).get("backend"), f"{where}.backend")
            if backend and backend not in backends:
                backends.append(backend)
    annotations = _string_map(meta.get("annotations"), "metadata.annotations")
    return Ingress(
        name=name, namespace=namespace, backends=tuple(backends),
        ingress_class=_str(spec.get("ingressClassName"), "spec.ingressClassName")
        or annotations.get("kubernetes.io/ingress.class"),
        labels=_string_map(meta.get("labels"), "metadata.labels"), annotations=annotations, origin=origin,
    )
