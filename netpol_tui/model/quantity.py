"""Kubernetes resource quantities ("250m", "1.5", "128Mi", "1e3") as integers.

CPU is kept in millicores and memory in bytes so that headroom sums stay exact.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
            "k": Decimal(10**3), "M": Decimal(10**6), "G": Decimal(10**9), "T": Decimal(10**12),
            "P": Decimal(10**15), "E": Decimal(10**18)}
_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$")
#: Larger than any real request or allocatable; also keeps hostile input ("1e999999") from
#: turning into a million-digit integer.
_LIMIT = Decimal(2**63)


class QuantityError(ValueError):
    """A string that is not a Kubernetes quantity."""


def _shown(text: object) -> str:
    shown = repr(text)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def parse_quantity(text: str | int | float) -> Decimal:
    """Return the quantity's value in base units (cores or bytes)."""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise QuantityError(f"not a quantity: {_shown(text)}")
    try:
        if isinstance(text, int):
            value = Decimal(text)
        elif isinstance(text, float):
            if not math.isfinite(text):
                raise QuantityError(f"not a quantity: {_shown(text)}")
            value = Decimal(str(text))
        else:
            match = _QUANTITY.match(text.strip())
            if not match:
                raise QuantityError(f"not a quantity: {_shown(text)}")
            number, suffix = match.group(1), match.group(2) or ""
            value = Decimal(number)
            value = value * _BINARY[suffix] if suffix in _BINARY else value * _DECIMAL[suffix]
    except (InvalidOperation, ArithmeticError):
        raise QuantityError(f"not a quantity: {_shown(text)}") from None
    if not value.is_finite() or abs(value) > _LIMIT:
        raise QuantityError(f"quantity out of range: {_shown(text)}")
    return value


def _checked(text: object) -> str | int | float:
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise QuantityError(f"not a quantity: {_shown(text)}")
    return text


# A cluster repeats a handful of request strings ("100m", "128Mi") across 100,000 pods: caching
# turns Decimal arithmetic into a dict lookup. typed=True keeps 1 and 1.0 apart.
@lru_cache(maxsize=4096, typed=True)
def _cpu_millis(text: str | int | float) -> int:
    value = parse_quantity(text)
    if value < 0:
        raise QuantityError(f"must not be negative: {_shown(text)}")
    return int((value * 1000).to_integral_value(rounding="ROUND_CEILING"))


@lru_cache(maxsize=4096, typed=True)
def _memory_bytes(text: str | int | float) -> int:
    value = parse_quantity(text)
    if value < 0:
        raise QuantityError(f"must not be negative: {_shown(text)}")
    return int(value.to_integral_value(rounding="ROUND_CEILING"))


def cpu_millis(text: str | int | float) -> int:
    """CPU quantity in millicores, rounded up as the scheduler does."""
    return _cpu_millis(_checked(text))


def memory_bytes(text: str | int | float) -> int:
    """Memory quantity in bytes, rounded up."""
    return _memory_bytes(_checked(text))


def format_bytes(count: int) -> str:
    """Human form in binary units, as kubectl describe prints memory."""
    for unit, size in (("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if abs(count) >= size:
            value = count / size
            return f"{value:.1f}{unit}" if value != int(value) else f"{int(value)}{unit}"
    return f"{count}"
