"""Bounded live reads with the default limits: peak memory against hostile answers, kubeconfig parse time.

    python benchmarks/bench_bounded.py [--bomb-mib 2000] [--contexts 60000]

Each case runs `load_live()` in a fresh process (its peak RSS is its own) against the Kubernetes
stand-in of tests/live/standin.py with the default `--max-response-mb 1024`:

- gzip bomb: pods answered with a ~2 MB gzip body that inflates to 2 GiB of zeros;
- endless body: events answered with a chunked body that never ends;
- kubeconfig: a ~24 MB kubeconfig (N contexts, clusters and users) read by `read_kubeconfig`,
  with libyaml (what netpol-tui uses) and, for comparison, PyYAML's pure-Python loader.

Goal (issue 10): peak RSS under 1.5 GB for the bomb and the endless body with a clear message;
the 24 MB kubeconfig far from the 116 s / 2.6 GB it took.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LOAD = """
import resource, sys, time
sys.path.insert(0, sys.argv[1])
from netpol_tui.sources import SourceOptions
from netpol_tui.sources.live import load_live
from netpol_tui.model.snapshot import Kind
started = time.monotonic()
snapshot = load_live(SourceOptions(kubeconfig=sys.argv[2], timeout=60))
print(f"{time.monotonic() - started:.1f}s", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, "MB")
print(snapshot.unknown_reason(Kind[sys.argv[3]]))
"""

PARSE = """
import resource, sys, time, yaml
sys.path.insert(0, sys.argv[1])
from netpol_tui.sources import kube, kubeconfig
if sys.argv[3] == "pure":
    kubeconfig._load_yaml = lambda data: yaml.load(data, Loader=yaml.SafeLoader)
started = time.monotonic()
config = kube.read_kubeconfig(sys.argv[2])
print(f"{time.monotonic() - started:.1f}s", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, "MB",
      len(config.contexts), "contexts")
"""


def kubeconfig_document(server: str, contexts: int) -> dict:
    return {
        "apiVersion": "v1", "kind": "Config", "current-context": "c0",
        "contexts": [{"name": f"c{i}", "context": {"cluster": f"c{i}", "user": f"c{i}"}} for i in range(contexts)],
        "clusters": [{"name": f"c{i}", "cluster": {"server": server, "certificate-authority-data": "QUJD" * 60}}
                     for i in range(contexts)],
        "users": [{"name": f"c{i}", "user": {"token": "x" * 64}} for i in range(contexts)],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bomb-mib", type=int, default=2000)
    parser.add_argument("--contexts", type=int, default=60000)
    parser.add_argument("--skip-pure", action="store_true", help="skip the pure-Python YAML comparison")
    args = parser.parse_args()
    from tests.live.standin import KubeAPI, gzip_bomb, kubeconfig

    print(f"load average {os.getloadavg()[0]:.1f}")
    server = KubeAPI({}, token="t").start()
    server.fault("/api/v1/pods", gzip_bomb_mib=args.bomb_mib, times=None)
    server.fault("/api/v1/events", endless=True, times=None)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kc"
        path.write_text(yaml.safe_dump(kubeconfig(server.url, "dev", token="t")))
        print(f"gzip bomb: {len(gzip_bomb(args.bomb_mib)) / 1e6:.1f} MB inflating to {args.bomb_mib} MiB")
        for kind in ("POD", "EVENT"):
            done = subprocess.run([sys.executable, "-c", LOAD, str(ROOT), str(path), kind], capture_output=True,
                                  text=True, check=True)
            print(f"  {kind.lower()}: {done.stdout.strip()}")
        big = Path(tmp) / "big-kubeconfig"
        started = time.monotonic()
        big.write_text(yaml.dump(kubeconfig_document(server.url, args.contexts), Dumper=yaml.CSafeDumper))
        print(f"kubeconfig: {big.stat().st_size / 1e6:.1f} MB, {args.contexts} contexts "
              f"(written in {time.monotonic() - started:.1f} s)")
        for mode in ("libyaml",) + (() if args.skip_pure else ("pure",)):
            done = subprocess.run([sys.executable, "-c", PARSE, str(ROOT), str(big), mode], capture_output=True,
                                  text=True, check=True)
            print(f"  {mode}: {done.stdout.strip()}")
    server.stop()


if __name__ == "__main__":
    main()
