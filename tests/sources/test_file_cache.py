"""Following `--files` re-reads only the files that changed: replaying the other files' recorded
outcomes gives the very Snapshot (objects, duplicates, problems, kinds) that a fresh read gives."""

from __future__ import annotations

import os
import shutil
from dataclasses import fields
from pathlib import Path

import pytest

from netpol_tui.model.snapshot import Snapshot
from netpol_tui.sources.file_cache import FileCache
from netpol_tui.sources.files import load_files

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

DUPLICATE_POLICY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress]}
"""


def _same(left: Snapshot, right: Snapshot) -> None:
    """Every field but the load time."""
    for item in fields(Snapshot):
        if item.name != "captured_at":
            assert getattr(left, item.name) == getattr(right, item.name), item.name


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    """The mixed fixture plus the GKE kinds, a duplicate object, a broken and a foreign file."""
    root = tmp_path / "dump"
    shutil.copytree(FIXTURES / "mixed", root)
    shutil.copytree(FIXTURES / "gke_kinds", root / "kinds")
    (root / "zz-duplicate.yaml").write_text(DUPLICATE_POLICY)
    (root / "broken.json").write_text('{"kind": "PodList", "items": [')
    (root / "foreign.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    return root


def _touch(path: Path, text: str) -> None:
    before = path.stat().st_mtime_ns
    path.write_text(text)
    os.utime(path, ns=(before + 10**9, before + 10**9))  # a coarse clock could keep the old mtime


def test_replayed_read_equals_a_fresh_read(tree: Path) -> None:
    cache = FileCache()
    first = load_files([str(tree)], cache=cache)
    files = cache.read_count
    assert files >= 15 and cache.replayed_count == 0
    again = load_files([str(tree)], cache=cache)
    assert (cache.read_count, cache.replayed_count) == (files, files)
    fresh = load_files([str(tree)])
    _same(first, fresh)
    _same(again, fresh)
    assert any("duplicate" in problem.message for problem in fresh.problems)
    assert any("broken.json" in problem.source for problem in fresh.problems)
    assert fresh.fqdn_policies and fresh.cilium_policies and dict(fresh.skipped_kinds).get("ConfigMap", 0) >= 1


def test_only_the_changed_file_is_read_and_the_rest_is_shared(tree: Path) -> None:
    cache = FileCache()
    first = load_files([str(tree)], cache=cache)
    files = cache.read_count
    _touch(tree / "zz-duplicate.yaml", DUPLICATE_POLICY.replace("[Ingress]", "[Ingress, Egress]"))
    second = load_files([str(tree)], cache=cache)
    assert cache.read_count == files + 1
    _same(second, load_files([str(tree)]))
    changed = {policy.name: policy for policy in second.policies}["default-deny"]
    assert "Egress" in str(changed.policy_types)
    assert second.pods[0] is first.pods[0]


@pytest.mark.parametrize("change", ["delete", "break", "empty"])
def test_a_file_deleted_or_broken_reads_as_a_fresh_read(tree: Path, change: str) -> None:
    cache = FileCache()
    load_files([str(tree)], cache=cache)
    target = tree / "networkpolicies-all.json"
    if change == "delete":
        target.unlink()
    else:
        _touch(target, "{not json" if change == "break" else "")
    _same(load_files([str(tree)], cache=cache), load_files([str(tree)]))
    if change == "delete":
        assert str(target) not in cache._records


def test_a_file_replaced_by_a_rename_with_the_same_size_and_time_is_read_again(tree: Path) -> None:
    cache = FileCache()
    load_files([str(tree)], cache=cache)
    target = tree / "zz-duplicate.yaml"
    stat = target.stat()
    replacement = tree.parent / "new.yaml"
    replacement.write_text(DUPLICATE_POLICY.replace("Ingress", "Egress"))  # same length
    os.utime(replacement, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(replacement, target)
    reads = cache.read_count
    snapshot = load_files([str(tree)], cache=cache)
    assert cache.read_count == reads + 1
    assert "Egress" in str({p.name: p for p in snapshot.policies}["default-deny"].policy_types)
