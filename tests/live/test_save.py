"""`snapshot save DIR`: live -> save -> --files DIR gives an equal Snapshot."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from netpol_tui.cli import main
from netpol_tui.model.snapshot import Kind, Snapshot
from netpol_tui.sources import SourceOptions
from netpol_tui.sources.files import load_files
from netpol_tui.sources.live import load_live
from netpol_tui.sources.save import MANIFEST, SaveError, read_manifest, save_snapshot
from tests.live.standin import GkeAPI, KubeAPI

FIELDS = ("namespaces", "pods", "nodes", "policies", "services", "ingresses", "workloads", "events", "operations")


def _plain(objects: tuple) -> tuple:
    return tuple(dataclasses.replace(obj, origin=None) for obj in objects)


def assert_same_state(live: Snapshot, files: Snapshot) -> None:
    for name in FIELDS:
        assert _plain(getattr(files, name)) == _plain(getattr(live, name)), name
    assert dataclasses.replace(files.cluster, origin=None) == dataclasses.replace(live.cluster, origin=None) \
        if live.cluster else files.cluster is None
    assert files.loaded_kinds == live.loaded_kinds
    assert files.problems == ()


def test_live_save_files_round_trip(options: SourceOptions, tmp_path: Path) -> None:
    live = load_live(options)
    result = save_snapshot(live, tmp_path / "dump")
    assert set(result.files) == {"namespaces.json", "nodes.json", "pods.json", "networkpolicies.json",
                                 "services.json", "ingresses.json", "events.json", "workloads.json",
                                 "cluster.json", "operations.json", "networklogging.json", MANIFEST,
                                 # CRDs absent on the stand-in: read as none, saved as empty typed lists
                                 "fqdnnetworkpolicies.json", "ciliumpolicies.json"}
    reread = load_files([str(tmp_path / "dump")])
    assert_same_state(live, reread)
    assert reread.skipped_kinds == (), "the manifest is read, neither skipped nor a problem"
    assert reread.captured_at == live.captured_at
    assert reread.source.context == live.source.context and reread.source.context


def test_unknown_parts_stay_unknown_and_are_in_the_manifest(options: SourceOptions, kube_api: KubeAPI,
                                                            gke_api: GkeAPI, tmp_path: Path) -> None:
    kube_api.fault("/api/v1/events", status=403, times=None)
    kube_api.objects["ingresses"] = []
    live = load_live(options)
    save_snapshot(live, tmp_path / "dump")
    reread = load_files([str(tmp_path / "dump")])
    assert_same_state(live, reread)
    assert not reread.has(Kind.EVENT) and reread.has(Kind.INGRESS) and reread.ingresses == ()
    assert reread.unknown == live.unknown and reread.unknown_reason(Kind.EVENT) == live.unknown_reason(Kind.EVENT)
    assert reread.captured_at == live.captured_at and reread.source.context == live.source.context
    manifest = read_manifest(tmp_path / "dump")
    assert manifest["source"]["context"] == live.source.context and manifest["counts"]["pods"] == 5
    assert manifest["unknown"] == [{"kind": "Event", "reason": live.unknown_reason(Kind.EVENT)}]
    assert "events.json" not in manifest["files"]


def test_workloads_read_but_empty_stay_loaded(options: SourceOptions, kube_api: KubeAPI, tmp_path: Path) -> None:
    for plural in ("deployments", "statefulsets", "daemonsets"):
        kube_api.objects[plural] = []
    live = load_live(options)
    save_snapshot(live, tmp_path / "dump")
    reread = load_files([str(tmp_path / "dump")])
    assert reread.has(Kind.WORKLOAD) and reread.workloads == ()


def test_refuses_a_directory_with_other_content(options: SourceOptions, tmp_path: Path) -> None:
    live = load_live(options)
    save_snapshot(live, tmp_path / "dump")
    with pytest.raises(SaveError, match="not empty"):
        save_snapshot(live, tmp_path / "dump")
    save_snapshot(live, tmp_path / "dump", force=True)
    (tmp_path / "dump" / "extra.yaml").write_text("kind: Pod\n")
    with pytest.raises(SaveError, match="other YAML/JSON files"):
        save_snapshot(live, tmp_path / "dump", force=True)
    (tmp_path / "file").write_text("x")
    with pytest.raises(SaveError, match="not a directory"):
        save_snapshot(live, tmp_path / "file")


def test_force_removes_files_of_kinds_no_longer_read(options: SourceOptions, kube_api: KubeAPI,
                                                     tmp_path: Path) -> None:
    save_snapshot(load_live(options), tmp_path / "dump")
    kube_api.fault("/api/v1/events", status=403, times=None)
    save_snapshot(load_live(options), tmp_path / "dump", force=True)
    assert not (tmp_path / "dump" / "events.json").exists()


def _argv(options: SourceOptions) -> list[str]:
    return ["--kubeconfig", str(options.kubeconfig), "--gke-endpoint", str(options.gke_endpoint), "--timeout", "2"]


def test_cli_snapshot_save(options: SourceOptions, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "saved here"
    assert main(["snapshot", "save", str(target), *_argv(options)]) == 0
    out = capsys.readouterr().out
    assert "Saved 3 namespaces, 5 pods" in out and f"netpol-tui --files '{target}'" in out
    assert main([*_argv(options), "snapshot", "save", str(target)]) == 2
    assert "not empty" in capsys.readouterr().err
    document: Any = json.loads((target / "pods.json").read_text())
    assert document["kind"] == "PodList" and len(document["items"]) == 5


def test_cli_snapshot_save_reports_a_failed_load(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["snapshot", "save", str(tmp_path / "x"), "--kubeconfig", str(tmp_path / "missing")]) == 2
    assert "kubeconfig" in capsys.readouterr().err and not (tmp_path / "x").exists()


@pytest.mark.parametrize("demo", ["calico", "dataplane-v2"])
def test_demo_clusters_round_trip(demo: str, tmp_path: Path) -> None:
    """The bundled demos (hand-written YAML, every kind the checks use) survive save -> --files."""
    from netpol_tui.sources.demo import load_demo

    snapshot = load_demo(demo)
    save_snapshot(snapshot, tmp_path / demo)
    reread = load_files([str(tmp_path / demo)])
    assert_same_state(snapshot, reread)
    assert reread.captured_at == snapshot.captured_at and reread.captured_at.year < 2025
    assert reread.source.context == snapshot.source.context and reread.source.context.startswith("gke_")


def test_saved_unknown_part_supplied_by_another_file_is_not_unknown(options: SourceOptions, kube_api: KubeAPI,
                                                                    tmp_path: Path) -> None:
    """Events unreadable at save time, but the user adds a later `kubectl get events` dump: known."""
    kube_api.fault("/api/v1/events", status=403, times=None)
    save_snapshot(load_live(options), tmp_path / "dump")
    (tmp_path / "events.json").write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e1", "namespace": "default"},
         "involvedObject": {"kind": "Pod", "name": "p", "namespace": "default"}, "reason": "Started",
         "message": "started"}]}))
    reread = load_files([str(tmp_path / "dump"), str(tmp_path / "events.json")])
    assert reread.has(Kind.EVENT) and len(reread.events) == 1
    assert reread.unknown == () and reread.problems == ()


# ------------------------------------------------------------------- safe writing (issue 10 item 7)


@pytest.fixture
def demo_snapshot() -> Snapshot:
    from netpol_tui.sources.demo import load_demo

    return load_demo("calico")


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file outside the target directory that a planted link points at; it must never change."""
    path = tmp_path / "victim.txt"
    path.write_text("precious\n")
    return path


def test_a_dot_file_alone_makes_the_directory_not_empty(demo_snapshot: Snapshot, tmp_path: Path) -> None:
    target = tmp_path / "dump"
    target.mkdir()
    (target / ".hidden").write_text("x")
    with pytest.raises(SaveError, match=r"not empty \(\.hidden\)"):
        save_snapshot(demo_snapshot, target)
    with pytest.raises(SaveError, match="not an earlier save"):
        save_snapshot(demo_snapshot, target, force=True)
    assert sorted(p.name for p in target.iterdir()) == [".hidden"]


def test_planted_temporary_link_is_refused_and_its_target_untouched(demo_snapshot: Snapshot, tmp_path: Path,
                                                                   victim: Path) -> None:
    """The issue's attack: `.pods.json.tmp` -> victim in the target directory before the save."""
    target = tmp_path / "dump"
    target.mkdir()
    (target / ".pods.json.tmp").symlink_to(victim)
    for force in (False, True):
        with pytest.raises(SaveError):
            save_snapshot(demo_snapshot, target, force=force)
    assert victim.read_text() == "precious\n"


def test_temporary_names_are_unpredictable_and_never_opened_through_a_link(
        demo_snapshot: Snapshot, tmp_path: Path, victim: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even a link planted under the exact temporary name (guessed, or raced in) is not followed."""
    from netpol_tui.sources import save as save_module

    names = iter(["guessed", *(f"fresh{i}" for i in range(100))])
    monkeypatch.setattr(save_module.secrets, "token_hex", lambda size: next(names))
    target = tmp_path / "dump"
    original_prepare = save_module._prepare

    def plant_after_the_check(directory: Path, handle: int, force: bool) -> None:
        original_prepare(directory, handle, force)
        (target / ".namespaces.json.guessed.tmp").symlink_to(victim)  # the first temporary name
        (target / "nodes.json").symlink_to(victim)  # a final name, raced in after the emptiness check

    monkeypatch.setattr(save_module, "_prepare", plant_after_the_check)
    result = save_snapshot(demo_snapshot, target)
    assert victim.read_text() == "precious\n"
    assert not (target / "nodes.json").is_symlink() and json.loads((target / "nodes.json").read_text())["items"]
    assert (target / ".namespaces.json.guessed.tmp").is_symlink()  # left alone, never written through
    assert set(result.files) <= {p.name for p in target.iterdir()}


def test_earlier_save_with_a_link_in_place_of_a_file_is_replaced_not_followed(
        demo_snapshot: Snapshot, tmp_path: Path, victim: Path) -> None:
    target = tmp_path / "dump"
    save_snapshot(demo_snapshot, target)
    (target / "pods.json").unlink()
    (target / "pods.json").symlink_to(victim)
    save_snapshot(demo_snapshot, target, force=True)
    assert victim.read_text() == "precious\n" and not (target / "pods.json").is_symlink()


def test_target_that_is_a_link_is_refused(demo_snapshot: Snapshot, tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    with pytest.raises(SaveError, match="symbolic link"):
        save_snapshot(demo_snapshot, tmp_path / "link")
    assert list(real.iterdir()) == []


def test_files_are_owner_only_and_the_capture_time_is_kept(demo_snapshot: Snapshot, tmp_path: Path) -> None:
    import os
    import stat

    old = os.umask(0)  # the modes must not depend on the caller's umask
    try:
        result = save_snapshot(demo_snapshot, tmp_path / "new" / "dump")
    finally:
        os.umask(old)
    target = tmp_path / "new" / "dump"
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    modes = {p.name: stat.S_IMODE(p.lstat().st_mode) for p in target.iterdir()}
    assert set(modes) == set(result.files) and set(modes.values()) == {0o600}
    reread = load_files([str(target)])
    assert reread.captured_at == demo_snapshot.captured_at
    assert read_manifest(target)["capturedAt"] == demo_snapshot.captured_at.isoformat()


def test_objects_rejected_at_capture_stay_reported_after_a_reread(tmp_path: Path) -> None:
    """A policy dropped for a bad field is not in the saved files; the reread still says it is missing."""
    from netpol_tui.sources.demo import demo_path

    source = tmp_path / "source"
    source.mkdir()
    for path in demo_path("calico").iterdir():
        if path.name != MANIFEST:
            (source / path.name).write_bytes(path.read_bytes())
    text = (source / "networkpolicies.yaml").read_text()
    (source / "networkpolicies.yaml").write_text(text.replace("podSelector: {}", "podSelector: [broken]", 1))
    snapshot = load_files([str(source)])
    [rejected] = snapshot.rejected
    assert rejected.kind is Kind.NETWORK_POLICY and "spec.podSelector" in rejected.reason
    save_snapshot(snapshot, tmp_path / "dump")
    reread = load_files([str(tmp_path / "dump")])
    assert reread.rejected == snapshot.rejected and len(reread.policies) == len(snapshot.policies)
    [problem] = reread.problems
    assert problem.source.endswith(MANIFEST) and problem.message.startswith("when captured: NetworkPolicy ")
    assert read_manifest(tmp_path / "dump")["rejected"][0]["name"] == rejected.name
