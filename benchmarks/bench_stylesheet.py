"""What a mode screen's first visit costs in stylesheet work, with and without `mark_styles_current`.

    python benchmarks/bench_stylesheet.py [--demo calico] [--size 200x60]

Runs the console headless on a bundled demo and visits each mode screen once (keys 2-7). Textual
compares a new mode screen's private `_css_update_count` with the app's and, when they differ,
calls `App.refresh_css` (a whole-stylesheet reparse plus a restyle of the DOM) on the first
visit. `netpol_tui.textual_compat.mark_styles_current` marks the new screen current so that
Textual skips it. The script times every `refresh_css` and `Stylesheet.reparse` (wall and UI-thread CPU time) once with the
shim and once with it turned off, and prints the per-visit numbers; the decision to keep the
shim (it stays while a first visit would pay more than 5 ms) is recorded in console.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KEYS = "234567"


async def first_visits(demo: str, size: tuple[int, int], shim: bool) -> dict[str, list[float]]:
    from netpol_tui import textual_compat
    from netpol_tui.app import NetpolApp
    from netpol_tui.screens import base
    from netpol_tui.sources import SourceOptions

    base.mark_styles_current = textual_compat.mark_styles_current if shim else (lambda screen, app: None)
    app = NetpolApp(SourceOptions(demo=demo))
    timings: dict[str, list[float]] = {"refresh_css wall ms": [], "refresh_css CPU ms": [],
                                       "reparse wall ms": [], "reparse CPU ms": []}

    def timed(name: str, call):
        def run(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.thread_time()
            call(*args, **kwargs)
            timings[f"{name} wall ms"].append((time.perf_counter() - wall) * 1000)
            timings[f"{name} CPU ms"].append((time.thread_time() - cpu) * 1000)
        return run

    async with app.run_test(size=size) as pilot:
        for _ in range(50):  # the demo loads in a worker: wait for its checks
            await pilot.pause(0.1)
            if not [worker for worker in app.workers if worker.name != "watch" and worker.is_running]:
                break
        app.stylesheet.reparse = timed("reparse", app.stylesheet.reparse)  # type: ignore[method-assign]
        app.refresh_css = timed("refresh_css", app.refresh_css)  # type: ignore[method-assign]
        for key in KEYS:
            await pilot.press(key)
            await pilot.pause(0.2)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", default="calico")
    parser.add_argument("--size", default="200x60")
    args = parser.parse_args()
    width, height = (int(part) for part in args.size.split("x"))
    print(f"load average {os.getloadavg()[0]:.1f}; {len(KEYS)} first visits ({args.demo}, {args.size})")
    for shim in (False, True):
        results = asyncio.run(first_visits(args.demo, (width, height), shim))
        print("with mark_styles_current" if shim else "without mark_styles_current")
        for name, values in results.items():
            total = sum(values)
            median = statistics.median(values) if values else 0.0
            print(f"  {name}: {len(values)} calls, total {total:.0f}, median {median:.1f}, "
                  f"per visit {total / len(KEYS):.1f}  {[round(value, 1) for value in values]}")


if __name__ == "__main__":
    main()
