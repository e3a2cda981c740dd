"""Field readers shared by every parser: types checked, values bounded, errors that name the field.

Each reader raises `ParseError` naming the field's path and what was found, so one bad value
costs one problem line for its object, never a traceback or the rest of the list.
"""

from __future__ import annotations

import ipaddress
import re
import sys
from collections.abc import Mapping
from typing import Any, overload

PROTOCOLS = ("TCP", "UDP", "SCTP")
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


class ParseError(ValueError):
    """An object that cannot be used; the message names the field and the problem."""


# ---------------------------------------------------------------------------- helpers

_TYPE_NAMES = {dict: "a mapping", list: "a list", str: "a string", int: "a number", float: "a number",
               bool: "a boolean", type(None): "null"}
_INTEGER = re.compile(r"^\s*[-+]?[0-9]{1,18}\s*$")
_PROTOCOL_SET = frozenset(PROTOCOLS)
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
#: Dotted-quad IPv4 exactly as ipaddress accepts it, ~10x faster; anything else goes to ipaddress.
_IPV4 = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}")
_is_ipv4 = _IPV4.fullmatch
_intern = sys.intern
_PROTOCOL_CONSTANTS = {protocol: protocol for protocol in PROTOCOLS}


def _interned_map(value: dict[str, str]) -> dict[str, str]:
    """The same map with its values replaced by shared strings (equal, so nobody can tell).

    100,000 pods repeat a few hundred namespaces, node names and label values: sharing the
    strings keeps a loaded snapshot about a third smaller (see benchmarks/load.md). The map is
    the freshly decoded one, so updating it in place is cheaper than building a new one.
    """
    for key, item in value.items():
        value[key] = _intern(item)
    return value


def _type(value: Any) -> str:
    return _TYPE_NAMES.get(type(value)) or getattr(value, "type_name", None) or type(value).__name__


def _show(value: Any, limit: int = 60) -> str:
    """repr() for messages, cut short: hostile input must not become a megabyte-long problem line."""
    if type(value) is int and not -10**limit < value < 10**limit:
        return "a number of more than 60 digits"  # repr() of a huge int is slow or refused
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def _key(key: Any) -> str:
    """A mapping key as a path segment: as written when plain, else quoted and cut short."""
    text = _scalar_text(key) if isinstance(key, str | int | float) else repr(key)
    return text if len(text) <= 60 and text.isprintable() else _show(text)


def _dict(value: Any, path: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ParseError(f"{path} must be a mapping, got {_type(value)}")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ParseError(f"{path} must be a list, got {_type(value)}")
    return value


def _scalar_text(value: Any, path: str = "value") -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, str | int | float):
        raise ParseError(f"{path} must be a string, got {_type(value)}")
    return str(value)


def _string_map(value: Any, path: str) -> dict[str, str]:
    """labels/annotations/selectors: string to string (YAML scalars are accepted as text)."""
    if type(value) is dict:
        for key, item in value.items():
            if type(key) is not str or type(item) is not str:
                return _coerced_map(value, path)
        return value
    if value is None or (not value and isinstance(value, dict | list)):
        return {}
    if isinstance(value, dict):
        return _coerced_map(value, path)
    raise ParseError(f"{path} must be a mapping of strings, got {_type(value)}")


def _coerced_map(value: dict[str, Any], path: str) -> dict[str, str]:
    out = {}
    for key, item in value.items():
        if isinstance(item, dict | list) or item is None:
            raise ParseError(f"{path}.{_key(key)} must be a string, got {_type(item)}")
        out[_scalar_text(key, f"{path} key")] = _scalar_text(item, f"{path}.{_key(key)}")
    return out


@overload
def _str(value: Any, path: str) -> str | None: ...
@overload
def _str(value: Any, path: str, default: str) -> str: ...
@overload
def _str(value: Any, path: str, default: str | None) -> str | None: ...


def _str(value: Any, path: str, default: str | None = None) -> str | None:
    if value is None:
        return default
    if type(value) is str:
        return value
    if isinstance(value, bool | dict | list) or not isinstance(value, int | float | str):
        raise ParseError(f"{path} must be a string, got {_type(value)}")
    return str(value)


#: Kubernetes and GKE integers are int64 at most; a bigger number is not from an API server.
_INT64 = range(-(2**63), 2**63)


def _int(value: Any, path: str, default: int | None = None) -> int | None:
    if value is None:
        return default
    if type(value) is int:
        if value in _INT64:
            return value
        raise ParseError(f"{path} is out of range: {_show(value)}")
    if isinstance(value, bool):
        raise ParseError(f"{path} must be an integer, got a boolean")
    if isinstance(value, int):
        return _int(int(value), path)
    if isinstance(value, str) and _INTEGER.match(value):
        return int(value)
    raise ParseError(f"{path} must be an integer, got {_show(value)}")


def _bool(value: Any, path: str, default: bool = False) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ParseError(f"{path} must be a boolean, got {_show(value)}")


def _ip(value: Any, path: str) -> str | None:
    """An IP address as written; None when absent. Bad text is an error, not a silent miss."""
    if value is None or value == "":
        return None
    if type(value) is not str:
        raise ParseError(f"{path} must be an IP address, got {_type(value)}")
    if _IPV4.fullmatch(value):
        return value
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise ParseError(f"{path} is not an IP address: {_show(value)}") from None
    return value


def _cidr(value: Any, path: str) -> str | None:
    """A CIDR as written (cluster ranges, node pod CIDRs); None when absent."""
    if value is None or value == "":
        return None
    if type(value) is not str:
        raise ParseError(f"{path} must be a CIDR such as 10.0.0.0/14, got {_type(value)}")
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ParseError(f"{path} is not a valid CIDR: {_show(value)}") from None
    return value


def _str_tuple(value: Any, path: str) -> tuple[str, ...]:
    return tuple(_scalar_text(item, f"{path}[{index}]") for index, item in enumerate(_list(value, path)))


def _metadata(obj: Mapping[str, Any], namespaced: bool) -> tuple[dict[str, Any], str, str]:
    meta = obj.get("metadata")
    if type(meta) is not dict:
        raise ParseError("metadata is missing" if meta is None else f"metadata must be a mapping, got {_type(meta)}")
    name = meta.get("name")
    if type(name) is not str or not name:
        raise ParseError("metadata.name is missing" if name is None or name == ""
                         else f"metadata.name must be a string, got {_type(name)}")
    namespace = ""
    if namespaced:
        namespace = meta.get("namespace") or "default"
        if type(namespace) is not str:
            raise ParseError(f"metadata.namespace must be a string, got {_type(namespace)}")
    return meta, name, namespace


def _port_number(value: Any, path: str) -> int:
    if type(value) is int and 0 < value < 65536:
        return value
    number = _int(value, path)
    if number is None or not 0 < number < 65536:
        raise ParseError(f"{path} must be a port number 1-65535, got {_show(value)}")
    return number


def _int_or_name(value: Any, path: str) -> int | str | None:
    """IntOrString ports: an int, a digit string (as an int) or a port name."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ParseError(f"{path} must be a port number or name, got a boolean")
    if isinstance(value, int):
        return _port_number(value, path)
    if isinstance(value, str):
        if value.isascii() and value.isdigit():
            if len(value) > 5:
                raise ParseError(f"{path} must be a port number 1-65535, got {_show(value)}")
            return _port_number(int(value), path)
        if not value or len(value) > 15:
            raise ParseError(f"{path} is not a valid port name: {_show(value)}")
        return value
    raise ParseError(f"{path} must be a port number or name, got {_type(value)}")


def _protocol(value: Any, path: str) -> str:
    if value is None:
        return "TCP"
    if type(value) is str and value in _PROTOCOL_SET:
        return value
    if not isinstance(value, str) or value.upper() not in _PROTOCOL_SET:
        raise ParseError(f"{path} must be TCP, UDP or SCTP, got {_show(value)}")
    return value.upper()
