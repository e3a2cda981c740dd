"""`--files DIR` reads the manifest `snapshot save` writes: capture time, context, unknown parts.

Without it a reread dump (and the bundled demos) would be stamped with the load time, and node
ages, the recreation ETA and the next maintenance window would all be measured from "today".
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from netpol_tui.checks.enforcement import EnforcementState
from netpol_tui.cli import main
from netpol_tui.demo import PLANTED
from netpol_tui.model.snapshot import Kind
from netpol_tui.runbooks import recreation_progress
from netpol_tui.sources.demo import DEMOS, demo_path, load_demo
from netpol_tui.sources.errors import SourceError
from netpol_tui.sources.files import load_files
from netpol_tui.sources.save import MANIFEST, read_manifest

CAPTURED = "2023-05-06T07:08:09+00:00"
NAMESPACES = {"apiVersion": "v1", "kind": "NamespaceList", "items": [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default", "creationTimestamp": "2023-01-01T00:00:00Z"}}]}
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")


def _manifest(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "apiVersion": "netpol-tui/v1", "kind": "NetpolTuiSnapshot", "capturedAt": CAPTURED,
        "source": {"kind": "live", "context": "gke_p_europe-west1_c"},
        "unknown": [{"kind": "Event", "reason": "forbidden: cannot list events"},
                    {"kind": "Namespace", "reason": "forbidden: cannot list namespaces"}],
    }
    for key, value in changes.items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    return document


def _dump(tmp_path: Path, *manifests: Any) -> Path:
    folder = tmp_path / "dump"
    folder.mkdir()
    (folder / "namespaces.json").write_text(json.dumps(NAMESPACES))
    for index, document in enumerate(manifests):
        name = MANIFEST if index == 0 else f"z-manifest-{index}.json"  # read after manifest.json
        (folder / name).write_text(document if isinstance(document, str) else json.dumps(document))
    return folder


# ------------------------------------------------------------------------- files source


def test_manifest_gives_capture_time_context_and_unknown_parts(tmp_path: Path) -> None:
    snapshot = load_files([str(_dump(tmp_path, _manifest()))])
    assert snapshot.captured_at == datetime(2023, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert snapshot.source.context == "gke_p_europe-west1_c"
    # Namespaces are in the files, so only the events stay unknown.
    assert [(part.kind, part.reason) for part in snapshot.unknown] == [(Kind.EVENT, "forbidden: cannot list events")]
    assert snapshot.problems == () and snapshot.skipped_kinds == ()
    assert snapshot.has(Kind.NAMESPACE) and not snapshot.has(Kind.EVENT)


def test_without_a_manifest_the_load_time_is_the_capture_time(tmp_path: Path) -> None:
    before = datetime.now(UTC)
    snapshot = load_files([str(_dump(tmp_path))])
    assert before <= snapshot.captured_at <= datetime.now(UTC)
    assert snapshot.source.context is None and snapshot.unknown == () and snapshot.problems == ()


def test_naive_time_is_utc_and_unknown_kinds_of_newer_versions_are_dropped(tmp_path: Path) -> None:
    document = _manifest(capturedAt="2023-05-06T07:08:09", source={"context": None},
                         unknown=[{"kind": "Gateway", "reason": "not read"}])
    snapshot = load_files([str(_dump(tmp_path, document))])
    assert snapshot.captured_at == datetime(2023, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert snapshot.source.context is None and snapshot.unknown == () and snapshot.problems == ()


def test_manifest_text_is_cleaned(tmp_path: Path) -> None:
    document = _manifest(source={"context": "ctx\x1b[31mred\nline"},
                         unknown=[{"kind": "Event", "reason": "no\x1b]0;title\x07 access"}])
    snapshot = load_files([str(_dump(tmp_path, document))])
    assert "\x1b" not in snapshot.source.context and "\n" not in snapshot.source.context
    assert "\x1b" not in snapshot.unknown_reason(Kind.EVENT) and "access" in snapshot.unknown_reason(Kind.EVENT)


@pytest.mark.parametrize(("changes", "message"), [
    ({"capturedAt": None}, "capturedAt must be an ISO 8601 time string"),
    ({"capturedAt": 1636000000}, "capturedAt must be an ISO 8601 time string"),
    ({"capturedAt": "last tuesday"}, "'last tuesday' is not an ISO 8601 time"),
    ({"apiVersion": "netpol-tui/v9"}, "apiVersion 'netpol-tui/v9' is not supported"),
    ({"source": ["ctx"]}, "source must be a mapping"),
    ({"source": {"context": 7}}, "source.context must be a string or null"),
    ({"unknown": "Event"}, "unknown must be a list"),
    ({"unknown": [{"kind": "Event"}]}, "unknown[0] must be a mapping"),
])
def test_malformed_manifest_is_one_problem_never_fatal(tmp_path: Path, changes: dict, message: str) -> None:
    before = datetime.now(UTC)
    snapshot = load_files([str(_dump(tmp_path, _manifest(**changes)))])
    assert len(snapshot.problems) == 1
    problem = snapshot.problems[0]
    assert problem.source.endswith(MANIFEST) and "netpol-tui manifest not used" in problem.message
    assert message in problem.message
    assert snapshot.captured_at >= before and snapshot.unknown == () and snapshot.source.context is None
    assert len(snapshot.namespaces) == 1


def test_manifest_with_a_syntax_error_is_one_problem(tmp_path: Path) -> None:
    snapshot = load_files([str(_dump(tmp_path, '{"kind": "NetpolTuiSnapshot", '))])
    assert len(snapshot.problems) == 1 and "JSON syntax error" in snapshot.problems[0].message
    assert len(snapshot.namespaces) == 1


def test_second_manifest_is_reported_and_the_first_kept(tmp_path: Path) -> None:
    later = _manifest(capturedAt="2024-01-01T00:00:00+00:00", source={"context": "other"})
    snapshot = load_files([str(_dump(tmp_path, _manifest(), later))])
    assert snapshot.captured_at == datetime(2023, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert snapshot.source.context == "gke_p_europe-west1_c"
    assert len(snapshot.problems) == 1 and "another netpol-tui manifest" in snapshot.problems[0].message
    assert snapshot.problems[0].source.endswith("z-manifest-1.json")


def test_a_manifest_alone_is_not_a_snapshot(tmp_path: Path) -> None:
    path = tmp_path / MANIFEST
    path.write_text(json.dumps(_manifest()))
    with pytest.raises(SourceError, match="nothing usable"):
        load_files([str(path)])


# -------------------------------------------------------------------------------- demos


@pytest.mark.parametrize("name", sorted(DEMOS))
def test_demo_capture_time_follows_every_timestamp_in_its_data(name: str) -> None:
    snapshot = load_demo(name)
    manifest = read_manifest(demo_path(name))
    assert manifest is not None
    assert snapshot.captured_at == datetime.fromisoformat(manifest["capturedAt"])
    assert snapshot.source.context == manifest["source"]["context"] and snapshot.unknown == ()
    assert manifest["counts"] == snapshot.counts()
    latest = max(datetime.fromisoformat(text.replace("Z", "+00:00"))
                 for path in demo_path(name).iterdir() if path.name != MANIFEST
                 for text in _TIMESTAMP.findall(path.read_text()))
    assert latest < snapshot.captured_at <= latest + timedelta(hours=1)
    oldest_node = min(datetime.fromisoformat(node.creation_timestamp.replace("Z", "+00:00"))
                      for node in snapshot.nodes)
    assert snapshot.captured_at - oldest_node < timedelta(days=200), "node ages read as they did then"


def test_calico_demo_eta_and_next_window_are_computed_from_the_capture_time() -> None:
    snapshot = load_demo("calico")
    enforcement = EnforcementState.from_snapshot(snapshot)
    progress = recreation_progress(snapshot, enforcement)
    assert progress.direction == "enabling" and (progress.done, progress.total) == (11, 13)
    assert [(pool.done, pool.total) for pool in progress.pools if pool.pool == "highmem-pool"] == [(2, 4)]
    assert progress.eta is not None, progress.eta_reason
    assert timedelta(minutes=20) < progress.eta.remaining < timedelta(minutes=45)
    # 2021-10-14 is a Thursday; the window is weekly on Saturday and Sunday, 01:00-05:00 UTC.
    assert enforcement.maintenance.next_window == datetime(2021, 10, 16, 1, 0, tzinfo=UTC)
    assert not enforcement.maintenance.in_window


def test_dataplane_v2_demo_next_window_is_the_next_day() -> None:
    enforcement = EnforcementState.from_snapshot(load_demo("dataplane-v2"))
    assert enforcement.maintenance.next_window == datetime(2024, 11, 19, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_check_demo_cli_reports_exactly_the_planted_table(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--demo", name, "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    found = sorted((f["id"], f["subject"]["kind"], f["subject"]["namespace"], f["subject"]["name"])
                   for f in data["findings"])
    assert found == sorted((p.check, p.kind, p.namespace, p.name) for p in PLANTED[name])
    assert data["unknown"] == []
