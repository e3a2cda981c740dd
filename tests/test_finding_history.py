"""The session's finding history: resolved and new findings across followed updates."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from netpol_tui.checks.model import Evidence, Finding, Report, Severity, Subject, UnknownCheck
from netpol_tui.finding_history import FindingHistory, ResolvedFinding, finding_key, source_identity
from netpol_tui.sources import SourceOptions

T1 = datetime(2026, 12, 8, 9, 15, 30, tzinfo=UTC)
T2 = datetime(2026, 12, 8, 9, 20, 5, tzinfo=UTC)
SOURCE = ("live", "ctx-a")


def finding(check: str, name: str, message: str = "open", severity: Severity = Severity.WARNING) -> Finding:
    return Finding(check, "x", severity, "title", Subject("NetworkPolicy", "shop", name), message,
                   evidence=(Evidence(f"NetworkPolicy shop/{name}", "observed"),))


def report(*findings: Finding, unknown: tuple[str, ...] = (), checked: tuple[str, ...] = ()) -> Report:
    return Report(tuple(findings), tuple(UnknownCheck(check, "pods not read") for check in unknown), "calico",
                  None, checked=checked)


def test_the_first_report_marks_nothing() -> None:
    history = FindingHistory().advance(report(finding("NP001", "a")), T1, SOURCE)
    assert history.started and not history.new and not history.resolved and not history.marked


def test_a_finding_gone_is_resolved_with_its_last_evidence_and_a_new_one_is_new() -> None:
    old, kept = finding("NP001", "a", "selects no pod"), finding("GKE003", "pool")
    history = FindingHistory().advance(report(old, kept), T1, SOURCE)
    appeared = finding("NP001", "b")
    history = history.advance(report(replace(kept, message="3 of 4"), appeared), T2, SOURCE)
    assert list(history.resolved) == [finding_key(old)]
    item = history.resolved[finding_key(old)]
    assert item.finding is old and item.at == T2 and item.finding.evidence == old.evidence
    assert history.is_new(appeared) and not history.is_new(kept), "a changed message is the same finding"
    assert item.clock == T2.astimezone().strftime("%H:%M:%S")
    assert "RESOLVED at " + item.clock in item.as_finding().notes[0]


def test_seen_clears_new_only_for_what_was_opened() -> None:
    history = FindingHistory().advance(report(), T1, SOURCE)
    one, two = finding("NP001", "a"), finding("NP001", "b")
    history = history.advance(report(one, two), T2, SOURCE)
    assert history.new_count([one, two]) == 2
    seen = history.seen([one])
    assert not seen.is_new(one) and seen.is_new(two)
    assert seen.seen([one]) is seen, "nothing more to clear: the same history (no redraw)"
    assert not seen.advance(report(one, two), T2, SOURCE).is_new(one), "seen stays seen across updates"


def test_a_finding_that_comes_back_is_open_and_new_again() -> None:
    one = finding("NP001", "a")
    history = FindingHistory().advance(report(one), T1, SOURCE).advance(report(), T1, SOURCE)
    assert finding_key(one) in history.resolved
    history = history.advance(report(one), T2, SOURCE)
    assert not history.resolved and history.is_new(one)


def test_a_check_turning_unknown_resolves_nothing() -> None:
    one = finding("NP001", "a")
    history = FindingHistory().advance(report(one), T1, SOURCE)
    unknown = history.advance(report(unknown=("NP001",)), T2, SOURCE)
    assert not unknown.resolved, "not known to be gone"
    assert not unknown.advance(report(one), T2, SOURCE).is_new(one), "decided again: still the old finding"
    assert finding_key(one) in unknown.advance(report(), T2, SOURCE).resolved, "decided again: now gone"
    not_run = history.advance(report(checked=("GKE003",)), T2, SOURCE)
    assert not not_run.resolved, "a check that did not run resolves nothing"


def test_another_source_starts_over() -> None:
    one, two = finding("NP001", "a"), finding("NP001", "b")
    history = FindingHistory().advance(report(one), T1, SOURCE)
    other = history.advance(report(two), T2, ("live", "ctx-b"))
    assert not other.marked and other.source == ("live", "ctx-b")
    same = SourceOptions(context="a")
    assert source_identity(same) == source_identity(replace(same, timeout=3))
    assert source_identity(same) != source_identity(replace(same, context="b"))
    assert source_identity(SourceOptions(files=("x",))) != source_identity(SourceOptions(files=("y",)))


def test_resolved_findings_are_ordered_by_severity_and_equal_by_key() -> None:
    info, error = finding("NP003", "a", severity=Severity.INFO), finding("GKE003", "b", severity=Severity.ERROR)
    history = FindingHistory().advance(report(info, error), T1, SOURCE).advance(report(), T2, SOURCE)
    assert [item.id for item in history.resolved_findings()] == ["GKE003", "NP003"]
    assert [item.id for item in history.resolved_findings("NP003")] == ["NP003"]
    assert ResolvedFinding(error, T1) == ResolvedFinding(replace(error, message="other"), T2)
    assert ResolvedFinding(error, T1) != error
    assert history.resolved_findings()[0].to_dict()["resolved_at"] == T2.isoformat()
