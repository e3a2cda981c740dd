"""Following `--files`: the re-read after one file changed, with the follower's file cache
(sources/file_cache.py: unchanged files replayed, not decoded) and without it.

    python benchmarks/bench_file_follow.py [--pods 50000] [--dir DIR]

Generates the synthetic cluster (benchmarks/synthetic.py) into the temp folder once, reads it
with a cache, touches networkpolicies.json (as a script re-running `kubectl get networkpolicies
-A -o json > networkpolicies.json` would), and times the re-read with the cache and a fresh read
of everything. CPU seconds (the machine is shared); the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import GENERATOR_VERSION, generate

from netpol_tui.sources.file_cache import FileCache
from netpol_tui.sources.files import load_files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=50_000)
    parser.add_argument("--dir", default=None)
    args = parser.parse_args()
    folder = Path(args.dir or Path(tempfile.gettempdir()) / f"netpol-bench-filefollow-v{GENERATOR_VERSION}-{args.pods}")
    marker = folder / ".complete"
    if not marker.exists():
        print(f"generating {args.pods} pods into {folder} ...", flush=True)
        generate(folder, pods=args.pods, namespaces=max(1, args.pods // 50), policies=args.pods // 10,
                 nodes=max(1, args.pods // 20))
        marker.touch()
    cache = FileCache()
    started = time.process_time()
    load_files([str(folder)], cache=cache)
    first = time.process_time() - started
    target = folder / "networkpolicies.json"
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    started = time.process_time()
    load_files([str(folder)], cache=cache)
    cached = time.process_time() - started
    started = time.process_time()
    load_files([str(folder)])
    fresh = time.process_time() - started
    print(f"{args.pods} pods, {cache.read_count} file reads in all, load average {os.getloadavg()[0]:.1f}: "
          f"first read {first:.2f} s; one file changed: {cached:.2f} s with the cache, {fresh:.2f} s without (CPU)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
