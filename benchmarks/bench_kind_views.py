"""Benchmark the Policies screen's views of the Dataplane V2 policy kinds on the synthetic cluster.

    python benchmarks/bench_kind_views.py [--data DIR]   # 100,000 pods + 1,000 CCNPs + 1,000 FQDN policies

Measures, with the snapshot frozen out of the cyclic GC as the console does: building every row of
the Policies list, `pods_selected_by_kind` and the details + Go to list of a cluster-wide CCNP
(cold and cached), an FQDN policy's pods, and a pod's details with its other-kinds section.
Printed only (results and the goal are in benchmarks/console.md): details run in a worker
thread, the goal is under 1 s cold and 0.2 s warm for the CCNP selecting every pod.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> int:
    from benchmarks.synthetic import generate
    from netpol_tui.policy import PolicyEngine
    from netpol_tui.screens.kind_views import kind_policy_details
    from netpol_tui.screens.policy_views import object_rows, pod_details
    from netpol_tui.screens.related import related_objects
    from netpol_tui.sources.files import load_files

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="/tmp/netpol-bench-kinds", help="synthetic cluster folder (made if missing)")
    args = parser.parse_args()
    data = Path(args.data)
    if not data.exists():
        generate(data, ccnps=1000, fqdn_policies=1000)
    snapshot = load_files([str(data)])
    engine = PolicyEngine(snapshot)
    gc.freeze()
    print(f"rows: {_timed(lambda: [row for row in object_rows(snapshot) if row is not None]):.2f} s")
    cold, warm = [], []
    for policy in [p for p in snapshot.cilium_policies if p.namespace is None][:5]:
        def details(policy=policy) -> None:
            kind_policy_details(engine, policy)
            related_objects(engine, snapshot, "ccnp", policy)
        cold.append(_timed(details))
        warm.append(_timed(details))
    print(f"CCNP details + Go to, median of 5: cold {statistics.median(cold):.3f} s, "
          f"cached {statistics.median(warm):.3f} s ({len(engine.pods_selected_by_kind(policy))} pods)")
    fqdn = snapshot.fqdn_policies[0]
    print(f"FQDN policy pods: {_timed(lambda: engine.pods_selected_by_kind(fqdn)) * 1000:.2f} ms")
    pod = snapshot.pods[len(snapshot.pods) // 2]
    print(f"pod details with other kinds: {_timed(lambda: pod_details(engine, pod)) * 1000:.2f} ms "
          f"({len(engine.kind_policies_selecting(pod))} kind policies)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
