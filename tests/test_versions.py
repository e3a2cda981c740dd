from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netpol_tui.versions import GkeVersion, VersionError, in_range, parse_version, try_parse_version

numbers = st.integers(min_value=0, max_value=10**7)
versions = st.builds(GkeVersion, numbers, numbers, numbers, st.none() | numbers)


@pytest.mark.parametrize("text", ["1.21", "v1.21.4", "1.21.4-gke", "1.21.4-gke.x", "1.21.4-gke.1.2", "", "latest",
                                  "1.21.4-eks.1", " ", "1..4"])
def test_rejects_non_gke_strings_with_a_clear_error(text: str) -> None:
    with pytest.raises(VersionError, match="not a GKE version"):
        parse_version(text)
    assert try_parse_version(text) is None


def test_orders_by_four_integers_not_as_text() -> None:
    assert parse_version("1.21.4-gke.1500") > parse_version("1.21.4-gke.999")
    assert parse_version("1.21.10-gke.1") > parse_version("1.21.4-gke.1500")
    assert parse_version("1.21.4") > parse_version("1.21.4-gke.99999999")
    assert parse_version("1.21.4") < parse_version("1.21.5-gke.1")


def test_inclusive_ranges_from_the_known_issue() -> None:
    assert in_range(parse_version("1.21.4-gke.1499"), "1.21.0", "1.21.4-gke.1499")
    assert not in_range(parse_version("1.21.4-gke.1500"), None, "1.21.4-gke.1499")


@given(versions)
def test_round_trip(version: GkeVersion) -> None:
    assert parse_version(str(version)) == version


@given(versions, versions)
def test_order_matches_tuple_of_integers(a: GkeVersion, b: GkeVersion) -> None:
    assert (a < b) == (a.sort_key < b.sort_key)
    assert (a == b) == (a.sort_key == b.sort_key)


@given(versions, versions, versions)
def test_order_is_transitive(a: GkeVersion, b: GkeVersion, c: GkeVersion) -> None:
    if a <= b and b <= c:
        assert a <= c
