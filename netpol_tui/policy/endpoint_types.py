"""Endpoints of a connection (a pod, maybe through a Service, or an address) and the errors of
a question the engine cannot answer.

Split from `results.py` (re-exported there): resolving and normalising the two ends of a
question is its own concern, apart from the verdicts that answer it.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from netpol_tui.model.objects import Pod, Service


class EndpointError(ValueError):
    """A query the engine cannot answer: unknown pod, bad address, bad port.

    `suggestions` holds the closest known names (may be empty).
    """

    def __init__(self, message: str, suggestions: tuple[str, ...] | list[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.suggestions = tuple(suggestions)

    def __str__(self) -> str:
        if self.suggestions:
            return f"{self.message} (did you mean: {', '.join(self.suggestions)}?)"
        return self.message


class EndpointUnknown(EndpointError):
    """The endpoint cannot be resolved because the data naming it was not read (pods or Services
    forbidden): the answer is unknown, not a bad question. `unknown_because` says what is missing."""

    def __init__(self, message: str, unknown_because: tuple[str, ...] | list[str]) -> None:
        super().__init__(message)
        self.unknown_because = tuple(unknown_because)


def normalise_address(text: str) -> str:
    """The canonical text of an IP address; EndpointError when it is not one.

    `[2001:db8::1]` (URL style) is accepted; a zone id (`fe80::1%eth0`) is refused: it names a
    link-local address of one host, never a pod or a routable peer that policy could match.
    """
    raw = str(text).strip()
    if raw.startswith("[") and raw.endswith("]"):
        raw = raw[1:-1].strip()
    if "%" in raw:
        raise EndpointError(f"IPv6 zone ids are not supported ({text!r}): a zone-scoped address is "
                            "link-local to one host; give the pod's or peer's routable address")
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        raise EndpointError(f"not an IP address: {text!r}") from None


class Endpoint:
    """One end of a connection: a pod (optionally reached through a Service) or an address.

    Immutable. `address` is the IP the traffic uses: for a pod, one of its IPs (the primary
    by default, None when the pod has none yet); for an external endpoint, the address.
    """

    __slots__ = ("_address", "_pod", "_service")
    # The slots' types (set once, by object.__setattr__, in __init__).
    _pod: Pod | None
    _address: str | None
    _service: Service | None

    def __init__(self, pod: Pod | None = None, address: str | None = None,
                 service: Service | None = None) -> None:
        if pod is None and address is None:
            raise EndpointError("an endpoint needs a pod or an address")
        if address is not None:
            address = normalise_address(address)
        elif pod is not None and pod.ip:
            # the API server writes pod IPs in canonical form; the engine parses them when needed
            address = pod.ip
        object.__setattr__(self, "_pod", pod)
        object.__setattr__(self, "_address", address)
        object.__setattr__(self, "_service", service)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Endpoint is immutable")

    @classmethod
    def for_pod(cls, pod: Pod, address: str | None = None, service: Service | None = None) -> Endpoint:
        return cls(pod=pod, address=address, service=service)

    @classmethod
    def for_address(cls, address: str) -> Endpoint:
        return cls(address=address)

    @property
    def pod(self) -> Pod | None:
        return self._pod

    @property
    def address(self) -> str | None:
        return self._address

    @property
    def service(self) -> Service | None:
        return self._service

    @property
    def is_pod(self) -> bool:
        return self._pod is not None

    @property
    def is_external(self) -> bool:
        return self._pod is None

    @property
    def kind(self) -> str:
        return "pod" if self._pod is not None else "address"

    @property
    def namespace(self) -> str | None:
        return self._pod.namespace if self._pod is not None else None

    @property
    def name(self) -> str:
        """`namespace/pod` for a pod, the address otherwise."""
        if self._pod is not None:
            return f"{self._pod.namespace}/{self._pod.name}"
        return self._address or "?"

    @property
    def labels(self) -> dict[str, str]:
        return self._pod.labels if self._pod is not None else {}

    def describe(self) -> str:
        """`shop/web-0 (10.4.0.5)`, `shop/db-0 (10.4.1.3, via Service shop/db)`, `203.0.113.5`."""
        if self._pod is None:
            return self._address or "?"
        extra = [self._address or "no IP"]
        if self._pod.host_network:
            extra.append("hostNetwork")
        if self._service is not None:
            extra.append(f"via Service {self._service.namespace}/{self._service.name}")
        return f"{self.name} ({', '.join(extra)})"

    def to_dict(self) -> dict[str, Any]:
        if self._pod is None:
            return {"kind": "address", "ip": self._address}
        data: dict[str, Any] = {"kind": "pod", "namespace": self._pod.namespace, "name": self._pod.name,
                                "ip": self._address}
        if self._pod.host_network:
            data["hostNetwork"] = True
        if self._service is not None:
            data["service"] = f"{self._service.namespace}/{self._service.name}"
        return data

    def _identity(self) -> tuple[tuple[str, str] | None, str | None, tuple[str, str] | None]:
        pod = self._pod.key if self._pod is not None else None
        service = self._service.key if self._service is not None else None
        return (pod, self._address, service)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Endpoint):
            return NotImplemented
        return self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def __repr__(self) -> str:
        return f"Endpoint({self.describe()})"

