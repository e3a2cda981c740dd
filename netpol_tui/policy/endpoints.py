"""Endpoints of a question: `NAMESPACE/POD`, `POD`, an IP address, `NAMESPACE/svc/NAME`; a name the
unread data would have resolved raises EndpointUnknown, never a guess.
"""

from __future__ import annotations

import difflib

from netpol_tui.model.objects import Pod, Service
from netpol_tui.model.policy import LabelSelector
from netpol_tui.model.snapshot import Kind
from netpol_tui.policy.addresses import (
    try_parse_address,
)
from netpol_tui.policy.common import (
    NO_DOUBT,
    _maybe_cluster_internal,
)
from netpol_tui.policy.index import PolicyIndex
from netpol_tui.policy.results import (
    Endpoint,
    EndpointError,
    EndpointUnknown,
    normalise_address,
)


class EndpointsMixin(PolicyIndex):
    """Turns the text of a question into endpoints (pods, addresses, a Service's pods) and says
    which unread kinds leave an address's identity in doubt."""

    # ------------------------------------------------------------ endpoints

    def resolve_address(self, address: str) -> Endpoint:
        """A pod's IP resolves to that pod; any other address is outside the cluster."""
        text = normalise_address(address)
        pod = self._pod_by_ip.get(text)
        if pod is not None:
            return Endpoint.for_pod(pod, address=text)
        return Endpoint.for_address(text)

    def resolve(self, text: str, default_namespace: str | None = None) -> list[Endpoint]:
        """`NAMESPACE/POD`, `POD` (with default_namespace, or unique across namespaces), an IP
        address, or `NAMESPACE/svc/NAME` (one endpoint per pod backing the Service). A Service's
        ClusterIP resolves like `NAMESPACE/svc/NAME`."""
        text = str(text or "").strip()
        if not text:
            raise EndpointError("empty endpoint: give NAMESPACE/POD, POD, an IP address or NAMESPACE/svc/NAME")
        # `ns/pod/` (shell completion) and `ns / pod` are read as `ns/pod`
        parts = [part.strip() for part in text.rstrip("/").split("/")]
        if len(parts) == 1:
            try:
                endpoint = self.resolve_address(parts[0])
                service = self._service_ips.get(endpoint.address or "") if endpoint.pod is None else None
                if service is not None and service.selector:
                    # A ClusterIP is translated to a backing pod before policy applies: answer for those pods.
                    try:
                        return self._resolve_service(service.namespace, service.name)
                    except EndpointUnknown:
                        raise
                    except EndpointError:
                        pass
                return [endpoint]
            except EndpointError:
                # pod names never hold ':' or '[': such text was meant as an address
                if ":" in parts[0] or parts[0].startswith("["):
                    raise
        if any(not part for part in parts):
            raise EndpointError(f"cannot read endpoint {text!r}: expected NAMESPACE/POD, POD, an IP address "
                                "or NAMESPACE/svc/NAME")
        if try_parse_address(parts[0]) is not None:
            raise EndpointError(f"{text!r} is a CIDR; an endpoint is a single address")
        if len(parts) == 3 and parts[1].lower() in ("svc", "service", "services"):
            return self._resolve_service(parts[0], parts[2])
        if len(parts) == 3 and parts[1].lower() in ("pod", "pods", "po"):
            parts = [parts[0], parts[2]]
        if len(parts) == 2 and parts[0].lower() in ("svc", "service") and default_namespace \
                and (default_namespace, parts[1]) in self._services:
            return self._resolve_service(default_namespace, parts[1])
        if len(parts) == 2:
            return [Endpoint.for_pod(self._find_pod(parts[0], parts[1]))]
        if len(parts) == 1:
            if default_namespace:
                return [Endpoint.for_pod(self._find_pod(default_namespace, parts[0]))]
            matches = self._pods_named().get(parts[0], [])
            if not matches and Kind.POD in self.unread:
                raise self._pods_unread(f"pod {parts[0]}")
            if len(matches) == 1:
                return [Endpoint.for_pod(matches[0])]
            if len(matches) > 1:
                names = sorted(f"{pod.namespace}/{pod.name}" for pod in matches)
                raise EndpointError(f"pod {parts[0]!r} exists in {len(matches)} namespaces; "
                                    "give NAMESPACE/POD or --namespace", names[:8])
            close = difflib.get_close_matches(parts[0], list(self._pods_named()), n=5, cutoff=0.6)
            suggestions = [f"{pod.namespace}/{pod.name}" for name in close for pod in self._pods_named()[name]]
            raise EndpointError(f"no pod named {parts[0]!r} in any namespace", suggestions[:5])
        raise EndpointError(f"cannot read endpoint {text!r}: expected NAMESPACE/POD, POD, an IP address "
                            "or NAMESPACE/svc/NAME")

    def _pods_named(self) -> dict[str, list[Pod]]:
        if self._names_index is None:
            index: dict[str, list[Pod]] = {}
            for pod in self._pods_by_key.values():
                index.setdefault(pod.name, []).append(pod)
            self._names_index = index
        return self._names_index

    def _pods_unread(self, text: str) -> EndpointUnknown:
        return EndpointUnknown(f"{text} cannot be looked up: the pods were not read",
                               (self.unread.because(Kind.POD, f"which pod {text} is, its labels and IP"),))

    def _find_pod(self, namespace: str, name: str) -> Pod:
        pod = self._pods_by_key.get((namespace, name))
        if pod is not None:
            return pod
        if Kind.POD in self.unread:
            raise self._pods_unread(f"pod {namespace}/{name}")
        in_namespace = sorted(pod.name for group in self._groups_by_ns.get(namespace, ()) for pod in group.pods)
        # People often type the workload's name (`web`) for its pods (`web-5d4f8-x2x7q`).
        suggestions = [f"{namespace}/svc/{name}"] if (namespace, name) in self._services else []
        suggestions += [f"{namespace}/{pod_name}" for pod_name in in_namespace if pod_name.startswith(f"{name}-")][:4]
        suggestions += [f"{namespace}/{close}" for close in difflib.get_close_matches(name, in_namespace, n=5)
                        if f"{namespace}/{close}" not in suggestions]
        elsewhere = sorted(f"{pod.namespace}/{pod.name}" for pod in self._pods_named().get(name, []))
        if namespace not in self._groups_by_ns:
            close_ns = difflib.get_close_matches(namespace, list(self._groups_by_ns), n=3)
            suggestions += [f"{ns}/{name}" for ns in close_ns if (ns, name) in self._pods_by_key]
            suggestions += [f"{ns}/..." for ns in close_ns if (ns, name) not in self._pods_by_key]
            message = f"no pod {name!r} in namespace {namespace!r} (the snapshot has no pods in that namespace)"
        else:
            message = f"no pod {name!r} in namespace {namespace!r}"
        suggestions += [item for item in elsewhere if item not in suggestions]
        raise EndpointError(message, suggestions[:6])

    def _resolve_service(self, namespace: str, name: str) -> list[Endpoint]:
        service = self._services.get((namespace, name))
        if service is None and Kind.SERVICE in self.unread:
            raise EndpointUnknown(f"Service {namespace}/{name} cannot be looked up: the Services were not read",
                                  (self.unread.because(Kind.SERVICE, f"which pods Service {namespace}/{name} "
                                                                     "sends to, and its ports"),))
        if service is None:
            names = [svc_name for (ns, svc_name) in self._services if ns == namespace]
            close = difflib.get_close_matches(name, names, n=5)
            raise EndpointError(f"no Service {name!r} in namespace {namespace!r}",
                                [f"{namespace}/svc/{item}" for item in close])
        if not service.selector:
            raise EndpointError(f"Service {namespace}/{name} has no selector (its endpoints are managed by hand), "
                                "so its pods are unknown; name a pod or an IP address instead")
        if Kind.POD in self.unread:
            raise EndpointUnknown(f"the pods behind Service {namespace}/{name} cannot be looked up: the pods "
                                  "were not read", (self.unread.because(
                                      Kind.POD, f"which pods Service {namespace}/{name} selects"),))
        selector = LabelSelector(dict(service.selector))
        pods = [pod for group in self._matching_groups(namespace, selector) for pod in group.pods if pod.is_live]
        if not pods:
            text = ",".join(f"{k}={v}" for k, v in service.selector.items())
            raise EndpointError(f"Service {namespace}/{name} selects no live pod (selector {text})")
        pods.sort(key=lambda pod: pod.name)
        return [Endpoint.for_pod(pod, service=service) for pod in pods]

    def service_target_port(self, service: Service, pod: Pod, port: int, protocol: str = "TCP") -> int | None:
        """The pod port a Service port sends to (targetPort, named ports resolved on the pod);
        None when the Service has no such port or the pod lacks the named port."""
        for service_port in service.ports:
            if service_port.port == port and service_port.protocol == protocol:
                target = service_port.target_port
                if target is None:
                    return port
                if isinstance(target, int):
                    return target
                return self.named_port(pod, target, protocol)
        return None

    @staticmethod
    def named_port(pod: Pod, name: str, protocol: str) -> int | None:
        """The container port of the pod with that name and protocol."""
        for port in pod.ports:
            if port.name == name and port.protocol == protocol:
                return port.container_port
        return None

    # ----------------------------------------------------------- evaluation

    def _canonical(self, endpoint: Endpoint, notes: list[str]) -> Endpoint:
        if endpoint.pod is None and endpoint.address is not None:
            pod = self._pod_by_ip.get(endpoint.address)
            if pod is not None:
                notes.append(f"{endpoint.address} is the IP of pod {pod.namespace}/{pod.name}; "
                             "evaluated as that pod.")
                return Endpoint.for_pod(pod, address=endpoint.address)
        return endpoint

    @staticmethod
    def _pick_ip(endpoint: Endpoint, ipv6: bool) -> str | None:
        """The pod's IP of the given family when the endpoint's own address is of another."""
        if endpoint.pod is not None:
            for ip in endpoint.pod.pod_ips:
                if (":" in ip) == ipv6:
                    return ip
        return None

    def _traffic_ips(self, src: Endpoint, dst: Endpoint, notes: list[str]) -> tuple[str | None, str | None]:
        src_ip, dst_ip = src.address, dst.address
        if src_ip is not None and dst_ip is not None and (":" in src_ip) != (":" in dst_ip):
            # The side whose address was chosen (an outside address, or a pod's non-primary IP
            # given explicitly) fixes the family; the other pod follows it.
            src_chosen = src.pod is None or src_ip != src.pod.ip
            dst_chosen = dst.pod is None or dst_ip != dst.pod.ip
            if dst.pod is not None and (src_chosen or not dst_chosen):
                dst_ip = self._pick_ip(dst, ":" in src_ip) or dst_ip
            if src.pod is not None and (":" in src_ip) != (":" in dst_ip):
                src_ip = self._pick_ip(src, ":" in dst_ip) or src_ip
            if (":" in src_ip) != (":" in dst_ip):
                notes.append(f"Source {src_ip} and destination {dst_ip} are of different IP families; such a "
                             "connection cannot exist.")
        return src_ip, dst_ip


    def _doubt(self, endpoint: Endpoint) -> tuple[Kind, ...]:
        """The unread kinds that may make an address endpoint a pod or a ClusterIP (which `resolve`
        and the datapath replace by the Service's pods)."""
        if endpoint.pod is not None or not self.unread or endpoint.address is None:
            return NO_DOUBT
        address = endpoint.address
        kinds: list[Kind] = []
        if Kind.POD in self.unread and self._may_be_pod(address):
            kinds.append(Kind.POD)
        if Kind.SERVICE in self.unread and address not in self._pod_by_ip \
                and self._may_be_cluster_ip(address):
            kinds.append(Kind.SERVICE)
        return tuple(kinds)

    def _may_be_pod(self, text: str) -> bool:
        """Could a pod hold this address? Nodes' podCIDRs bound every pod IP when nodes were read;
        else any non-public address may be one (and any in the cluster's pod range)."""
        if text in self._host_ips:
            return False  # a node's address: node traffic, matched only by ipBlock
        address = self._address(text)
        if address is None:
            return False
        if self._node_pod_ranges:
            return self._range_of(self._node_pod_ranges, address) is not None
        if self._range_of(self._pod_ranges, address) is not None:
            return True
        return _maybe_cluster_internal(text)

    def _may_be_cluster_ip(self, text: str) -> bool:
        """Could a Service hold this ClusterIP? Bounded by the cluster's Service range when known."""
        address = self._address(text)
        if address is None or text in self._host_ips:
            return False
        if self._service_ranges and address.version == 4:
            return self._range_of(self._service_ranges, address) is not None
        return _maybe_cluster_internal(text)
