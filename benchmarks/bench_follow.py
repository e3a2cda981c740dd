"""The live follower under pod churn: CPU, change-to-snapshot latency and memory (issue 13).

    python benchmarks/bench_follow.py [--pods 10000 100000] [--rate 100] [--seconds 60]
    python benchmarks/bench_follow.py --console [--pods 100000] [--rate 100]

Generates the synthetic cluster (benchmarks/synthetic.py; 1 namespace per 50 pods, 1 policy
per 10 pods, 1 node per 20 pods) into the temp folder (reused across runs), serves it from the
Kubernetes and GKE stand-ins of tests/live/standin.py in a separate process, and, once the
first read is done and the pods watch is open, emits `--rate` pod watch events per second for
`--seconds`: a third ADDED (a copy of a random pod under a new name, same labels, new IP), a
third MODIFIED (a label changed on one of those, which moves it to another pod group) and a
third DELETED, each pod touched at most every ~3 s. The server records when it emitted each
event (CLOCK_MONOTONIC is the same clock in both processes).

Default mode: `netpol_tui.sources.follow.Follower` (what the console and `check --watch`
consume) runs in this process; its consumer only notes when each update arrived and the
changes it holds. Measured: the follower's CPU time over the churn as a share of one core
(goal <= 50 %), time from an event's emission to the first Snapshot holding it (median, p95,
max; goal: a change on screen within 2.5 s, of which this is the source's part), events lost,
peak RSS (initial read included). The cyclic GC is frozen after the first read, as the console
does (netpol_tui/gcpause.py).

`--console`: `netpol-tui` itself, live against the stand-in, in a 200x60 pseudo-terminal (as
bench_console.py): waits until the checks are done, measures a round of keys, starts the churn,
and during its first half measures keystroke to frame while the console follows: screen
switches (until the new screen's column header has arrived) and filter keystrokes in the
Policies list (until the typed text is on the terminal). During the second half, the change on
screen: the Policies list is filtered for ten pod names about to be created and the time from
each one's emission to the arrival of its row is taken. Also reported: the console's CPU share
over the churn and its peak RSS. Goals: keystroke to frame <= 100 ms, change on screen <= 2.5 s.
Keys that get no answer within 5 s are listed, never counted; works on any cluster size.

The machine is shared: every run prints the load average beside CPU and wall times.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import random
import re
import resource
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

PROJECT, LOCATION, CLUSTER = "example", "europe-west1", "synthetic"
CONTEXT = f"gke_{PROJECT}_{LOCATION}_{CLUSTER}"
#: Operations on one churn pod are this many emission slots apart (x3 events): ~3 s at 100/s.
LIFETIME = 100
#: --console: a pod counts as on screen once its row arrives, if created this long after its filter was typed.
TYPING_MARGIN = 0.5
#: --console: how long one window of new pods is watched (their creation starts ~2 s in).
WINDOW_SECONDS = 25.0


# ------------------------------------------------------------------ data


def cluster_dir(pods: int) -> Path:
    """The synthetic cluster for `pods`, generated once into the temp folder."""
    from synthetic import GENERATOR_VERSION, generate

    out = Path(tempfile.gettempdir()) / f"netpol-bench-follow-v{GENERATOR_VERSION}-{pods}"
    if not (out / "cluster.json").exists():
        print(f"generating {pods:,} pods into {out} ...", flush=True)
        generate(out, pods=pods, namespaces=max(1, pods // 50), policies=max(1, pods // 10),
                 nodes=max(1, pods // 20), seed=0)
    return out


def _items(path: Path) -> list[dict]:
    """List items as the API server sends them: without per-item kind/apiVersion."""
    items = orjson.loads(path.read_bytes())["items"]
    for item in items:
        item.pop("kind", None)
        item.pop("apiVersion", None)
    return items


# ------------------------------------------------------------------ server process


def _churn_api(objects: dict[str, list[dict]]) -> Any:
    from tests.live.standin import KubeAPI

    class ChurnAPI(KubeAPI):
        """KubeAPI whose `change` costs O(1): the stand-in's own rebuilds the whole list per event
        (fine for tests, 100,000 items x 100 events/s here). Lists keep serving the first state
        (pages cached); watches get every event, and a watch from an older version replays them."""

        def change(self, plural: str, type_: str, obj: dict) -> int:
            meta = obj.setdefault("metadata", {})
            namespace = meta.get("namespace")
            with self.lock:
                self.resource_version += 1
                version = self.resource_version
                meta["resourceVersion"] = str(version)
                self.history.append((version, plural, type_, obj))
                for stream_plural, stream_namespace, pending, wake in self._streams:
                    if stream_plural == plural and stream_namespace in (None, namespace):
                        pending.append((type_, obj))
                        wake.set()
            return version

        def pod_watches(self) -> int:
            with self.lock:
                return sum(1 for plural, *_ in self._streams if plural == "pods")

    api = ChurnAPI(objects)
    api.cache_pages = True
    return api


def _serve(data_dir: str, ready: Any, control: Any, results: Any) -> None:
    """The stand-ins, then on ("churn", rate, seconds) the events; results: emission records."""
    from tests.live.standin import GkeAPI

    out = Path(data_dir)
    objects = {"namespaces": _items(out / "namespaces.json"), "nodes": _items(out / "nodes.json"),
               "networkpolicies": _items(out / "networkpolicies.json"), "services": _items(out / "services.json"),
               "pods": [item for part in sorted(out.glob("pods-*.json")) for item in _items(part)]}
    kube = _churn_api(objects)
    kube.start()
    cluster = orjson.loads((out / "cluster.json").read_bytes())
    gke = GkeAPI({(PROJECT, LOCATION, CLUSTER): cluster}, {(PROJECT, LOCATION): []}).start()
    ready.put((kube.url, gke.url, {k: len(v) for k, v in objects.items()}))
    try:
        while True:
            command = control.get()
            if command[0] == "stop":
                return
            _, rate, seconds = command
            deadline = time.monotonic() + 60
            while kube.pod_watches() == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
            results.put(_churn(kube, objects["pods"], rate, seconds))
    finally:
        kube.stop()
        gke.stop()


def _churn(kube: Any, pods: list[dict], rate: float, seconds: float) -> dict:
    """Emit `rate` pod events a second for `seconds`; returns when each was emitted."""
    rng = random.Random(1)
    templates = [pod for pod in pods if (pod.get("metadata") or {}).get("namespace")] or [
        {"metadata": {"name": "seed", "namespace": "default", "labels": {"app": "seed"}}, "spec": {}, "status": {}}]
    alive: deque[dict] = deque()
    emitted: list[tuple[float, str, str, str]] = []
    total = max(1, int(rate * seconds))
    started = time.monotonic()
    cpu_started = time.process_time()
    created = 0
    for seq in range(total):
        due = started + seq / rate
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        slot = seq % 3
        if slot == 0 or not alive or (slot == 2 and len(alive) < 2 * LIFETIME):
            # an addition (also in place of the first deletions: pods live ~3 s before they go)
            pod = orjson.loads(orjson.dumps(rng.choice(templates)))
            meta = pod["metadata"]
            meta["name"] = f"churn-{created:07d}"
            meta["uid"] = f"churn-uid-{created}"
            meta.setdefault("labels", {})
            status = pod.setdefault("status", {})
            status["podIP"] = f"10.{200 + created // 65536 % 50}.{created // 256 % 256}.{created % 256}"
            status["podIPs"] = [{"ip": status["podIP"]}]
            created += 1
            alive.append(pod)
            action, obj = "ADDED", pod
        elif slot == 1:
            # the pod added LIFETIME slots ago (or the oldest): relabelled, so it changes pod group
            index = max(0, len(alive) - LIFETIME)
            obj = orjson.loads(orjson.dumps(alive[index]))
            obj["metadata"]["labels"]["version"] = f"churn-{seq}"
            alive[index] = obj
            action = "MODIFIED"
        else:
            obj = alive.popleft()
            action = "DELETED"
        meta = obj["metadata"]
        kube.change("pods", action, orjson.loads(orjson.dumps(obj)))
        emitted.append((time.monotonic(), meta["namespace"], meta["name"], action))
    return {"emitted": emitted, "seconds": time.monotonic() - started, "cpu": time.process_time() - cpu_started}


class Server:
    """The stand-ins in a separate (spawned) process: their CPU is not the follower's."""

    def __init__(self, data: Path) -> None:
        context = multiprocessing.get_context("spawn")
        self.ready, self.control, self.results = context.Queue(), context.Queue(), context.Queue()
        self.process = context.Process(target=_serve, args=(str(data), self.ready, self.control, self.results),
                                       daemon=True)
        self.process.start()
        self.kube_url, self.gke_url, self.served = self.ready.get(timeout=600)

    def churn(self, rate: float, seconds: float) -> None:
        self.control.put(("churn", rate, seconds))

    def churned(self, timeout: float) -> dict:
        return self.results.get(timeout=timeout)

    def stop(self) -> None:
        self.control.put(("stop",))
        self.process.join(10)
        if self.process.is_alive():
            self.process.terminate()


def write_kubeconfig(path: Path, server: str) -> Path:
    import yaml

    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": CONTEXT,
        "clusters": [{"name": CONTEXT, "cluster": {"server": server}}],
        "users": [{"name": CONTEXT, "user": {"token": "bench"}}],
        "contexts": [{"name": CONTEXT, "context": {"cluster": CONTEXT, "user": CONTEXT}}],
    }))
    return path


def _environment() -> None:
    os.environ.update(NO_GCE_CHECK="true", NO_PROXY="127.0.0.1,localhost")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "KUBERNETES_SERVICE_HOST"):
        os.environ.pop(name, None)


# ------------------------------------------------------------------ statistics


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def summary_ms(values: list[float]) -> str:
    """"median / p95 / max ms (n)", or "none" when nothing was measured (never an IndexError)."""
    if not values:
        return "none measured"
    return (f"{statistics.median(values):.0f} / {percentile(values, 0.95):.0f} / {max(values):.0f} ms "
            f"(n={len(values)})")


def load_average() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


def match_latencies(emitted: list[tuple[float, str, str, str]],
                    delivered: list[tuple[float, tuple]]) -> tuple[list[float], int]:
    """Seconds from each emission to the first update holding a change of that pod at or after it.

    A batch merges what happened to one pod (added then modified is "added"), so a change matches
    every emission of its pod not yet matched and emitted before the update arrived."""
    pending: dict[tuple[str, str], deque[float]] = defaultdict(deque)
    for when, namespace, name, _action in emitted:
        pending[(namespace, name)].append(when)
    latencies: list[float] = []
    for arrived, changes in delivered:
        for change in changes:
            waiting = pending.get((change.namespace or "", change.name))
            while waiting and waiting[0] <= arrived:
                latencies.append(arrived - waiting.popleft())
    lost = sum(len(waiting) for waiting in pending.values())
    return latencies, lost


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# ------------------------------------------------------------------ follower mode


def follow_run(pods: int, rate: float, seconds: float, freeze: bool) -> dict[str, Any]:
    from netpol_tui.sources import SourceOptions
    from netpol_tui.sources.follow import Follower

    data = cluster_dir(pods)
    server = Server(data)
    work = Path(tempfile.mkdtemp(prefix="netpol-bench-follow-"))
    kubeconfig = write_kubeconfig(work / "kubeconfig", server.kube_url)
    follower = Follower(SourceOptions(kubeconfig=str(kubeconfig), gke_endpoint=server.gke_url, timeout=60))
    delivered: list[tuple[float, tuple]] = []
    first = threading.Event()
    failure: list[BaseException] = []
    lock = threading.Lock()

    def consume() -> None:
        try:
            for update in follower:
                arrived = time.monotonic()
                with lock:
                    delivered.append((arrived, update.changes))
                if update.initial:
                    first.set()
        except BaseException as exc:  # reported below
            failure.append(exc)
            first.set()

    try:
        started = time.perf_counter()
        consumer = threading.Thread(target=consume, daemon=True)
        consumer.start()
        first.wait(900)
        if failure or not delivered:
            raise RuntimeError(f"the first read failed: {failure[0] if failure else 'timed out'}")
        initial_seconds = time.perf_counter() - started
        if freeze:
            gc.freeze()
        time.sleep(2.0)  # the watches open
        rss_before = rss_mb()
        load_before = load_average()
        cpu0, wall0 = time.process_time(), time.monotonic()
        server.churn(rate, seconds)
        churn = server.churned(seconds + 120)
        cpu1, wall1 = time.process_time(), time.monotonic()
        time.sleep(3.0)  # the last batches
        load_after = load_average()
        rss_after = rss_mb()
    finally:
        follower.stop()
        server.stop()
    with lock:
        updates = list(delivered[1:])
    latencies, lost = match_latencies(churn["emitted"], updates)
    cpu, wall = cpu1 - cpu0, wall1 - wall0
    return {
        "pods served": server.served["pods"], "events emitted": len(churn["emitted"]),
        "rate achieved /s": round(len(churn["emitted"]) / churn["seconds"], 1),
        "first read s": round(initial_seconds, 1),
        "follow wall s": round(wall, 1), "follower CPU s": round(cpu, 2),
        "follower CPU share of one core %": round(100 * cpu / wall, 1) if wall else None,
        "CPU per event ms": round(1000 * cpu / max(1, len(churn["emitted"])), 2),
        "updates delivered": len(updates),
        "events per update": round(len(churn["emitted"]) / max(1, len(updates)), 1),
        "emission to snapshot median/p95/max": summary_ms([1000 * x for x in latencies]),
        "events not delivered": lost,
        "RSS after first read / after churn MB": f"{rss_before:.0f} / {rss_after:.0f}",
        "peak RSS MB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "server CPU s (other process)": round(churn["cpu"], 2),
        "load average before / after": f"{load_before} | {load_after}",
        "gc frozen after first read": freeze,
    }


# ------------------------------------------------------------------ console mode


def _console_keys(terminal: Any, rounds: int) -> tuple[dict[str, list[float]], list[str]]:
    """Screen switches and filter keys while the console follows; misses are noted, never fatal."""
    screens = ((b"2", "nodes", b"POOL"), (b"3", "policies", b"SELECTOR"), (b"4", "issues", b"ISSUE"),
               (b"5", "runbooks", b"RUNBOOK"), (b"1", "status", b"SEVERITY"))
    times: dict[str, list[float]] = defaultdict(list)
    misses: list[str] = []
    for _ in range(rounds):
        for key, name, marker in screens:
            before = len(terminal.output)
            elapsed = terminal.press(key, marker)
            if elapsed is None:
                seen = plain(terminal.output[before:])[:160]
                misses.append(f"screen {name}: {marker.decode()} not seen within 5 s (got {seen!r})")
            else:
                times["screen switch"].append(elapsed)
    terminal.press(b"3", b"SELECTOR")
    _send(terminal, b"/")
    typed = ""
    for char in "team-data-0045":
        typed += char
        elapsed = terminal.press(char.encode(), typed.encode())
        if elapsed is None:
            misses.append(f"filter {typed!r}: text not seen within 5 s")
        else:
            times["filter keystroke"].append(elapsed)
    _send(terminal, b"\x1b")
    return times, misses


def created_by(seq: int) -> int:
    """How many churn pods `_churn` has created after `seq` events (its pattern, replayed)."""
    alive = created = 0
    for index in range(seq):
        slot = index % 3
        if slot == 0 or not alive or (slot == 2 and alive < 2 * LIFETIME):
            created, alive = created + 1, alive + 1
        elif slot == 2:
            alive -= 1
    return created


def _watch_new_pods(terminal: Any, until: float, started: float,
                    rate: float) -> list[tuple[str, float, dict[str, float]]]:
    """When churn pods first appeared on the terminal: the Policies list is filtered for a window
    of ten names about to be created (`churn-000NNN`, 2 s ahead of the emitter's schedule), the
    rows are read as they arrive, and the next window is typed once all ten have been seen or
    WINDOW_SECONDS have passed. Returns (prefix, when typed, {name: first seen}) per window; only names of
    the window's prefix are kept, and the caller keeps only pods created after the filter was
    typed (the intermediate filters while typing show older pods)."""
    terminal.press(b"3", b"SELECTOR")
    _send(terminal, b"/")
    windows: list[tuple[str, float, dict[str, float]]] = []
    current = ""
    while time.monotonic() < until:
        window = (created_by(int((time.monotonic() - started + 2.0) * rate)) // 10 + 1) * 10
        prefix = f"churn-{window:07d}"[:-1]
        # Only the differing tail is retyped: a filter erased to empty closes, and the keys after
        # it would reach the screen's bindings (`r` reloads, `c` copies).
        common = len(os.path.commonprefix([current, prefix]))
        scanned = len(terminal.output)
        os.write(terminal.fd, b"\x7f" * (len(current) - common) + prefix[common:].encode())
        current = prefix
        typed = time.monotonic()
        seen: dict[str, float] = {}
        ends = min(until, time.monotonic() + WINDOW_SECONDS)
        while time.monotonic() < ends and len(seen) < 10:
            terminal.read(0.01)
            now = time.monotonic()
            for name in re.findall(r"churn-\d{7}", plain(terminal.output[max(0, scanned - 400):])):
                if name.startswith(prefix):
                    seen.setdefault(name, now)
            scanned = len(terminal.output)
        windows.append((prefix, typed, seen))
    _send(terminal, b"\x1b")
    return windows


def plain(output: bytes) -> str:
    """Terminal output without its escape sequences (what a reader of the screen sees)."""
    return re.sub(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07]*\x07|[()][A-Z0-9])", "",
                  output.decode(errors="replace"))


def _send(terminal: Any, data: bytes) -> None:
    """A key whose frame is not measured; then whatever it caused is read."""
    os.write(terminal.fd, data)
    terminal.settle(0.2, timeout=2.0)


def console_run(pods: int, rate: float, seconds: float, rounds: int) -> dict[str, Any]:
    from bench_console import Terminal

    data = cluster_dir(pods)
    server = Server(data)
    work = Path(tempfile.mkdtemp(prefix="netpol-bench-follow-"))
    kubeconfig = write_kubeconfig(work / "kubeconfig", server.kube_url)
    results: dict[str, Any] = {"pods served": server.served["pods"]}
    terminal = Terminal(["--kubeconfig", str(kubeconfig), "--gke-endpoint", server.gke_url, "--timeout", "60"])
    try:
        results["loaded s"] = round(terminal.wait_for(CLUSTER.encode(), 600) or -1, 1)
        results["checks done s"] = round(terminal.wait_for(b"warnings", 900) or -1, 1)
        terminal.settle(2.0)
        idle, idle_misses = _console_keys(terminal, 1)
        cpu0, wall0 = terminal.cpu_seconds(), time.monotonic()
        load_before = load_average()
        server.churn(rate, seconds)
        terminal.settle(min(5.0, seconds / 4), timeout=min(5.0, seconds / 4))  # following is under way
        busy: dict[str, list[float]] = defaultdict(list)
        misses: list[str] = []
        # first half of the churn: keys; second half: new pods watched for on the Policies list
        while time.monotonic() - wall0 < seconds / 2:
            more, missed = _console_keys(terminal, rounds)
            for name, values in more.items():
                busy[name].extend(values)
            misses += missed
        windows = _watch_new_pods(terminal, wall0 + seconds + 3.0, wall0, rate)
        churn = server.churned(seconds + 120)
        cpu1, wall1 = terminal.cpu_seconds(), time.monotonic()
        results["load average before / after"] = f"{load_before} | {load_average()}"
        results["events emitted"] = len(churn["emitted"])
        results["rate achieved /s"] = round(len(churn["emitted"]) / churn["seconds"], 1)
        if cpu0 is not None and cpu1 is not None:
            results["console CPU share of one core while following %"] = round(100 * (cpu1 - cpu0) / (wall1 - wall0))
        for name, values in idle.items():
            results[f"{name}, not following, median/p95/max"] = summary_ms(values)
        for name in ("screen switch", "filter keystroke"):
            results[f"{name} while following, median/p95/max"] = summary_ms(busy.get(name, []))
        results["keys not answered"] = idle_misses + misses or "none"
        added = {name: when for when, _namespace, name, action in churn["emitted"] if action == "ADDED"}
        on_screen = [1000 * (when - added[name]) for _prefix, typed, seen in windows for name, when in seen.items()
                     if name in added and added[name] >= typed + TYPING_MARGIN]
        results["new pod windows (filter, typed at s, created after it, seen)"] = [
            (prefix, round(typed - wall0, 1),
             sum(1 for name, when in added.items() if name.startswith(prefix) and when >= typed + TYPING_MARGIN),
             sum(1 for name in seen if name in added and added[name] >= typed + TYPING_MARGIN))
            for prefix, typed, seen in windows]
        results["new pod on screen (emission to row on the Policies list) median/p95/max"] = summary_ms(on_screen)
        results["peak RSS of the console MB"] = terminal.peak_rss_mb()
    finally:
        terminal.close()
        server.stop()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, nargs="+", default=None,
                        help="cluster sizes (default 10000 100000; --console: 100000)")
    parser.add_argument("--rate", type=float, default=100.0, help="pod events per second")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the churn lasts")
    parser.add_argument("--console", action="store_true", help="keystroke to frame in the console while following")
    parser.add_argument("--rounds", type=int, default=1, help="--console: screen rounds between filter runs")
    parser.add_argument("--no-gc-freeze", action="store_true", help="leave the cyclic GC as it is after the first read")
    args = parser.parse_args(argv)
    _environment()
    sizes = args.pods or ([100_000] if args.console else [10_000, 100_000])
    for pods in sizes:
        print(f"== {pods:,} pods, {args.rate:g} pod events/s for {args.seconds:g} s, "
              f"{'console' if args.console else 'follower'}; load average {load_average()}", flush=True)
        if args.console:
            results = console_run(pods, args.rate, args.seconds, args.rounds)
        else:
            results = follow_run(pods, args.rate, args.seconds, freeze=not args.no_gc_freeze)
        for key, value in results.items():
            print(f"{key}: {value}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
