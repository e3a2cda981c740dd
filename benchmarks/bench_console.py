"""Console speed: first frame of `netpol-tui --demo`, and responsiveness on a 100,000-pod cluster.

    python benchmarks/bench_console.py [--data /tmp/netpol-synth] [--runs 5] [--skip-first-frame]

1. First frame: starts `netpol-tui --demo` in a pseudo-terminal (120x40) and measures the time from
   process start until the mode bar ("Runbooks" tab) has been written; then presses q. Median of runs.
2. Big cluster: generates the synthetic cluster (benchmarks/synthetic.py, 100,000 pods) into --data
   unless it is there, opens it in the app headless at 200x60, and measures how long a key takes
   to be handled and the frame refreshed: switching screens (first and later visits), typing a
   filter into the 112,000-row Policies list character by character, paging through it.
Results go to stdout; benchmarks/console.md records them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pty
import resource
import select
import signal
import statistics
import struct
import sys
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def first_frame(runs: int) -> list[float]:
    """Seconds from process start to the first frame, measured through a real pty."""
    executable = Path(sys.executable).with_name("netpol-tui")
    command = [str(executable)] if executable.exists() else [sys.executable, "-m", "netpol_tui"]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            os.environ.update(TERM="xterm-256color", COLUMNS="120", LINES="40")
            os.execv(command[0], [*command, "--demo"])
        import fcntl

        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        seen = b""
        elapsed = None
        deadline = started + 20
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            seen += chunk
            if b"Runbooks" in seen:
                elapsed = time.perf_counter() - started
                break
        try:
            os.write(fd, b"q")
            time.sleep(0.5)
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
        if elapsed is not None:
            times.append(elapsed)
    return times


async def big_cluster(data: Path) -> dict[str, object]:
    from netpol_tui.app import NetpolApp
    from netpol_tui.sources import SourceOptions, load_snapshot
    from netpol_tui.widgets.virtual_list import VirtualList

    options = SourceOptions(files=(str(data),))
    results: dict[str, object] = {}
    app = NetpolApp(options, loader=lambda opts, progress: load_snapshot(opts, progress))
    started = time.perf_counter()
    async with app.run_test(size=(200, 60)) as pilot:
        while app.state.snapshot is None:
            await asyncio.sleep(0.05)
        results["load seconds"] = round(time.perf_counter() - started, 2)
        while app.state.report is None and "checks" not in app.state.errors:
            await asyncio.sleep(0.1)
        results["load + engine + checks seconds"] = round(time.perf_counter() - started, 2)
        results["pods"] = len(app.state.snapshot.pods)

        async def timed(*keys: str) -> float:
            begin = time.perf_counter()
            await pilot.press(*keys)
            await pilot.pause()
            return (time.perf_counter() - begin) * 1000

        switches = {}
        for key, name in (("2", "nodes"), ("3", "policies"), ("4", "issues"), ("5", "runbooks"), ("1", "status")):
            switches[f"first visit {name}"] = round(await timed(key), 1)
        objects = app.get_screen("policies-screen") if False else None
        begin = time.perf_counter()
        await pilot.press("3")
        objects = app.screen.query_one("#objects", VirtualList)
        while objects.total_count == 0:
            await asyncio.sleep(0.01)
        results["policies list rows"] = objects.total_count
        results["policies list ready ms (rows built in a worker)"] = round((time.perf_counter() - begin) * 1000)
        await app.workers.wait_for_complete()
        for key, name in (("2", "nodes"), ("3", "policies"), ("4", "issues"), ("5", "runbooks"), ("1", "status")):
            switches[f"later visit {name}"] = round(await timed(key), 1)
        results["screen switch ms"] = switches
        await timed("3")
        await app.workers.wait_for_complete()
        keystrokes = [await timed("slash")]
        for char in "team-data-0042 api":
            keystrokes.append(await timed("space" if char == " " else char))
        results["filter keystroke ms (median, max)"] = (round(statistics.median(keystrokes), 1),
                                                        round(max(keystrokes), 1))
        results["rows after filter"] = objects.row_count
        for _ in keystrokes:
            await timed("backspace")
        await timed("escape")
        await app.workers.wait_for_complete()
        pages = [await timed("pagedown") for _ in range(20)]
        results["page down ms (median, max)"] = (round(statistics.median(pages), 1), round(max(pages), 1))
        ends = [await timed("G"), await timed("g")]
        results["jump to end/start ms"] = [round(value, 1) for value in ends]
    results["peak RSS MB"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="/tmp/netpol-synth", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-first-frame", action="store_true")
    args = parser.parse_args()
    if not args.skip_first_frame:
        times = first_frame(args.runs)
        if times:
            print(f"first frame of netpol-tui --demo: median {statistics.median(times):.3f} s, "
                  f"min {min(times):.3f} s, max {max(times):.3f} s over {len(times)} runs")
        else:
            print("first frame: not seen")
    if not (args.data / "cluster.json").exists():
        from benchmarks.synthetic import generate

        print(f"generating the synthetic cluster into {args.data} ...")
        generate(args.data)
    for key, value in asyncio.run(big_cluster(args.data)).items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
