"""Live source against the loopback stand-ins vs kubectl against the same server.

    python benchmarks/bench_live.py [--pods 20000 --nodes 2000 --policies 2000 --namespaces 500] [--runs 3]

Generates a synthetic cluster (benchmarks/synthetic.py) into /tmp, serves it from the Kubernetes
and GKE stand-ins of tests/live/standin.py in a separate process (pages pre-rendered, so both
clients see the same, cheap server), then times, alternating, with a warm discovery cache:

- kubectl: `kubectl get namespaces,pods,nodes,networkpolicies,services,events -A -o json > /dev/null`
- netpol-tui: a fresh `python` process running `load_live()` (every kind the live source reads,
  plus the GKE calls), timed from interpreter start; it also reports its own peak RSS.

Goal (issue 6): netpol-tui <= 1.3x kubectl, peak memory <= 1 GB.
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


def _kubectl(kubeconfig: Path, cache: Path) -> float:
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), "--cache-dir", str(cache), "get", KUBECTL_KINDS,
                        "-A", "-o", "json"], stdout=sink, check=True)
    return time.perf_counter() - started


def _netpol(kubeconfig: Path, gke_url: str, env: dict[str, str]) -> tuple[float, dict]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD, str(kubeconfig), gke_url], capture_output=True, env=env,
                          check=True)
    elapsed = time.perf_counter() - started
    return elapsed, orjson.loads(done.stdout.splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=20_000)
    parser.add_argument("--nodes", type=int, default=2_000)
    parser.add_argument("--policies", type=int, default=2_000)
    parser.add_argument("--namespaces", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-kubectl", action="store_true", help="time netpol-tui only (large clusters)")
    args = parser.parse_args(argv)
    if not args.no_kubectl and shutil.which("kubectl") is None:
        print("kubectl not found (Debian package kubectl)", file=sys.stderr)
        return 2

    import synthetic

    work = Path(tempfile.mkdtemp(prefix="netpol-bench-live-"))
    try:
        synthetic.generate(work / "data", pods=args.pods, namespaces=args.namespaces, policies=args.policies,
                           nodes=args.nodes, seed=0)
        context = multiprocessing.get_context("spawn")
        ready, stop = context.Queue(), context.Event()
        server = context.Process(target=_serve, args=(str(work / "data"), ready, stop), daemon=True)
        server.start()
        kube_url, gke_url, served = ready.get(timeout=300)
        kubeconfig = work / "kubeconfig"
        _kubeconfig(kubeconfig, kube_url)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_GCE_CHECK": "true", "NO_PROXY": "127.0.0.1"}
        cache = work / "kubectl-cache"
        if not args.no_kubectl:
            _kubectl(kubeconfig, cache)  # warm discovery cache and page cache
        _netpol(kubeconfig, gke_url, env)
        kubectl_times, netpol_times, reports = [], [], []
        for _ in range(args.runs):
            if not args.no_kubectl:
                kubectl_times.append(_kubectl(kubeconfig, cache))
            elapsed, report = _netpol(kubeconfig, gke_url, env)
            netpol_times.append(elapsed)
            reports.append(report)
        stop.set()
        server.join(10)
        netpol_median = statistics.median(netpol_times)
        kubectl_median = statistics.median(kubectl_times) if kubectl_times else None
        last = reports[-1]
        print(f"served: {served}")
        print(f"netpol-tui counts: {last['counts']} problems={last['problems']} unknown={last['unknown']}")
        print("| measure | value |")
        print("|---|---|")
        if kubectl_median is not None:
            print(f"| kubectl get {KUBECTL_KINDS} -A -o json (median of {args.runs}) | {kubectl_median:.2f} s |")
        print(f"| netpol-tui load_live, fresh process (median of {args.runs}) | {netpol_median:.2f} s |")
        print(f"| of which imports / load_live() | {statistics.median(r['import'] for r in reports):.2f} s / "
              f"{statistics.median(r['load'] for r in reports):.2f} s |")
        if kubectl_median is not None:
            print(f"| ratio netpol-tui / kubectl | {netpol_median / kubectl_median:.2f} (goal <= 1.3) |")
        print(f"| netpol-tui peak RSS | {max(r['rss_mb'] for r in reports):.0f} MB (goal <= 1024) |")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
