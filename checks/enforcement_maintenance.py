"""A cluster's maintenance policy, and the next window in which GKE may recreate nodes.

Part of the enforcement state (`checks/enforcement.py` re-exports every name). An enforcement
change recreates nodes only in a maintenance window, so GKE016, the runbooks and the console
need the same answer to "when": a daily window, or a recurring window with a plain
`FREQ=DAILY` / `FREQ=WEEKLY;BYDAY=..` rule, less the exclusions that block node upgrades.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from netpol_tui.model.gke import MaintenancePolicy
from netpol_tui.model.snapshot import Snapshot
from netpol_tui.timestamps import parse_timestamp

#: Exclusion scopes that stop node recreation; NO_MINOR_UPGRADES still lets nodes be recreated.
BLOCKING_EXCLUSION_SCOPES = (None, "", "NO_UPGRADES", "NO_MINOR_OR_NODE_UPGRADES")
_SEARCH_DAYS = 400


@dataclass(frozen=True, slots=True)
class MaintenanceState:
    """A window or exclusion, and the next time GKE may recreate nodes when computable."""

    configured: bool
    summary: str
    next_window: datetime | None = None
    next_window_end: datetime | None = None
    in_window: bool = False
    blocking_exclusions: tuple[str, ...] = ()


_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def _parse_duration(text: str | None) -> timedelta | None:
    match = _DURATION.match((text or "").strip())
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = match.groups()
    return timedelta(days=int(days or 0), hours=int(hours or 0), minutes=int(minutes or 0),
                     seconds=float(seconds or 0))


_WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}


def _rrule_days(rule: str | None) -> frozenset[int] | None:
    """Weekdays a plain FREQ=DAILY or FREQ=WEEKLY;BYDAY=.. rule fires on; None for anything else."""
    if not rule:
        return None
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    parts = {}
    for part in text.split(";"):
        if "=" not in part:
            return None
        key, value = part.split("=", 1)
        parts[key.strip().upper()] = value.strip().upper()
    freq = parts.pop("FREQ", None)
    if parts.get("INTERVAL", "1") != "1":
        return None
    parts.pop("INTERVAL", None)
    if freq == "DAILY" and not parts:
        return frozenset(range(7))
    if freq == "WEEKLY" and set(parts) == {"BYDAY"}:
        days = [day.strip() for day in parts["BYDAY"].split(",")]
        if all(day in _WEEKDAYS for day in days):
            return frozenset(_WEEKDAYS[day] for day in days)
    return None


def _windows(policy: MaintenancePolicy, now: datetime) -> list[tuple[datetime, datetime]] | None:
    """Candidate windows (start, end) from yesterday on, or None when not computable."""
    first_day = (now - timedelta(days=1)).date()
    if policy.daily_start_time:
        try:
            start_of_day = time.fromisoformat(policy.daily_start_time.strip())
        except ValueError:
            return None
        length = _parse_duration(policy.daily_duration) or timedelta(hours=4)
        return [(datetime.combine(first_day + timedelta(days=offset), start_of_day, UTC),
                 datetime.combine(first_day + timedelta(days=offset), start_of_day, UTC) + length)
                for offset in range(_SEARCH_DAYS)]
    start, end = parse_timestamp(policy.recurring_start_time), parse_timestamp(policy.recurring_end_time)
    days = _rrule_days(policy.recurrence)
    if start is None or end is None or end <= start or days is None:
        return None
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    length = end - start
    begin: date = max(first_day, start.date())
    out = []
    for offset in range(_SEARCH_DAYS):
        day = begin + timedelta(days=offset)
        if day.weekday() in days:
            window_start = datetime.combine(day, start.timetz())
            if window_start >= start:
                out.append((window_start, window_start + length))
    return out


def _maintenance(snapshot: Snapshot) -> MaintenanceState:
    cluster = snapshot.cluster
    policy = cluster.maintenance_policy if cluster else None
    if cluster is None:
        return MaintenanceState(False, "unknown: no GKE cluster information")
    if policy is None or not policy.is_configured:
        return MaintenanceState(False, "no maintenance window or exclusion")
    now = snapshot.captured_at if snapshot.captured_at.tzinfo else snapshot.captured_at.replace(tzinfo=UTC)
    exclusions = []
    blocking_names = []
    for exclusion in policy.exclusions:
        start, end = parse_timestamp(exclusion.start_time), parse_timestamp(exclusion.end_time)
        if exclusion.scope in BLOCKING_EXCLUSION_SCOPES and (end is None or end > now):
            exclusions.append((start or now, end))
            if start is None or start <= now:
                blocking_names.append(exclusion.name)
    parts = []
    if policy.daily_start_time:
        parts.append(f"daily window at {policy.daily_start_time} UTC"
                     + (f" for {policy.daily_duration}" if policy.daily_duration else ""))
    if policy.recurring_start_time:
        parts.append(f"recurring window {policy.recurring_start_time} to {policy.recurring_end_time} "
                     f"({policy.recurrence or 'no recurrence'})")
    if policy.exclusions:
        parts.append("exclusions: " + ", ".join(
            f"{e.name} ({e.start_time or '?'} to {e.end_time or '?'}{', ' + e.scope if e.scope else ''})"
            for e in policy.exclusions))
    summary = "; ".join(parts)
    next_start = next_end = None
    in_window = False
    if policy.has_window:
        windows = _windows(policy, now)
        for opening, window_end in windows or ():
            window_start = _after_exclusions(opening, window_end, exclusions)
            if window_start is None or window_end <= now:
                continue
            next_start, next_end, in_window = window_start, window_end, window_start <= now
            break
    return MaintenanceState(True, summary, next_start, next_end, in_window, tuple(blocking_names))


def _after_exclusions(start: datetime, end: datetime,
                      exclusions: list[tuple[datetime, datetime | None]]) -> datetime | None:
    """The part of a window no blocking exclusion covers starts here; None when none is left."""
    changed = True
    while changed:
        changed = False
        for excl_start, excl_end in exclusions:
            if excl_start <= start and (excl_end is None or start < excl_end):
                if excl_end is None:
                    return None
                start, changed = excl_end, True
        if start >= end:
            return None
    return start
