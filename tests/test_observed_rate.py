"""The node recreation ETA from the rate observed this session (netpol_tui/runbooks/observed_rate.py)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from netpol_tui.runbooks import MAX_ETA, observed_eta, span_text

START = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def test_unknown_until_two_observations() -> None:
    none = observed_eta([], 10)
    assert not none.known and "two observations" in none.reason and "none yet" in none.reason
    one = observed_eta([(at(0), 3)], 10)
    assert not one.known and "(one so far)" in one.reason
    assert one.text() == "ETA unknown: two observations of the nodes are needed for a rate (one so far)"


def test_rate_over_the_observations_and_the_text() -> None:
    # 2 -> 4 nodes in 30 minutes: 4 nodes/hour, 6 left: 1.5 h
    eta = observed_eta([(at(0), 2), (at(10), 3), (at(30), 4)], 10, window=timedelta(hours=1))
    assert eta.known and eta.nodes_per_hour == 4.0 and eta.remaining == timedelta(hours=1.5)
    assert eta.span == timedelta(minutes=30) and eta.changed == 2 and eta.observations == 3
    # 30 minutes is beyond the 15-minute window: the base is the observation before the newest
    windowed = observed_eta([(at(0), 2), (at(10), 3), (at(30), 4)], 10, window=timedelta(minutes=15))
    assert windowed.span == timedelta(minutes=20) and windowed.changed == 1
    assert windowed.nodes_per_hour == 3.0 and windowed.remaining == timedelta(hours=2)
    assert windowed.text() == ("ETA ~2.0 h at 3.0 nodes/hour, from the observed rate over the last 20 min "
                               "(1 node became enforcing)")


def test_the_window_follows_a_rollout_that_speeds_up() -> None:
    # slow for an hour (1 node), then 4 nodes in the last 10 minutes
    observations = [(at(0), 0), (at(60), 1), (at(62), 2), (at(65), 3), (at(68), 4), (at(70), 5)]
    eta = observed_eta(observations, 20, window=timedelta(minutes=15))
    assert eta.span == timedelta(minutes=10) and eta.changed == 4
    assert eta.nodes_per_hour == 24.0 and eta.remaining == timedelta(minutes=37.5)
    assert "over the last 10 min (4 nodes became enforcing)" in eta.text()


def test_at_most_the_last_transitions() -> None:
    observations = [(at(minute), minute) for minute in range(13)]  # one node a minute, 12 increases
    eta = observed_eta(observations, 100, window=timedelta(hours=1), transitions=5)
    assert eta.changed == 5 and eta.span == timedelta(minutes=5)


def test_stalled_shrinking_and_absurd_rates_are_unknown() -> None:
    stalled = observed_eta([(at(0), 4), (at(5), 4), (at(9), 4)], 10)
    assert not stalled.known and "no node changed over the last 9 min" in stalled.reason
    back = observed_eta([(at(0), 5), (at(5), 3)], 10)
    assert not back.known and "(5 -> 3)" in back.reason
    crawl = observed_eta([(at(0), 0), (at(60 * 24), 1)], 1000)
    assert not crawl.known and crawl.reason.startswith("too slow to estimate")


def test_complete_and_empty() -> None:
    done = observed_eta([(at(0), 8), (at(3), 10)], 10)
    assert done.known and done.remaining == timedelta(0) and done.text().startswith("done: every node")
    assert observed_eta([(at(0), 1)], 1).remaining == timedelta(0)  # done needs no rate
    assert not observed_eta([(at(0), 0), (at(1), 0)], 0).known


def test_naive_times_are_utc_and_the_later_of_equal_times_counts() -> None:
    naive = observed_eta([(at(0).replace(tzinfo=None), 2), (at(30), 4)], 10)
    assert naive.nodes_per_hour == 4.0
    same = observed_eta([(at(0), 2), (at(30), 3), (at(30), 4)], 10)
    assert same.done == 4 and same.changed == 2


def test_span_text() -> None:
    assert span_text(timedelta(seconds=0.2)) == "1 s"
    assert span_text(timedelta(seconds=40)) == "40 s"
    assert span_text(timedelta(minutes=6)) == "6 min"
    assert span_text(timedelta(hours=2.5)) == "2.5 h"


# ---------------------------------------------------------------------------------------- properties

counts = st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 60)), min_size=0, max_size=30)


def _observations(steps: list[tuple[int, int]]) -> list[tuple[datetime, int]]:
    """Increasing times (seconds apart as drawn, at least 1) with the drawn counts."""
    out, seconds = [], 0
    for gap, done in steps:
        seconds += gap + 1
        out.append((START + timedelta(seconds=seconds), done))
    return out


@given(counts, st.integers(1, 80))
def test_never_negative_nor_absurd(steps: list[tuple[int, int]], total: int) -> None:
    eta = observed_eta(_observations(steps), total)
    if eta.known:
        assert eta.remaining is not None and timedelta(0) <= eta.remaining <= MAX_ETA
        assert eta.done >= eta.total or (eta.nodes_per_hour or 0) > 0
    else:
        assert eta.reason and eta.text().startswith("ETA unknown: ")
    if len({time for time, _ in _observations(steps)}) < 2 and not (steps and steps[-1][1] >= total):
        assert not eta.known


@given(counts, st.integers(1, 80), st.randoms(use_true_random=False))
def test_the_order_of_the_observations_does_not_matter(steps: list[tuple[int, int]], total: int,
                                                       rng: random.Random) -> None:
    observations = _observations(steps)
    shuffled = observations[:]
    rng.shuffle(shuffled)
    assert observed_eta(shuffled, total) == observed_eta(observations, total)


@given(st.integers(1, 3600), st.integers(1, 20), st.integers(2, 12), st.integers(0, 50), st.integers(1, 200))
def test_a_steady_rollout_gives_its_own_rate(gap: int, per_step: int, steps: int, start: int, more: int) -> None:
    """Nodes that move at a constant pace: the rate is that pace and the ETA what is left at it."""
    observations = [(START + timedelta(seconds=gap * index), start + per_step * index) for index in range(steps)]
    done = start + per_step * (steps - 1)
    total = done + more
    eta = observed_eta(observations, total, window=timedelta(days=30), transitions=100)
    expected_rate = per_step / gap * 3600
    expected_left = timedelta(hours=more / expected_rate)
    if expected_left <= MAX_ETA:
        assert eta.known and eta.nodes_per_hour is not None
        assert abs(eta.nodes_per_hour - expected_rate) <= 1e-6 * expected_rate
        assert eta.remaining is not None and abs(eta.remaining - expected_left) <= timedelta(seconds=1)
    else:
        assert not eta.known and "too slow" in eta.reason


@given(counts, st.integers(1, 80), st.integers(1, 500))
def test_more_nodes_left_never_shortens_the_eta(steps: list[tuple[int, int]], total: int, extra: int) -> None:
    """Monotonic in what is left: the same observations with a larger total never finish sooner."""
    observations = _observations(steps)
    smaller, larger = observed_eta(observations, total), observed_eta(observations, total + extra)
    if smaller.known and larger.known:
        assert smaller.remaining is not None and larger.remaining is not None
        assert larger.remaining >= smaller.remaining
    if not smaller.known and smaller.reason.startswith("too slow"):
        assert not larger.known
