"""The one plural/list helper and the one severity order every layer uses."""

from __future__ import annotations

from netpol_tui.checks.model import SEVERITY_ORDER, Severity
from netpol_tui.text import listed, plural


def test_plural() -> None:
    assert plural(1, "policy") == "1 policy" and plural(3, "policy") == "3 policies"
    assert plural(0, "error") == "0 errors" and plural(2, "day") == "2 days"
    assert plural(2, "address") == "2 addresses" and plural(2, "NetworkPolicy", "NetworkPolicies") == "2 NetworkPolicies"
    assert plural(2, "egress-isolated pod") == "2 egress-isolated pods"


def test_listed() -> None:
    assert listed(["a", "b"]) == "a, b" and listed([]) == ""
    assert listed([str(i) for i in range(7)], 5) == "0, 1, 2, 3, 4, ... and 2 more"
    assert listed(str(i) for i in range(20)) == ", ".join(str(i) for i in range(20))


def test_severity_order_is_most_severe_first() -> None:
    assert SEVERITY_ORDER == (Severity.ERROR, Severity.WARNING, Severity.INFO)
    assert sorted(SEVERITY_ORDER) == list(reversed(SEVERITY_ORDER))
    assert Severity.ERROR > Severity.WARNING > Severity.INFO and Severity.WARNING >= Severity.WARNING
