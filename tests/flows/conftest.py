"""Run the flows pipeline on records written to a temporary file."""

from __future__ import annotations

import pytest

from netpol_tui.flows import compare_flows
from netpol_tui.policy import PolicyEngine
from tests.flows.records import write_lines


@pytest.fixture
def run_flows(tmp_path):
    def run(snapshot, records, dataplane="auto", source_words=("--files", "dump")):
        path = write_lines(tmp_path / "flows.jsonl", records)
        engine = PolicyEngine(snapshot, dataplane)
        return compare_flows(snapshot, engine, [str(path)], source_words=source_words,
                             dataplane_arg=None if dataplane == "auto" else dataplane)
    return run
