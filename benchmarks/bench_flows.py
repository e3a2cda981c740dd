"""Benchmark: GKE policy-action records against the engine on the 100,000-pod synthetic cluster.

    python benchmarks/bench_flows.py [--out DIR] [--records 100000 1000000] [--edges 1000] [--repeat 2]

Goals (issue 14): 1,000,000 records streamed, joined, grouped and compared in <= 10 s with
<= 1.5 GB peak memory; 100,000 records in <= 1.5 s. The cluster comes from synthetic.py; the
records are Cloud Logging LogEntry objects as JSON lines (the export shape), ~0.9 KB each,
along --edges workload-to-workload connections (a random pod at either end, so ~100,000
distinct pod pairs) and to outside addresses; half ingress, half egress, with a random
disposition per edge so that about half the groups disagree and get diagnosed. The engine
runs the Dataplane V2 model (policy logs exist only there). Loading the snapshot and building the engine are timed apart (not in the goal).
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import sys
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import GENERATOR_VERSION, generate

from netpol_tui.flows import compare_flows
from netpol_tui.policy import PolicyEngine
from netpol_tui.sources.files import load_files

GOALS = {1_000_000: 10.0, 100_000: 1.5}
MEMORY_GOAL_MB = 1536
RECORDS_VERSION = 2
PORTS = (8080, 5432, 6379, 9090, 443)


def _entry(rng: random.Random, src, dst, dst_ip: str, port: int, direction: str, disposition: str, second: int,
           node: str) -> bytes:
    def peer(pod):
        if pod is None:
            return {"instance": dst_ip}
        return {"pod_name": pod.name, "pod_namespace": pod.namespace, "namespace": pod.namespace,
                "workload_name": pod.owner_name, "workload_kind": pod.owner_kind}

    stamp = f"2026-12-01T{10 + second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}.{rng.randrange(10**9):09d}Z"
    payload = {"connection": {"src_ip": src.ip, "dest_ip": dst_ip, "src_port": rng.randrange(32768, 61000),
                              "dest_port": port, "protocol": "tcp", "direction": direction},
               "disposition": disposition, "policies": [], "src": peer(src), "dest": peer(dst),
               "count": rng.randint(1, 3), "node_name": node, "timestamp": stamp}
    entry = {"insertId": f"{rng.getrandbits(64):016x}", "jsonPayload": payload,
             "logName": "projects/example/logs/policy-action", "receiveTimestamp": stamp, "timestamp": stamp,
             "resource": {"type": "k8s_node", "labels": {"cluster_name": "synthetic", "location": "europe-west1",
                                                         "node_name": node, "project_id": "example"}}}
    return orjson.dumps(entry) + b"\n"


def write_records(snapshot, path: Path, count: int, edges: int, seed: int = 1) -> None:
    """Traffic along `edges` workload-to-workload connections (70 % inside a namespace), each record
    between a random pod of either workload, and 10 % of the records to outside addresses."""
    rng = random.Random(seed)
    workloads: dict[tuple[str, str | None], list] = {}
    for pod in snapshot.pods:
        if pod.ip:
            workloads.setdefault((pod.namespace, pod.owner_name), []).append(pod)
    keys = sorted(workloads, key=str)
    by_namespace: dict[str, list] = {}
    for key in keys:
        by_namespace.setdefault(key[0], []).append(key)
    chosen = []
    for _ in range(edges):
        src = rng.choice(keys)
        dst = rng.choice(by_namespace[src[0]]) if rng.random() < 0.7 else rng.choice(keys)
        port = {"db": 5432, "cache": 6379}.get(workloads[dst][0].labels.get("app", ""), rng.choice(PORTS))
        direction = rng.choice(("ingress", "egress"))
        chosen.append((workloads[src], workloads[dst], port, direction, rng.choice(("allow", "deny"))))
    outside = [f"203.0.{rng.randrange(256)}.{rng.randrange(1, 255)}" for _ in range(200)]
    with path.open("wb") as handle:
        buffer = []
        for index in range(count):
            srcs, dsts, port, direction, disposition = chosen[rng.randrange(edges)]
            src = rng.choice(srcs)
            if rng.random() < 0.1:
                dst, dst_ip, port, direction = None, rng.choice(outside), 443, "egress"
            else:
                dst = rng.choice(dsts)
                dst_ip = dst.ip
            node = (dst if direction == "ingress" and dst is not None else src).node_name or "unknown-node"
            buffer.append(_entry(rng, src, dst, dst_ip, port, direction, disposition, index * 3600 // count, node))
            if len(buffer) == 10_000:
                handle.write(b"".join(buffer))
                buffer = []
        handle.write(b"".join(buffer))


def _loadavg() -> str:
    """The 1-minute load average: the machine is shared, so CPU time is the number to compare."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=f"/tmp/netpol-bench-flows-v{GENERATOR_VERSION}")
    parser.add_argument("--pods", type=int, default=100_000)
    parser.add_argument("--records", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--edges", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--collect", action="store_true",
                        help="leave the report to the collector (compare_flows without freeze)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    cluster = out / "cluster"
    marker = cluster / f".generated-{args.pods}"
    if not marker.exists():
        print(f"generating {args.pods} pods into {cluster} ...", flush=True)
        generate(cluster, pods=args.pods)
        marker.touch()
    started = time.perf_counter()
    snapshot = load_files([str(cluster)])
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    engine = PolicyEngine(snapshot, dataplane="dataplane-v2")
    built = time.perf_counter() - started
    gc.freeze()
    print(f"snapshot {snapshot.counts()['pods']} pods loaded in {loaded:.2f} s, engine built in {built:.2f} s "
          "(neither is part of the goal)")
    failed = False
    for count in args.records:
        path = out / f"policy-action-{count}-{args.edges}-v{RECORDS_VERSION}.jsonl"
        if not path.exists():
            print(f"writing {count} records to {path} ...", flush=True)
            write_records(snapshot, path, count, args.edges)
        best = best_cpu = float("inf")
        load_before = _loadavg()
        for _ in range(args.repeat):
            # a fresh engine each run: the verdict caches of one run must not help the next
            engine = PolicyEngine(snapshot, dataplane="dataplane-v2")
            t0, c0 = time.perf_counter(), time.process_time()
            # as the `flows` command runs it: the report frozen for the collector (--collect: not)
            report = compare_flows(snapshot, engine, [str(path)], freeze=not args.collect)
            t1, c1 = time.perf_counter(), time.process_time()
            best, best_cpu = min(best, t1 - t0), min(best_cpu, c1 - c0)
        counts = report.counts()
        goal = GOALS.get(count)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        size_mb = path.stat().st_size / 2**20
        print(f"{count} records ({size_mb:.0f} MiB): {report.records} read, {report.connections} connections, "
              f"{len(report.groups)} groups ({counts['agrees']} agree, {counts['disagrees']} disagree, "
              f"{counts['unknown']} unknown), {report.problem_count} problems")
        print(f"  best of {args.repeat}: {best:.2f} s wall, {best_cpu:.2f} s CPU"
              + (f" (goal <= {goal:.1f} s)" if goal else "") + f"; peak RSS so far {peak_mb:.0f} MiB "
              f"(goal <= {MEMORY_GOAL_MB} MiB); load average {load_before} before, {_loadavg()} after")
        failed |= (goal is not None and best > goal) or peak_mb > MEMORY_GOAL_MB
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
