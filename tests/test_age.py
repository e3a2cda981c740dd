"""One AGE formatter, kubectl's: the same text in the verify output the runbooks compare with
`kubectl get nodes` and in the Nodes screen, and a sort order that understands it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from netpol_tui.checks.enforcement import _nodes_output
from netpol_tui.model.objects import Node
from netpol_tui.screens.nodes import node_rows
from netpol_tui.timestamps import age_seconds, human_duration, kubectl_age
from netpol_tui.widgets.rows import sort_key

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
S, M, H, D, Y = 1, 60, 3600, 86400, 365 * 86400


# What `kubectl get` prints for objects of these ages (k8s.io/apimachinery duration.HumanDuration).
@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0s"), (59, "59s"), (119, "119s"), (120, "2m"), (125, "2m5s"), (9 * M + 59, "9m59s"),
    (10 * M + 30, "10m"), (179 * M + 59, "179m"), (3 * H, "3h"), (5 * H + 12 * M, "5h12m"),
    (7 * H + 59 * M, "7h59m"), (8 * H + 30 * M, "8h"), (47 * H + 59 * M, "47h"), (2 * D, "2d"),
    (3 * D + 4 * H, "3d4h"), (7 * D + 23 * H, "7d23h"), (8 * D + 5 * H, "8d"), (729 * D, "729d"),
    (730 * D, "2y"), (2 * Y + 37 * D, "2y37d"), (7 * Y + 364 * D, "7y364d"), (8 * Y + 100 * D, "8y"),
])
def test_kubectl_rounding(seconds: int, text: str):
    assert human_duration(seconds) == text
    created = (NOW - timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")
    assert kubectl_age(created, NOW) == text
    assert age_seconds(text) is not None and age_seconds(text) <= seconds


def test_unknown_and_future_timestamps():
    assert kubectl_age(None, NOW) == "<unknown>" and kubectl_age("yesterday", NOW, unknown="?") == "?"
    soon = (NOW + timedelta(seconds=30)).isoformat()
    assert kubectl_age(soon, NOW) == "<invalid>"
    assert kubectl_age((NOW + timedelta(seconds=1)).isoformat(), NOW) == "0s"  # clock skew kubectl tolerates
    assert kubectl_age("2026-03-01T11:00:00Z", NOW.replace(tzinfo=None)) == "60m"  # a naive now is UTC


def test_verify_output_and_nodes_screen_agree():
    created = (NOW - timedelta(days=3, hours=4)).isoformat()
    node = Node("gke-a-1", labels={"projectcalico.org/ds-ready": "true"}, creation_timestamp=created)
    printed = _nodes_output([node], NOW).splitlines()[1].split()
    (row,) = node_rows([node], NOW, expect_label=True)
    assert printed[3] == row.cells[-1] == "3d4h"


def test_age_column_sorts_by_duration():
    ages = ["3d4h", "?", "45s", "2y37d", "9m5s", "20h", "3d", "<unknown>"]
    assert sorted(ages, key=lambda text: sort_key(text, "age")) == ["45s", "9m5s", "20h", "3d", "3d4h", "2y37d",
                                                                    "<unknown>", "?"]
