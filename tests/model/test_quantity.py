"""Kubernetes quantities as exact integers: millicores and bytes, rounded up like the scheduler."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netpol_tui.model.quantity import QuantityError, cpu_millis, format_bytes, memory_bytes, parse_quantity


@pytest.mark.parametrize(("text", "millis"), [
    ("100m", 100), ("0.5", 500), ("2", 2000), (2, 2000), (0.25, 250), ("1.5", 1500), ("250m", 250),
    ("1n", 1), ("1u", 1), ("3920m", 3920), ("0", 0), ("+1", 1000), ("1e-3", 1), ("100000u", 100),
])
def test_cpu(text: str | int | float, millis: int) -> None:
    assert cpu_millis(text) == millis


@pytest.mark.parametrize(("text", "count"), [
    ("128Mi", 128 * 2**20), ("1Gi", 2**30), ("1e3", 1000), ("500M", 500_000_000), ("1k", 1000),
    ("13335480Ki", 13335480 * 1024), ("1.5Gi", 3 * 2**29), (1024, 1024), ("1E", 10**18), ("0.5", 1),
    ("100m", 1), ("64Mi ", 64 * 2**20),
])
def test_memory(text: str | int, count: int) -> None:
    assert memory_bytes(text) == count


@pytest.mark.parametrize("text", [
    True, False, None, [1], {"a": 1}, "abc", "1.2.3", "--1", ".", "1e", "1Mb", "1 Gi", "", "1e999999999",
    float("nan"), float("inf"), "9" * 400, "-1", -5, "-100m",
])
def test_rejected(text: object) -> None:
    with pytest.raises(QuantityError):
        cpu_millis(text)  # type: ignore[arg-type]
    with pytest.raises(QuantityError):
        memory_bytes(text)  # type: ignore[arg-type]


def test_error_messages_are_short() -> None:
    with pytest.raises(QuantityError) as info:
        memory_bytes("x" * 10_000)
    assert len(str(info.value)) < 100


def test_cache_keeps_types_apart() -> None:
    assert cpu_millis(1) == 1000 and cpu_millis(1.0) == 1000 and cpu_millis("1") == 1000
    with pytest.raises(QuantityError):
        cpu_millis(True)


def test_parse_quantity_keeps_the_exact_value() -> None:
    assert parse_quantity("1.5Gi") == Decimal(3 * 2**29)
    assert parse_quantity("250m") == Decimal("0.25")


@given(st.integers(min_value=0, max_value=10**6), st.sampled_from(["", "m", "k", "Mi", "Gi"]))
def test_integers_with_suffixes_round_trip(value: int, suffix: str) -> None:
    scale = {"": 1, "m": Decimal("0.001"), "k": 1000, "Mi": 2**20, "Gi": 2**30}[suffix]
    assert parse_quantity(f"{value}{suffix}") == value * scale
    assert memory_bytes(f"{value}{suffix}") >= 0


def test_format_bytes() -> None:
    assert [format_bytes(n) for n in (512, 2048, 128 * 2**20, 3 * 2**29)] == ["512", "2Ki", "128Mi", "1.5Gi"]
