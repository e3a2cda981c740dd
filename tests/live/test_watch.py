"""NodeWatcher: list + watch, reconnect from the last resourceVersion, relist on 410, stop promptly."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from netpol_tui.sources import SourceOptions
from netpol_tui.sources.watch import NodeEvent, NodeWatcher, WatchError
from tests.live import data
from tests.live.standin import KubeAPI, WatchStep


class Recorder:
    """Collects callbacks from the watcher thread; `wait_for` polls with a deadline."""

    def __init__(self) -> None:
        self.events: list[NodeEvent] = []
        self.errors: list[WatchError] = []
        self.lock = threading.Lock()

    def on_event(self, event: NodeEvent) -> None:
        with self.lock:
            self.events.append(event)

    def on_error(self, error: WatchError) -> None:
        with self.lock:
            self.errors.append(error)

    def wait_for(self, condition: Callable[[Recorder], bool], timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if condition(self):
                    return
            time.sleep(0.01)
        raise AssertionError(f"timed out; events={[e.type for e in self.events]} errors={self.errors}")

    @property
    def types(self) -> list[str]:
        return [event.type for event in self.events]


def _node_event(kind: str, index: int, version: int, **extra: object) -> WatchStep:
    obj = data.node(index, **extra)
    obj["metadata"]["resourceVersion"] = str(version)
    return WatchStep("event", type=kind, object=obj)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def watcher(options: SourceOptions, recorder: Recorder) -> Iterator[NodeWatcher]:
    watcher = NodeWatcher(options, recorder.on_event, recorder.on_error, watch_seconds=30, initial_backoff=0.02,
                          max_backoff=0.1)
    try:
        yield watcher
    finally:
        watcher.stop()


def test_lists_then_follows_changes(watcher: NodeWatcher, recorder: Recorder, kube_api: KubeAPI) -> None:
    bookmark = {"kind": "Node", "apiVersion": "v1", "metadata": {"resourceVersion": "1005"}}
    kube_api.watch_sessions.append([
        _node_event("MODIFIED", 2, 1001, labelled=True),
        _node_event("ADDED", 3, 1002, labelled=False),
        WatchStep("event", type="BOOKMARK", object=bookmark),
        _node_event("DELETED", 0, 1006),
    ])
    watcher.start()
    recorder.wait_for(lambda r: len(r.events) == 4)
    assert recorder.types == ["RESYNC", "MODIFIED", "ADDED", "DELETED"]
    assert len(recorder.events[0].nodes) == 3 and recorder.events[0].resource_version == "1000"
    assert recorder.events[1].node.calico_ready and recorder.events[2].node.name == "gke-shop-default-pool-3"
    assert watcher.resource_version == "1006" and recorder.errors == []
    query = kube_api.watch_requests[0]
    assert query["watch"] == ["true"] and query["resourceVersion"] == ["1000"]
    assert query["timeoutSeconds"] == ["30"] and query["allowWatchBookmarks"] == ["true"]


def test_dropped_stream_reconnects_from_the_last_version(watcher: NodeWatcher, recorder: Recorder,
                                                         kube_api: KubeAPI) -> None:
    kube_api.watch_sessions.append([_node_event("MODIFIED", 1, 1010), WatchStep("drop")])
    kube_api.watch_sessions.append([_node_event("MODIFIED", 2, 1011)])
    watcher.start()
    recorder.wait_for(lambda r: len(r.events) == 3)
    assert recorder.types == ["RESYNC", "MODIFIED", "MODIFIED"], "no relist after a plain drop"
    assert [q["resourceVersion"] for q in kube_api.watch_requests[:2]] == [["1000"], ["1010"]]
    error = recorder.errors[0]
    assert not error.fatal and error.retry_in is not None and "interrupted" in error.message


def test_410_gone_relists(watcher: NodeWatcher, recorder: Recorder, kube_api: KubeAPI) -> None:
    kube_api.watch_sessions.append([WatchStep("gone")])
    kube_api.resource_version = 1000
    watcher.start()
    recorder.wait_for(lambda r: r.types.count("RESYNC") == 2)
    assert len([p for p in kube_api.paths("/api/v1/nodes")]) >= 3  # list, watch, list (then watch again)
    assert recorder.errors == []


def test_forbidden_is_fatal_and_stops(options: SourceOptions, recorder: Recorder, kube_api: KubeAPI) -> None:
    kube_api.fault("/api/v1/nodes", status=403, times=None)
    watcher = NodeWatcher(options, recorder.on_event, recorder.on_error, initial_backoff=0.01)
    thread = watcher.start()
    thread.join(5)
    assert not thread.is_alive() and watcher.stopped
    assert recorder.errors[-1].fatal and "list nodes at cluster scope" in recorder.errors[-1].message


def test_unreachable_server_backs_off_until_stopped(tmp_path, recorder: Recorder) -> None:
    import socket

    from tests.live.conftest import write_kubeconfig
    from tests.live.standin import kubeconfig

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    path = write_kubeconfig(tmp_path / "kc", kubeconfig(f"http://127.0.0.1:{port}", "dev"))
    watcher = NodeWatcher(SourceOptions(kubeconfig=path, timeout=1), recorder.on_event, recorder.on_error,
                          initial_backoff=0.02, max_backoff=0.05)
    watcher.start()
    recorder.wait_for(lambda r: len(r.errors) >= 3)
    watcher.stop()
    assert all(not e.fatal and "connection refused" in e.message for e in recorder.errors)
    assert recorder.errors[1].retry_in >= recorder.errors[0].retry_in * 0.6


def test_malformed_events_are_skipped(watcher: NodeWatcher, recorder: Recorder, kube_api: KubeAPI) -> None:
    broken = data.node(5)
    broken["status"]["allocatable"]["cpu"] = "lots"
    kube_api.watch_sessions.append([WatchStep("raw", data=b"{not json\n"),
                                    WatchStep("event", type="MODIFIED", object=broken),
                                    _node_event("MODIFIED", 1, 1020)])
    watcher.start()
    recorder.wait_for(lambda r: len(r.events) == 2 and len(r.errors) == 2)
    assert recorder.types == ["RESYNC", "MODIFIED"]
    assert "not valid JSON" in recorder.errors[0].message and "gke-shop-default-pool-5" in recorder.errors[1].message


def test_stop_interrupts_a_blocked_read(watcher: NodeWatcher, recorder: Recorder, kube_api: KubeAPI) -> None:
    kube_api.watch_sessions.append([WatchStep("sleep", seconds=0.01)])  # then the server keeps it open
    thread = watcher.start()
    recorder.wait_for(lambda r: r.types == ["RESYNC"] and len(kube_api.watch_requests) == 1)
    time.sleep(0.1)
    started = time.monotonic()
    watcher.stop(wait=3)
    assert not thread.is_alive() and time.monotonic() - started < 1.0
