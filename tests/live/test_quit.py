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
import os, sys, time
sys.path.insert(0, sys.argv[1])
from netpol_tui.app import NetpolApp
from netpol_tui.sources import SourceOptions

async def pilot(pilot):
    while not os.path.exists(sys.argv[3]):  # the test says when the stand-in holds a request
        await pilot.pause(0.05)
    print("loading" if pilot.app.state.snapshot is None else "loaded", flush=True)
    await pilot.press("q")

NetpolApp(SourceOptions(kubeconfig=sys.argv[2], timeout=60)).run(headless=True, auto_pilot=pilot)
print("exited", flush=True)
"""


def test_q_during_a_stuck_load_exits_at_once(tmp_path: Path, kube_api: KubeAPI) -> None:
    kube_api.fault("/", trickle=0.5, times=None)
    path = write_kubeconfig(tmp_path / "kc", kubeconfig(kube_api.url, "dev", token=TOKEN))
    go = tmp_path / "go"
    root = str(Path(__file__).resolve().parents[2])
    process = subprocess.Popen([sys.executable, "-c", SCRIPT, root, path, str(go)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env={**os.environ, "NO_GCE_CHECK": "true"})
    try:
        deadline = time.monotonic() + 40
        while not kube_api.requests and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        assert kube_api.requests, "the load never reached the stand-in"
        time.sleep(0.5)
        go.touch()
        pressed = time.monotonic()
        out, err = process.communicate(timeout=30)
        took = time.monotonic() - pressed
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    lines = out.split()
    assert lines[0] == "loading", "the load must still be stuck when q is pressed"
    assert lines[-1] == "exited" and "Traceback" not in err
    # A wait on the stuck read would last until its 60 s deadline.
    assert took < 10, f"quitting took {took:.1f} s"
