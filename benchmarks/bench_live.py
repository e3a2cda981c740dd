"""Live source against the loopback stand-ins vs kubectl against the same server.

    python benchmarks/bench_live.py [--pods 20000 --nodes 2000 --policies 2000 --namespaces 500] [--runs 3]

Generates a synthetic cluster (benchmarks/synthetic.py) into /tmp, serves it from the Kubernetes
and GKE stand-ins of tests/live/standin.py in a separate process (pages pre-rendered, so both
clients see the same, cheap server), then times, alternating, with a warm discovery cache:

- kubectl: `kubectl get namespaces,pods,nodes,networkpolicies,services,events -A -o json > /dev/null`
- netpol-tui: a fresh `python` process running `load_live()` (every kind the live source reads,
  plus the GKE calls), timed from interpreter start; it also reports its own peak RSS.

With `--pods-only` (issue 13 item 6) both list only the pods: `kubectl get pods -A -o json` against
a `load_live()` restricted to the pods list (plus the GKE calls). Each client's wall time, CPU
time (user + system, from wait4) and peak RSS are reported, with the load average around the run.
`--data DIR` reuses a generated cluster (e.g. bench_load.py's) instead of generating one.

Goals: issue 6, netpol-tui <= 1.3x kubectl, peak memory <= 1 GB; issue 13, the pods list
<= 1.0x kubectl.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

PROJECT, LOCATION, CLUSTER = "example", "europe-west1", "synthetic"
CONTEXT = f"gke_{PROJECT}_{LOCATION}_{CLUSTER}"
KUBECTL_KINDS = "namespaces,pods,nodes,networkpolicies,services,events"

CHILD = """
import json, resource, sys, time
started = time.perf_counter()
from netpol_tui.sources import SourceOptions
from netpol_tui.sources.live import load_live
if len(sys.argv) > 3 and sys.argv[3] == "pods":
    from netpol_tui.sources import kube
    kube.RESOURCES = tuple(r for r in kube.RESOURCES if r.plural == "pods")
if "generic" in sys.argv[3:]:  # the decode before issue 13 item 6, for comparison
    from netpol_tui.sources import kube_client
    kube_client.TYPED_KINDS = frozenset()
imported = time.perf_counter()
snapshot = load_live(SourceOptions(kubeconfig=sys.argv[1], gke_endpoint=sys.argv[2], timeout=30))
done = time.perf_counter()
print(json.dumps({"import": imported - started, "load": done - imported, "counts": snapshot.counts(),
                  "problems": len(snapshot.problems), "unknown": [str(p.kind) for p in snapshot.unknown],
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _items(path: Path) -> list[dict]:
    """List items as the API server sends them: without per-item kind/apiVersion."""
    items = orjson.loads(path.read_bytes())["items"]
    for item in items:
        item.pop("kind", None)
        item.pop("apiVersion", None)
    return items


def _serve(data_dir: str, ready: multiprocessing.Queue, stop: multiprocessing.Event) -> None:
    from tests.live.standin import GkeAPI, KubeAPI

    out = Path(data_dir)
    objects = {"namespaces": _items(out / "namespaces.json"), "nodes": _items(out / "nodes.json"),
               "networkpolicies": _items(out / "networkpolicies.json"), "services": _items(out / "services.json"),
               "pods": [item for part in sorted(out.glob("pods-*.json")) for item in _items(part)]}
    kube = KubeAPI(objects)
    kube.cache_pages = True
    kube.start()
    cluster = orjson.loads((out / "cluster.json").read_bytes())
    gke = GkeAPI({(PROJECT, LOCATION, CLUSTER): cluster}, {(PROJECT, LOCATION): []}).start()
    ready.put((kube.url, gke.url, {k: len(v) for k, v in objects.items()}))
    stop.wait()
    kube.stop()
    gke.stop()


def _kubeconfig(path: Path, server: str) -> None:
    import yaml

    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": CONTEXT,
        "clusters": [{"name": CONTEXT, "cluster": {"server": server}}],
        "users": [{"name": CONTEXT, "user": {"token": "bench"}}],
        "contexts": [{"name": CONTEXT, "context": {"cluster": CONTEXT, "user": CONTEXT}}],
    }))


def _timed(command: list[str], **options: object) -> tuple[float, float, float, bytes]:
    """Wall s, CPU s (user + system of the child) and peak RSS MB of one command; its stdout."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, stdout=out, **options)  # type: ignore[call-overload]
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise SystemExit(f"{command[:3]} failed with {process.returncode}")
        out.seek(0)
        return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.read()


def _kubectl(kubeconfig: Path, cache: Path, kinds: str) -> tuple[float, float, float]:
    elapsed, cpu, rss, _ = _timed(["kubectl", "--kubeconfig", str(kubeconfig), "--cache-dir", str(cache), "get",
                                   kinds, "-A", "-o", "json"])
    return elapsed, cpu, rss


def _netpol(kubeconfig: Path, gke_url: str, env: dict[str, str], pods_only: bool,
            generic: bool = False) -> tuple[float, float, dict]:
    command = [sys.executable, "-c", CHILD, str(kubeconfig), gke_url, "pods" if pods_only else "all"]
    command += ["generic"] if generic else []
    elapsed, cpu, _rss, out = _timed(command, env=env)
    return elapsed, cpu, orjson.loads(out.splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=20_000)
    parser.add_argument("--nodes", type=int, default=2_000)
    parser.add_argument("--policies", type=int, default=2_000)
    parser.add_argument("--namespaces", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-kubectl", action="store_true", help="time netpol-tui only (large clusters)")
    parser.add_argument("--pods-only", action="store_true", help="both clients list the pods only")
    parser.add_argument("--generic", action="store_true",
                        help="also time netpol-tui with the generic (full) JSON decode, as before issue 13")
    parser.add_argument("--data", type=Path, help="a cluster synthetic.py generated before (not regenerated)")
    args = parser.parse_args(argv)
    if not args.no_kubectl and shutil.which("kubectl") is None:
        print("kubectl not found (Debian package kubectl)", file=sys.stderr)
        return 2

    import synthetic

    work = Path(tempfile.mkdtemp(prefix="netpol-bench-live-"))
    try:
        data = args.data or work / "data"
        if args.data is None:
            synthetic.generate(data, pods=args.pods, namespaces=args.namespaces, policies=args.policies,
                               nodes=args.nodes, seed=0)
        context = multiprocessing.get_context("spawn")
        ready, stop = context.Queue(), context.Event()
        server = context.Process(target=_serve, args=(str(data), ready, stop), daemon=True)
        server.start()
        kube_url, gke_url, served = ready.get(timeout=300)
        kubeconfig = work / "kubeconfig"
        _kubeconfig(kubeconfig, kube_url)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_GCE_CHECK": "true", "NO_PROXY": "127.0.0.1"}
        cache = work / "kubectl-cache"
        kinds = "pods" if args.pods_only else KUBECTL_KINDS
        if not args.no_kubectl:
            _kubectl(kubeconfig, cache, kinds)  # warm discovery cache and page cache
        _netpol(kubeconfig, gke_url, env, args.pods_only)
        kubectl_runs, netpol_runs, generic_runs, reports = [], [], [], []
        loads = [_loadavg()]
        for _ in range(args.runs):
            if not args.no_kubectl:
                kubectl_runs.append(_kubectl(kubeconfig, cache, kinds))
            elapsed, cpu, report = _netpol(kubeconfig, gke_url, env, args.pods_only)
            netpol_runs.append((elapsed, cpu, report["rss_mb"]))
            reports.append(report)
            if args.generic:
                elapsed, cpu, report = _netpol(kubeconfig, gke_url, env, args.pods_only, generic=True)
                generic_runs.append((elapsed, cpu, report["rss_mb"]))
            loads.append(_loadavg())
        stop.set()
        server.join(10)
        last = reports[-1]
        print(f"served: {served}")
        print(f"netpol-tui counts: {last['counts']} problems={last['problems']} unknown={last['unknown']}")
        print(f"load average (1 min) during the runs: {min(loads):.1f}-{max(loads):.1f}")
        print("| client | wall s (median) | CPU s (median) | peak RSS MB | runs (wall / CPU) |")
        print("|---|---:|---:|---:|---|")
        what = "pods" if args.pods_only else KUBECTL_KINDS
        rows = [(f"kubectl get {what} -A -o json", kubectl_runs)] if kubectl_runs else []
        rows.append(("netpol-tui load_live" + (" (pods list only)" if args.pods_only else "")
                     + ", fresh process", netpol_runs))
        if generic_runs:
            rows.append(("the same with the generic decode (before)", generic_runs))
        for name, runs in rows:
            shown = ", ".join(f"{wall:.2f} / {cpu:.2f}" for wall, cpu, _ in runs)
            print(f"| {name} | {statistics.median(r[0] for r in runs):.2f} | {statistics.median(r[1] for r in runs):.2f}"
                  f" | {max(r[2] for r in runs):.0f} | {shown} |")
        print(f"\nnetpol-tui imports / load_live(): {statistics.median(r['import'] for r in reports):.2f} s / "
              f"{statistics.median(r['load'] for r in reports):.2f} s")
        if kubectl_runs:
            goal = 1.0 if args.pods_only else 1.3
            wall = statistics.median(r[0] for r in netpol_runs) / statistics.median(r[0] for r in kubectl_runs)
            cpu = statistics.median(r[1] for r in netpol_runs) / statistics.median(r[1] for r in kubectl_runs)
            print(f"ratio netpol-tui / kubectl: wall {wall:.2f}, CPU {cpu:.2f} (goal <= {goal})")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _loadavg() -> float:
    return os.getloadavg()[0]


if __name__ == "__main__":
    raise SystemExit(main())
