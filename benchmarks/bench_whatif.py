"""Benchmark the "what if" commands on a synthetic cluster (issue 15's speed goals).

    python benchmarks/bench_whatif.py                 # 100,000 pods / 2,000 namespaces / 10,000 policies
    python benchmarks/bench_whatif.py --pods 2000     # smaller run (namespaces, policies, nodes scale)
    python benchmarks/bench_whatif.py --pods 2000 --reference   # also the slow reference path, compared

Measures, after loading the files and building the engine (reported apart): the namespace
matrix (`build_matrix` and the text format's namespace grid: every cell's letter); a change
diff of one added policy (an ingress allow into one workload from its namespace on the metrics port;
the engine with the change, derived from the first one as `netpol-tui diff` does, is reported
apart, and with --reference its full build too); the Calico -> Dataplane V2 model diff;
`explain --suggest` for one denied pod-to-pod flow (`suggest`, which builds the engine with the
proposal and measures its blast radius: `blast.targeted`, from the namespaces the proposal
reaches, timed alone and beside the full change diff with the two compared); `PolicyEngine.derive` for followed-style changes. Wall and CPU seconds and the peak RSS are printed as a
Markdown table row per measure; the numbers go into benchmarks/whatif.md by hand.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import synthetic  # noqa: E402

from netpol_tui.model.parse_policy import parse_network_policy  # noqa: E402
from netpol_tui.policy import Endpoint, PolicyEngine  # noqa: E402
from netpol_tui.sources.files import load_files  # noqa: E402
from netpol_tui.whatif.blast import targeted  # noqa: E402
from netpol_tui.whatif.diff import apply_change, diff_engines, diff_engines_reference  # noqa: E402
from netpol_tui.whatif.matrix import build_matrix, build_matrix_reference  # noqa: E402
from netpol_tui.whatif.render import _grid as namespace_grid  # noqa: E402
from netpol_tui.whatif.suggest import suggest  # noqa: E402


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


class Timer:
    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def row(what: str, timer: Timer, detail: str) -> None:
    print(f"| {what} | {timer.wall:.2f} s | {timer.cpu:.2f} s | {peak_rss_mb():.0f} MB | {detail} |", flush=True)


def proposed_policy(snapshot) -> object:
    """An ingress allow into the first namespace's first app from every pod of its namespace on
    the metrics port (its egress allows the namespace, so flows change)."""
    first = min(snapshot.pods, key=lambda p: (p.namespace, p.name))
    return parse_network_policy({
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": {"name": "bench-proposed", "namespace": first.namespace},
        "spec": {"podSelector": {"matchLabels": {"app": first.labels["app"]}}, "policyTypes": ["Ingress"],
                 "ingress": [{"from": [{"podSelector": {}}], "ports": [{"protocol": "TCP", "port": 9090}]}]}})


def denied_question(engine: PolicyEngine):
    """A denied pod-to-pod flow across namespaces on a port the destination declares."""
    pods = sorted((p for p in engine.snapshot.pods if p.is_live), key=lambda p: (p.namespace, p.name))
    for dst in pods:
        for src in pods:
            if src.namespace == dst.namespace or not dst.ports:
                continue
            port = dst.ports[0].container_port
            verdict = engine.evaluate(Endpoint.for_pod(src), Endpoint.for_pod(dst), port)
            if verdict.allowed is False and verdict.ingress.allowed is False:
                return src, dst, port
    raise SystemExit("no denied flow found")


def derive_rows(engine: PolicyEngine, snapshot) -> None:
    """`PolicyEngine.derive` for followed-style changes (issue 13): pods relabelled in place (a
    new object at the same place, as the follower makes them), namespaces relabelled, policies
    changed; a full build of the largest pod change for comparison."""
    import dataclasses
    import random

    from netpol_tui.model.parse import parse_namespace

    rng = random.Random(1)
    for count in (10, 1000, 10_000):
        pods = list(snapshot.pods)
        for index in rng.sample(range(len(pods)), min(count, len(pods))):
            pods[index] = dataclasses.replace(pods[index], labels={**pods[index].labels, "rev": "2"})
        later = dataclasses.replace(snapshot, pods=tuple(pods))
        with Timer() as timer:
            derived = engine.derive(later)
        row(f"derive: {count} pods relabelled", timer, derived.derivation)
    with Timer() as timer:
        PolicyEngine(later, "calico")
    row("  full build of that snapshot", timer, "for comparison")
    namespaces = list(snapshot.namespaces)
    for index in range(min(10, len(namespaces))):
        namespaces[index] = parse_namespace({"metadata": {"name": namespaces[index].name,
                                                          "labels": {**namespaces[index].labels, "x": "y"}}})
    later = dataclasses.replace(snapshot, namespaces=tuple(namespaces))
    with Timer() as timer:
        derived = engine.derive(later)
    row("derive: 10 namespaces relabelled", timer, derived.derivation)
    policies = list(snapshot.policies)
    for index in rng.sample(range(len(policies)), min(10, len(policies))):
        policies[index] = dataclasses.replace(policies[index], labels={"rev": "2"})
    later = dataclasses.replace(snapshot, policies=tuple(policies))
    with Timer() as timer:
        derived = engine.derive(later)
    row("derive: 10 policies changed", timer, derived.derivation)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", help="use (or generate into) this folder")
    parser.add_argument("--reference", action="store_true", help="also time the reference path and compare")
    parser.add_argument("--skip", default="", help="comma separated: matrix,change,model,derive,suggest")
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    namespaces, policies, nodes = max(1, args.pods // 50), args.pods // 10, max(3, args.pods // 20)
    data = Path(args.data or Path(tempfile.gettempdir()) / "netpol-bench-whatif"
                / f"synthetic-v{synthetic.GENERATOR_VERSION}-{args.pods}-{namespaces}-{policies}-{nodes}-s{args.seed}")
    if not (data / "cluster.json").exists():
        print(f"generating {args.pods} pods into {data} ...", flush=True)
        synthetic.generate(data, pods=args.pods, namespaces=namespaces, policies=policies, nodes=nodes, seed=args.seed)
    print(f"load average {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}", flush=True)
    print("| measure | wall | CPU | peak RSS | detail |\n|---|---|---|---|---|")
    with Timer() as timer:
        snapshot = load_files([str(data)])
    row(f"load {args.pods} pods", timer, f"{len(snapshot.pods)} pods, {len(snapshot.policies)} policies")
    with Timer() as timer:
        engine = PolicyEngine(snapshot, "calico")
    row("engine build (calico)", timer, "not part of the goals")
    gc.freeze()
    if "matrix" not in skip:
        with Timer() as timer:
            matrix = build_matrix(engine)
            _, grid = namespace_grid(matrix)  # the text format's grid: every cell's letter
            cells = matrix.cells()
            states = {}
            for line in grid:
                for letter in line:
                    states[letter] = states.get(letter, 0) + 1
        counts = matrix.counts()
        row("namespace matrix", timer, f"{len(matrix.classes)} classes, {counts['flows']:,} flows "
                                       f"({counts['allowed']:,} allowed), {len(cells):,} cells {states}")
        if args.reference:
            with Timer() as timer:
                reference = build_matrix_reference(PolicyEngine(snapshot, "calico"))
            same = reference.counts() == counts and dict(reference.cells()) == dict(cells)
            row("namespace matrix, reference path", timer, f"same counts and cells: {same}")
        del matrix, cells
    if "change" not in skip:
        proposed = proposed_policy(snapshot)
        with Timer() as timer:
            after = engine.derive(apply_change(snapshot, [proposed]), "calico")
        row("engine with the change (derived)", timer, after.derivation)
        if args.reference:
            with Timer() as timer:
                PolicyEngine(apply_change(snapshot, [proposed]), "calico")
            row("engine with the change, full build", timer, "what derive saves")
        with Timer() as timer:
            diff = diff_engines(engine, after, "before", "after")
        row(f"change diff (+{proposed.namespace}/{proposed.name})", timer,
            f"{len(diff.changes)} changes of {diff.compared:,} flows; {'; '.join(diff.summary()[:2])}")
        with Timer() as timer:
            found = targeted(engine, after, [proposed])
        same = found == [(c.src, c.dst, c.port, c.before, c.after) for c in diff.changes]
        row("  its changes by the targeted blast radius", timer, f"same changes: {same}" if found is not None
            else "stepped aside")
        with Timer() as timer:
            words = sum(len(c.before_deciding) + len(c.after_deciding) for c in diff.changes)
        row("  deciding rules of the changes", timer, f"{words} lines (asked of the engine when shown)")
        if args.reference:
            with Timer() as timer:
                reference = diff_engines_reference(engine, after, "before", "after")
            same = [(c.src.label, c.dst.label, c.port, c.after) for c in reference.changes] == \
                [(c.src.label, c.dst.label, c.port, c.after) for c in diff.changes] and \
                reference.compared == diff.compared
            row("change diff, reference path", timer, f"same changes: {same}")
    if "model" not in skip:
        with Timer() as timer:
            other = engine.derive(snapshot, "dataplane-v2")
        row("engine under dataplane-v2 (derived)", timer, other.derivation)
        with Timer() as timer:
            diff = diff_engines(engine, other, "calico", "dataplane-v2")
        row("model diff calico -> dataplane-v2", timer, f"{len(diff.changes):,} changes of {diff.compared:,} flows")
        if args.reference:
            with Timer() as timer:
                reference = diff_engines_reference(engine, other, "calico", "dataplane-v2")
            same = [(c.src.label, c.dst.label, c.port, c.after) for c in reference.changes] == \
                [(c.src.label, c.dst.label, c.port, c.after) for c in diff.changes]
            row("model diff, reference path", timer, f"same changes: {same}")
    if "derive" not in skip:
        derive_rows(engine, snapshot)
    if "suggest" not in skip:
        src, dst, port = denied_question(engine)
        with Timer() as timer:
            item = suggest(engine, Endpoint.for_pod(src), Endpoint.for_pod(dst), port)
        row(f"suggest {src.namespace}/{src.name} -> {dst.namespace}/{dst.name}:{port}", timer,
            f"{len(item.policies)} policies, also allows {len(item.also_allows)}, also denies {len(item.also_denies)}")
        with Timer() as timer:
            suggest(engine, Endpoint.for_pod(src), Endpoint.for_pod(dst), port)
        row("  the same asked again of that engine", timer, "its pods' facts kept (engine.memo), as in the console")
        proposal = engine.derive(apply_change(snapshot, item.policies), "calico")
        with Timer() as timer:
            found = targeted(engine, proposal, item.policies)
        row("  its blast radius alone (targeted)", timer,
            "classes of the namespaces the proposal reaches" if found is not None else "stepped aside: full diff")
        with Timer() as timer:
            full = diff_engines(engine, proposal, "now", "with the suggestion").changes
        same = found == [(c.src, c.dst, c.port, c.before, c.after) for c in full]
        row("  the same by the full change diff", timer, f"{len(full)} changes; same as targeted: {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
