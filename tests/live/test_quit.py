"""Quitting the console never waits on a stuck read (issue 10, item 3).

The console runs in a fresh process against a stand-in that sends its headers one byte every
0.5 s, with --timeout 60: without daemon threads and cancellation, `q` would leave the process
waiting for the stuck read (and ctrl-c there printed a traceback).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.live.conftest import TOKEN, write_kubeconfig
from tests.live.standin import KubeAPI, kubeconfig

SCRIPT = """
import sys, time
sys.path.insert(0, sys.argv[1])
from netpol_tui.app import NetpolApp
from netpol_tui.sources import SourceOptions

async def pilot(pilot):
    await pilot.pause(float(sys.argv[3]))
    print("loading" if pilot.app.state.snapshot is None else "loaded", flush=True)
    started = time.monotonic()
    await pilot.press("q")
    print(f"pressed {time.monotonic() - started:.2f}", flush=True)

NetpolApp(SourceOptions(kubeconfig=sys.argv[2], timeout=60)).run(headless=True, auto_pilot=pilot)
print("exited", flush=True)
"""


def test_q_during_a_stuck_load_exits_at_once(tmp_path: Path, kube_api: KubeAPI) -> None:
    kube_api.fault("/", trickle=0.5, times=None)
    path = write_kubeconfig(tmp_path / "kc", kubeconfig(kube_api.url, "dev", token=TOKEN))
    root = str(Path(__file__).resolve().parents[2])
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", SCRIPT, root, path, "1.5"], capture_output=True, text=True,
                          timeout=45, env={**os.environ, "NO_GCE_CHECK": "true"})
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split()
    assert lines[0] == "loading", "the load must still be stuck when q is pressed"
    assert lines[-1] == "exited" and "Traceback" not in done.stderr
    # Start-up (imports, first frame) plus 1.5 s of loading; a wait on the read would be 60 s.
    assert took < 20, f"quitting took {took:.1f} s"
    assert len(kube_api.requests) >= 1, "the load had started"
