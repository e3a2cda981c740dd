"""Kubernetes resource quantities ("250m", "1.5", "128Mi", "1e3") as integers.

CPU is kept in millicores and memory in bytes so that headroom sums stay exact.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
            "k": Decimal(10**3), "M": Decimal(10**6), "G": Decimal(10**9), "T": Decimal(10**12),
            "P": Decimal(10**15), "E": Decimal(10**18)}
_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$")


class QuantityError(ValueError):
    """A string that is not a Kubernetes quantity."""


def parse_quantity(text: str | int | float) -> Decimal:
    """Return the quantity's value in base units (cores or bytes)."""
    if isinstance(text, bool):
        raise QuantityError(f"not a quantity: {text!r}")
    if isinstance(text, int | float):
        return Decimal(str(text))
    match = _QUANTITY.match(str(text).strip())
    if not match:
        raise QuantityError(f"not a quantity: {text!r}")
    number, suffix = match.group(1), match.group(2) or ""
    try:
        value = Decimal(number)
    except InvalidOperation as exc:
        raise QuantityError(f"not a quantity: {text!r}") from exc
    if suffix in _BINARY:
        return value * _BINARY[suffix]
    return value * _DECIMAL[suffix]


def cpu_millis(text: str | int | float) -> int:
    """CPU quantity in millicores, rounded up as the scheduler does."""
    value = parse_quantity(text) * 1000
    return int(value.to_integral_value(rounding="ROUND_CEILING"))


def memory_bytes(text: str | int | float) -> int:
    """Memory quantity in bytes, rounded up."""
    return int(parse_quantity(text).to_integral_value(rounding="ROUND_CEILING"))


def format_millis(millis: int) -> str:
    return f"{millis}m"


def format_bytes(count: int) -> str:
    """Human form in binary units, as kubectl describe prints memory."""
    for unit, size in (("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if abs(count) >= size:
            value = count / size
            return f"{value:.1f}{unit}" if value != int(value) else f"{int(value)}{unit}"
    return f"{count}"
