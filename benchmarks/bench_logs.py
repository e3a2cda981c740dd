"""`--logs-since`: reading GKE policy-action entries from Cloud Logging, CPU per entry and memory (issue 14).

    python benchmarks/bench_logs.py [--entries 100000] [--runs 3] [--profile]

Serves `--entries` policy-action LogEntry objects (the shape bench_flows.py writes, ~0.9 KB of
JSON each, 1,000 a page with nextPageToken paging) from the Cloud Logging stand-in of
tests/live/standin.py in a separate process, and reads them, each mode in a fresh process:

- `read`: `netpol_tui.sources.gke_logs.LogRead.entries()`, what `flows --logs-since` iterates
  (google-cloud-logging's REST client: LogEntry objects, then `to_api_repr()` back to JSON dicts);
- `parse`: the same entries through `FlowReader.read_entries`, the policy-action parser the
  flows command applies to them (no snapshot, no join: that is bench_flows.py);
- `raw`: the same pages POSTed with a plain `requests.Session` and decoded with orjson: the floor
  for HTTP plus JSON on this machine, without the client library.

Reported per mode: wall and CPU seconds of the read (imports and client set-up apart), CPU per
entry, the process's RSS growth over the read and its peak RSS. `--profile` adds the heaviest
functions of one `read` under cProfile. Results go to stdout; benchmarks/flows.md records them.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROJECT = "example"
MODES = ("raw", "read", "parse")


def entries(count: int, seed: int = 1) -> list[dict]:
    """Policy-action LogEntries over 2,000 pods in 200 namespaces, half allowed, a few to outside."""
    rng = random.Random(seed)
    pods = [(f"team-{n:04d}", f"app-{n % 10}-{rng.getrandbits(32):08x}", f"10.{64 + n // 256}.{n % 256}.{p}")
            for n in range(200) for p in range(10)]
    result = []
    for index in range(count):
        src, dst = rng.choice(pods), rng.choice(pods)
        second = index % 3600
        stamp = (f"2026-12-01T{10 + second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}."
                 f"{rng.randrange(10**9):09d}Z")
        node = f"gke-synthetic-default-pool-{rng.randrange(500):04d}"

        def peer(pod: tuple[str, str, str]) -> dict:
            return {"pod_name": pod[1], "pod_namespace": pod[0], "namespace": pod[0],
                    "workload_name": pod[1].rsplit("-", 1)[0], "workload_kind": "ReplicaSet"}

        outside = rng.random() < 0.1
        dst_ip = f"203.0.{rng.randrange(256)}.{rng.randrange(1, 255)}" if outside else dst[2]
        payload = {"connection": {"src_ip": src[2], "dest_ip": dst_ip, "src_port": rng.randrange(32768, 61000),
                                  "dest_port": rng.choice((8080, 5432, 6379, 443)), "protocol": "tcp",
                                  "direction": rng.choice(("ingress", "egress"))},
                   "disposition": rng.choice(("allow", "deny")), "policies": [], "src": peer(src),
                   "dest": {"instance": dst_ip} if outside else peer(dst), "count": rng.randint(1, 3),
                   "node_name": node, "timestamp": stamp}
        result.append({"insertId": f"{rng.getrandbits(64):016x}", "jsonPayload": payload,
                       "logName": f"projects/{PROJECT}/logs/policy-action", "receiveTimestamp": stamp,
                       "timestamp": stamp, "resource": {"type": "k8s_node", "labels": {
                           "cluster_name": "synthetic", "location": "europe-west1", "node_name": node,
                           "project_id": PROJECT}}})
    return result


def _serve(count: int, ready: Any, stop: Any) -> None:
    from tests.live.standin import LoggingAPI

    server = LoggingAPI(entries(count), max_page=1000).start()
    ready.put(server.url)
    stop.wait()
    server.stop()


CHILD = r"""
import json, os, resource, sys, time
mode, url, count = sys.argv[1], sys.argv[2], int(sys.argv[3])

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

if mode == "raw":
    import orjson, requests
    session = requests.Session()
    def read():
        token, seen = "", 0
        while True:
            body = {"resourceNames": ["projects/example"], "pageSize": 1000, "orderBy": "timestamp desc"}
            if token:
                body["pageToken"] = token
            page = orjson.loads(session.post(url + "/v2/entries:list", data=orjson.dumps(body),
                                             headers={"Content-Type": "application/json"}, timeout=30).content)
            seen += len(page.get("entries") or [])
            token = page.get("nextPageToken")
            if not token:
                return seen, None
else:
    from datetime import timedelta
    from netpol_tui.sources.gke import GkeIdentity
    from netpol_tui.sources.gke_logs import LogRead
    from netpol_tui.flows.reader import FlowReader
    import google.cloud.logging_v2  # imported before the clock starts, as the client set-up is
    def read():
        logs = LogRead(GkeIdentity("example", "europe-west1", "synthetic"), timedelta(hours=1), endpoint=url,
                       timeout=30, max_records=count)
        if mode == "read":
            seen = sum(1 for _ in logs.entries())
        else:
            reader = FlowReader()
            seen = sum(1 for _ in reader.read_entries(logs.name, logs.entries()))
            seen = (seen, reader.records, dict(reader.skipped), reader.problem_count)
        return seen, logs.status()["status"] + (f": {logs.reason or logs.cut}" if logs.reason or logs.cut else "")

if os.environ.get("BENCH_PROFILE"):
    import cProfile, pstats, io
    profile = cProfile.Profile()
    profile.enable()
    read()
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(18)
    print(out.getvalue(), file=sys.stderr)
    sys.exit(0)
before = rss()
cpu0, wall0 = time.process_time(), time.perf_counter()
seen, status = read()
cpu1, wall1 = time.process_time(), time.perf_counter()
print(json.dumps({"seen": seen, "status": status, "cpu": cpu1 - cpu0, "wall": wall1 - wall0,
                  "rss_before": before, "rss_after": rss(),
                  "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def child(mode: str, url: str, count: int, profile: bool = False) -> dict | str:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_GCE_CHECK": "true", "NO_PROXY": "127.0.0.1,localhost",
           "GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent/adc.json"}
    if profile:
        env["BENCH_PROFILE"] = "1"
    done = subprocess.run([sys.executable, "-c", CHILD, mode, url, str(count)], capture_output=True, env=env,
                          text=True, check=False)
    if profile:
        return done.stderr
    if done.returncode != 0:
        raise RuntimeError(f"{mode} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="runs per mode (alternating); medians reported")
    parser.add_argument("--profile", action="store_true", help="also profile one `read`")
    args = parser.parse_args(argv)
    context = multiprocessing.get_context("spawn")
    ready, stop = context.Queue(), context.Event()
    server = context.Process(target=_serve, args=(args.entries, ready, stop), daemon=True)
    server.start()
    try:
        url = ready.get(timeout=600)
        print(f"{args.entries:,} entries served ({len(json.dumps(entries(10))) / 10 / 1024:.2f} KB each as JSON); "
              f"load average {'/'.join(f'{v:.1f}' for v in os.getloadavg())}", flush=True)
        results: dict[str, list[dict]] = {mode: [] for mode in MODES}
        for _ in range(args.runs):
            for mode in MODES:
                results[mode].append(child(mode, url, args.entries))
        print("| mode | entries | wall s | CPU s | CPU per entry | RSS growth MB | peak RSS MB |")
        print("|---|---|---|---|---|---|---|")
        for mode in MODES:
            runs = results[mode]
            seen = runs[-1]["seen"]
            count = seen[0] if isinstance(seen, list) else seen
            cpu = statistics.median(r["cpu"] for r in runs)
            print(f"| {mode} | {count:,} | {statistics.median(r['wall'] for r in runs):.2f} | {cpu:.2f} | "
                  f"{1e6 * cpu / max(1, count):.0f} µs | "
                  f"{statistics.median(r['rss_after'] - r['rss_before'] for r in runs):+.0f} | "
                  f"{max(r['peak'] for r in runs):.0f} |")
        for mode in ("read", "parse"):
            print(f"{mode}: status {results[mode][-1]['status']}; seen {results[mode][-1]['seen']}")
        print("CPU per run, s: " + "; ".join(
            f"{mode} " + ", ".join(f"{r['cpu']:.2f}" for r in results[mode]) for mode in MODES))
        print(f"load average after: {'/'.join(f'{v:.1f}' for v in os.getloadavg())}")
        if args.profile:
            print(child("read", url, args.entries, profile=True))
        return 0
    finally:
        stop.set()
        server.join(10)


if __name__ == "__main__":
    raise SystemExit(main())
