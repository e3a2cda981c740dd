"""A followed snapshot's engine is derived from the previous one (only what changed is indexed
again) and answers as a new engine would; the first followed snapshot derives from the loaded one."""

from __future__ import annotations

from dataclasses import replace

from netpol_tui.following import build_followed_engine
from netpol_tui.policy import PolicyEngine
from netpol_tui.sources import SourceOptions, load_snapshot


def test_a_followed_engine_is_derived_and_answers_as_a_new_one() -> None:
    before = load_snapshot(SourceOptions(demo="calico"))
    engine = PolicyEngine(before)
    pod = before.pods[0]
    moved = replace(pod, labels={**pod.labels, "app": "moved-by-test"})
    after = replace(before, pods=(moved, *before.pods[1:]))
    derived = build_followed_engine(after, (before, engine), ())
    assert derived.derivation.startswith("derived"), derived.derivation
    fresh = PolicyEngine(after)
    names = [f"{pod.namespace}/{pod.name}" for pod in after.pods]
    asked = 0
    for src_name in names:
        for dst_name in names[:8]:
            for port in (80, 443, 5432):
                src, dst = derived.resolve(src_name)[0], derived.resolve(dst_name)[0]
                new_src, new_dst = fresh.resolve(src_name)[0], fresh.resolve(dst_name)[0]
                got, want = derived.evaluate(src, dst, port, "TCP"), fresh.evaluate(new_src, new_dst, port, "TCP")
                assert repr(got) == repr(want), (src_name, dst_name, port)
                asked += 1
    assert asked > 100
    assert [p.name for p in derived.policies_selecting(moved)] == [p.name for p in fresh.policies_selecting(moved)]


def test_without_a_previous_engine_the_followed_engine_is_built() -> None:
    snapshot = load_snapshot(SourceOptions(demo="calico"))
    assert not build_followed_engine(snapshot, None, ()).derivation.startswith("derived")
