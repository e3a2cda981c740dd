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


def test_plural_groups_thousands_and_handles_kinds() -> None:
    assert plural(12000, "pod") == "12,000 pods" and plural(1, "NetworkPolicy") == "1 NetworkPolicy"
    assert plural(1234, "NetworkPolicy") == "1,234 NetworkPolicies" and plural(2, "Ingress") == "2 Ingresses"


def test_grouped_findings_count_with_plural() -> None:
    from types import SimpleNamespace

    from netpol_tui.checks.grouping import FindingGroup

    def group(*subjects: tuple[str, str]) -> FindingGroup:
        findings = tuple(SimpleNamespace(subject=SimpleNamespace(kind=kind, namespace=namespace))
                         for kind, namespace in subjects)
        return FindingGroup("NP001", "x", Severity.WARNING, "t", findings)  # type: ignore[arg-type]

    many = group(*(("NetworkPolicy", f"ns-{index % 312}") for index in range(1544)))
    assert many.describe() == "1,544 NetworkPolicies in 312 namespaces"
    assert group(("Pod", "a"), ("Service", "b")).describe() == "2 findings in 2 namespaces"


def test_no_module_pluralises_by_hand() -> None:
    """`{'s' if n != 1 else ''}` drifted from `plural` (thousands, -ies, -es); only text.py pluralises."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    pattern = re.compile(r"""['"](?:s|es|ies)['"] if\b""")
    offenders = [f"{path.relative_to(root)}:{number}"
                 for folder in ("netpol_tui", "checks", "screens")
                 for path in sorted((root / folder).rglob("*.py"))
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if pattern.search(line)]
    assert not offenders, "use netpol_tui.text.plural: " + ", ".join(offenders)


def test_fail_on_choices_follow_the_severity_order() -> None:
    # --fail-on's choices are spelled out so that building the parser does not load the check catalog.
    from netpol_tui.commands.check import FAIL_ON

    assert (*(str(severity) for severity in SEVERITY_ORDER), "never") == FAIL_ON


def test_sanitised_cleans_every_string_of_a_json_document() -> None:
    from netpol_tui.text import sanitised

    data = {"n\x1b[31ms": ["a\x07", ("b\x1b]52;c;eA==\x07",), 3], "ok": None}
    # Nested strings and keys alike; an escape sequence goes, a lone control shows as \u0007.
    assert sanitised(data) == {"ns": ["a\\u0007", ["b"], 3], "ok": None}
