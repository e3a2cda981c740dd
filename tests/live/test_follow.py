"""The follower against the loopback stand-in with watch streams: changes reach new snapshots,
410 Gone costs one relist, dropped streams reconnect, a forbidden watch falls back to polling,
and `check --watch` / `check --until-clean` end as documented. Files follow by mtime."""

from __future__ import annotations

import copy
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from netpol_tui.cli import main
from netpol_tui.sources import SourceOptions
from netpol_tui.sources.follow import Follower, FollowState, FollowUpdate
from tests.live import data
from tests.live.standin import GkeAPI, KubeAPI, WatchStep


def typo_policy(app: str = "wbe", name: str = "allow-typo") -> dict:
    """A policy whose podSelector matches no pod (NP001) until `app` is a real label value."""
    return {"metadata": {"name": name, "namespace": "shop", "uid": f"uid-{name}", "resourceVersion": "100"},
            "spec": {"podSelector": {"matchLabels": {"app": app}}, "policyTypes": ["Ingress"]}}


def watching(kube_api: KubeAPI, plural: str, count: int = 1) -> Callable[[], bool]:
    """True once `count` watch requests on the list `plural` reached the stand-in."""
    return lambda: len(watch_requests(kube_api, plural)) >= count


def watch_requests(kube_api: KubeAPI, plural: str) -> list:
    with kube_api.lock:
        return [r for r in kube_api.requests if r.path.endswith(f"/{plural}") and "watch" in r.query]


def list_requests(kube_api: KubeAPI, plural: str) -> list:
    with kube_api.lock:
        return [r for r in kube_api.requests if r.path.endswith(f"/{plural}") and "watch" not in r.query]


def when(condition: Callable[[], bool], action: Callable[[], object], timeout: float = 10.0) -> threading.Thread:
    """Run `action` on a thread as soon as `condition` holds (the test's hand on the cluster)."""
    def run() -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                action()
                return
            time.sleep(0.01)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


class Collector:
    """Consumes a Follower on a thread; `wait_for` polls the updates seen with a deadline."""

    def __init__(self, follower: Follower) -> None:
        self.follower = follower
        self.updates: list[FollowUpdate] = []
        self.error: BaseException | None = None
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            for update in self.follower:
                with self.lock:
                    self.updates.append(update)
        except BaseException as exc:  # surfaced by wait_for
            self.error = exc

    def wait_for(self, condition: Callable[[list[FollowUpdate]], bool], timeout: float = 8.0) -> list[FollowUpdate]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.error is not None:
                raise self.error
            with self.lock:
                seen = list(self.updates)
            if seen and condition(seen):
                return seen
            time.sleep(0.01)
        states = [str(s) for s in self.updates[-1].states] if self.updates else []
        raise AssertionError(f"timed out after {len(self.updates)} updates; last states {states}")

    def stop(self) -> None:
        self.follower.stop()
        self.thread.join(5)
        assert not self.thread.is_alive(), "the follower did not stop"


@pytest.fixture
def follow(options: SourceOptions) -> Iterator[Callable[..., Collector]]:
    started: list[Collector] = []

    def start(**settings: object) -> Collector:
        settings = {"initial_backoff": 0.05, "max_backoff": 0.2, "poll_seconds": 0.3, **settings}
        collector = Collector(Follower(options, **settings))
        started.append(collector)
        return collector

    yield start
    for collector in started:
        collector.stop()


def changed(update: FollowUpdate) -> list[str]:
    return [str(change) for change in update.changes]


# --------------------------------------------------------------------------- the follower


def test_a_change_makes_a_new_snapshot_sharing_the_rest(follow, kube_api: KubeAPI) -> None:
    collector = follow()
    first = collector.wait_for(lambda seen: True)[0]
    assert first.initial and {s.name: str(s.state) for s in first.states}["pods"] == "following"
    when(watching(kube_api, "nodes"), lambda: kube_api.change("nodes", "MODIFIED", data.node(2)))
    seen = collector.wait_for(lambda seen: any(u.changes for u in seen))
    update = next(u for u in seen if u.changes)
    assert changed(update) == ["Node gke-shop-default-pool-2 modified"]
    old, new = first.snapshot, update.snapshot
    assert next(n for n in new.nodes if n.name == "gke-shop-default-pool-2").calico_ready
    assert new.pods is old.pods and new.policies is old.policies, "untouched kinds keep their tuples"
    assert new.nodes[0] is old.nodes[0], "unchanged nodes are the same objects"
    query = watch_requests(kube_api, "nodes")[0].query
    assert query["resourceVersion"] == ["1000"] and query["allowWatchBookmarks"] == ["true"]
    assert query["watch"] == ["1"]


def test_delete_removes_and_add_appends(follow, kube_api: KubeAPI) -> None:
    collector = follow()
    collector.wait_for(lambda seen: True)

    def act() -> None:
        kube_api.change("pods", "DELETED", data.pods()[0])
        kube_api.change("networkpolicies", "ADDED", typo_policy())

    when(lambda: watching(kube_api, "pods")() and watching(kube_api, "networkpolicies")(), act)
    seen = collector.wait_for(lambda seen: sum(len(u.changes) for u in seen) >= 2)
    snapshot = seen[-1].snapshot
    assert "web-7d9f-abcde" not in {pod.name for pod in snapshot.pods}
    assert "allow-typo" in {policy.name for policy in snapshot.policies}
    assert sorted(c for u in seen for c in changed(u)) == ["NetworkPolicy shop/allow-typo added",
                                                            "Pod shop/web-7d9f-abcde deleted"]


def test_an_unusable_object_in_an_event_is_rejected_not_kept_stale(follow, kube_api: KubeAPI) -> None:
    collector = follow()
    collector.wait_for(lambda seen: True)
    broken = data.pods()[0]
    broken["spec"] = "not a mapping"
    when(watching(kube_api, "pods"), lambda: kube_api.change("pods", "MODIFIED", broken))
    seen = collector.wait_for(lambda seen: bool(seen[-1].snapshot.rejected))
    snapshot = seen[-1].snapshot
    assert "web-7d9f-abcde" not in {pod.name for pod in snapshot.pods}, "the old version is not kept as current"
    assert [(r.namespace, r.name) for r in snapshot.rejected] == [("shop", "web-7d9f-abcde")]
    assert any("Pod shop/web-7d9f-abcde" in problem.message for problem in snapshot.problems)
    assert "Pod shop/web-7d9f-abcde deleted" in changed(seen[-1])
    kube_api.change("pods", "MODIFIED", data.pods()[0])  # fixed again
    seen = collector.wait_for(lambda seen: not seen[-1].snapshot.rejected)
    assert "web-7d9f-abcde" in {pod.name for pod in seen[-1].snapshot.pods}


@pytest.mark.parametrize("how", ["event", "status"])
def test_410_gone_triggers_exactly_one_relist(follow, kube_api: KubeAPI, how: str) -> None:
    if how == "event":
        kube_api.watch_scripts["networkpolicies"] = [[WatchStep("gone")]]
    else:
        kube_api.fault("/networkpolicies", status=410, times=1, when=lambda q: "watch" in q)
    collector = follow()
    collector.wait_for(lambda seen: True)
    when(watching(kube_api, "networkpolicies", 2),
         lambda: kube_api.change("networkpolicies", "ADDED", typo_policy()))
    collector.wait_for(lambda seen: any("allow-typo" in {p.name for p in u.snapshot.policies} for u in seen))
    time.sleep(0.3)
    assert collector.follower.relists == {"networkpolicies": 1}
    assert len(list_requests(kube_api, "networkpolicies")) == 2, "the first list and one relist"
    assert len(list_requests(kube_api, "pods")) == 1


def test_a_dropped_watch_reconnects_from_the_last_version(follow, kube_api: KubeAPI) -> None:
    moved = data.node(2)
    moved["metadata"]["resourceVersion"] = "1001"
    kube_api.watch_scripts["nodes"] = [[WatchStep("event", type="MODIFIED", object=moved), WatchStep("drop")]]
    collector = follow(initial_backoff=0.6)  # longer than a batch: the reconnecting state gets its own update
    seen = collector.wait_for(lambda seen: any(u.state_of("nodes").state is FollowState.RECONNECTING for u in seen))
    reconnecting = next(u for u in seen if u.state_of("nodes").state is FollowState.RECONNECTING).state_of("nodes")
    assert "retrying in" in reconnecting.note
    collector.wait_for(lambda seen: seen[-1].state_of("nodes").state is FollowState.FOLLOWING
                       and len(watch_requests(kube_api, "nodes")) >= 2)
    assert watch_requests(kube_api, "nodes")[1].query["resourceVersion"] == ["1001"]
    assert collector.follower.relists["nodes"] == 0, "a drop resumes; it does not list again"
    kube_api.change("nodes", "DELETED", data.node(0))
    seen = collector.wait_for(lambda seen: len(seen[-1].snapshot.nodes) == 2)
    assert any("Node gke-shop-default-pool-2 modified" in changed(u) for u in seen)


def test_watch_forbidden_list_allowed_falls_back_to_polling(follow, kube_api: KubeAPI) -> None:
    kube_api.fault("/pods", status=403, times=None, when=lambda q: "watch" in q,
                   message='pods is forbidden: User "alice" cannot watch resource "pods"')
    collector = follow(poll_seconds=0.3)
    seen = collector.wait_for(lambda seen: seen[-1].state_of("pods").state is FollowState.POLLING)
    status = seen[-1].state_of("pods")
    assert "watch forbidden, list allowed" in status.note and "watch on pods" in status.note
    assert seen[-1].state_of("services").state is FollowState.FOLLOWING
    new_pod = data.pod("web-7d9f-fghij", "shop", {"app": "web"}, ip="10.64.0.12")
    kube_api.change("pods", "ADDED", new_pod)
    seen = collector.wait_for(lambda seen: "web-7d9f-fghij" in {p.name for p in seen[-1].snapshot.pods})
    assert any("Pod shop/web-7d9f-fghij added" in changed(u) for u in seen)
    assert seen[-1].snapshot.has(data_kind("Pod")), "polling keeps the kind read"


def test_list_forbidden_later_makes_the_kind_unknown(follow, kube_api: KubeAPI) -> None:
    kube_api.fault("/services", status=403, times=None, when=lambda q: "watch" in q)
    collector = follow(poll_seconds=0.2)
    collector.wait_for(lambda seen: seen[-1].state_of("services").state is FollowState.POLLING)
    kube_api.fault("/services", status=403, times=None, message="services is forbidden")
    seen = collector.wait_for(lambda seen: seen[-1].state_of("services").state is FollowState.NOT_READ)
    snapshot = seen[-1].snapshot
    assert not snapshot.has(data_kind("Service")) and "forbidden" in snapshot.unknown_reason(data_kind("Service"))


def test_gke_operations_are_polled(follow, gke_api: GkeAPI) -> None:
    collector = follow(gke_poll_seconds=0.2, gke_busy_seconds=0.2)
    first = collector.wait_for(lambda seen: True)[0]
    assert str(first.state_of("GKE cluster").state) == "polling"
    operations = copy.deepcopy(gke_api.operations[(data.PROJECT, data.LOCATION)])
    operations[0]["status"] = "DONE"
    gke_api.operations[(data.PROJECT, data.LOCATION)] = operations
    seen = collector.wait_for(lambda seen: any("GKE operation operation-1 modified" in changed(u) for u in seen))
    assert not any(op.is_running for op in seen[-1].snapshot.operations if op.name == "operation-1")


def test_stop_from_another_thread_ends_at_once(follow, kube_api: KubeAPI) -> None:
    collector = follow()
    collector.wait_for(lambda seen: True)
    started = time.monotonic()
    collector.stop()
    assert time.monotonic() - started < 2.0


def data_kind(name: str):
    from netpol_tui.model.snapshot import Kind

    return Kind(name)


# --------------------------------------------------------------------------- the CLI


def _check(kubeconfig_path: str, gke_api: GkeAPI, *argv: str) -> int:
    return main(["check", "--kubeconfig", kubeconfig_path, "--gke-endpoint", gke_api.url, "--timeout", "2", *argv])


def test_until_clean_exits_0_when_the_fixed_policy_is_applied(kubeconfig_path: str, kube_api: KubeAPI,
                                                              gke_api: GkeAPI,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    kube_api.add("networkpolicies", typo_policy())
    when(watching(kube_api, "networkpolicies"),
         lambda: kube_api.change("networkpolicies", "MODIFIED", typo_policy("web")))
    started = time.monotonic()
    code = _check(kubeconfig_path, gke_api, "--until-clean", "--select", "NP001", "--wait", "30s")
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert time.monotonic() - started < 10
    assert [line.split()[1:3] for line in out] == [["open", "NP001"], ["resolved", "NP001"],
                                                   ["clean", "the"]]
    assert "allow-typo" in out[0] and "selects no live pod" in out[0]


def test_until_clean_exits_0_after_the_nodes_become_enforcing(kubeconfig_path: str, kube_api: KubeAPI,
                                                              gke_api: GkeAPI,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    when(watching(kube_api, "nodes"), lambda: kube_api.change("nodes", "MODIFIED", data.node(2)))
    code = _check(kubeconfig_path, gke_api, "--until-clean", "--select", "GKE003", "--wait", "30s")
    out = capsys.readouterr().out
    assert code == 0
    assert "open     GKE003" in out and "resolved GKE003" in out and "1 of 3 nodes" in out


def test_until_clean_exits_1_when_the_wait_runs_out(kubeconfig_path: str, kube_api: KubeAPI, gke_api: GkeAPI,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    kube_api.add("networkpolicies", typo_policy())
    started = time.monotonic()
    code = _check(kubeconfig_path, gke_api, "--until-clean", "--select", "NP001", "--wait", "1s")
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert 1.0 <= time.monotonic() - started < 6
    assert out[1].split()[1] == "timeout" and "still open (the wait of 1s ran out): 1 finding" in out[1]
    assert out[-1].split()[1:3] == ["open", "NP001"] and "allow-typo" in out[-1]


def test_until_clean_exits_3_when_only_unknown_is_left(kubeconfig_path: str, kube_api: KubeAPI, gke_api: GkeAPI,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    kube_api.fault("/networkpolicies", status=403, times=None)
    started = time.monotonic()
    code = _check(kubeconfig_path, gke_api, "--until-clean", "--select", "NP001", "--wait", "30s",
                  "--format", "json")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 3 and time.monotonic() - started < 10, "unknown does not wait for --wait"
    assert [line["event"] for line in lines] == ["unknown", "unknown"]
    assert lines[0]["check"] == "NP001" and "NetworkPolicy" in lines[0]["reason"]
    assert lines[1]["open"] == [] and lines[1]["unknown"][0]["id"] == "NP001"


def test_watch_prints_one_line_per_change(kubeconfig_path: str, kube_api: KubeAPI, gke_api: GkeAPI,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    kube_api.add("networkpolicies", typo_policy())

    def act() -> None:
        kube_api.change("networkpolicies", "MODIFIED", typo_policy("web"))  # resolves the finding
        time.sleep(0.6)
        kube_api.change("networkpolicies", "ADDED", typo_policy("nope", "second"))  # a new one
        time.sleep(0.6)
        kube_api.change("pods", "MODIFIED", data.pods()[1])  # no finding changes: no line

    when(watching(kube_api, "networkpolicies"), act)
    code = _check(kubeconfig_path, gke_api, "--watch", "--select", "NP001", "--wait", "3s", "--format", "json")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0, "NP001 is a warning: below the default --fail-on"
    assert [(line["event"], line["finding"]["subject"]["name"]) for line in lines] == [
        ("open", "allow-typo"), ("resolved", "allow-typo"), ("new", "second")]
    assert all(line["time"].endswith("Z") for line in lines)


def test_watch_and_until_clean_refuse_other_formats(kubeconfig_path: str, kube_api: KubeAPI, gke_api: GkeAPI,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert _check(kubeconfig_path, gke_api, "--watch", "--format", "sarif") == 2
    assert "text or JSON lines" in capsys.readouterr().err
    assert _check(kubeconfig_path, gke_api, "--wait", "5s") == 2
    assert "--wait needs --watch or --until-clean" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        _check(kubeconfig_path, gke_api, "--until-clean", "--wait", "soon")
    assert exc.value.code == 2 and "not a duration" in capsys.readouterr().err


# --------------------------------------------------------------------------- files


def _write_json(path: Path, document: dict, bump: int) -> None:
    path.write_text(json.dumps(document))
    stamp = time.time() + bump
    os.utime(path, (stamp, stamp))  # a distinct mtime even on coarse file systems


def _dump(tmp_path: Path, app: str, bump: int = 0) -> Path:
    directory = tmp_path / "dump"
    directory.mkdir(exist_ok=True)
    _write_json(directory / "pods.json", {"kind": "PodList", "apiVersion": "v1", "items": data.pods()}, 0)
    _write_json(directory / "policies.json", {"kind": "NetworkPolicyList", "apiVersion": "networking.k8s.io/v1",
                                              "items": [typo_policy(app)]}, bump)
    return directory


def test_files_reload_when_a_file_changes(tmp_path: Path) -> None:
    directory = _dump(tmp_path, "wbe")
    follower = Follower(SourceOptions(files=(str(directory),)), file_poll_seconds=0.05)
    collector = Collector(follower)
    try:
        first = collector.wait_for(lambda seen: True)[0]
        assert str(first.state_of("files").state) == "following"
        files_read = follower.file_cache.read_count
        assert files_read > 1
        policies = directory / "policies.json"
        _write_json(policies, {"kind": "NetworkPolicyList", "apiVersion": "networking.k8s.io/v1",
                               "items": [typo_policy("web")]}, 5)
        seen = collector.wait_for(lambda seen: len(seen) >= 2)
        assert changed(seen[1]) == ["NetworkPolicy shop/allow-typo modified"]
        assert seen[1].snapshot.pods[0] is first.snapshot.pods[0], "objects of unchanged files are shared"
        assert seen[1].snapshot.policies[0].pod_selector != first.snapshot.policies[0].pod_selector
        assert follower.file_cache.read_count == files_read + 1, "only the changed file is decoded again"
    finally:
        collector.stop()


def test_until_clean_on_files_follows_the_rewrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = _dump(tmp_path, "wbe")
    started = threading.Event()

    def rewrite() -> None:
        _dump(tmp_path, "web", bump=5)

    original = Follower.__init__

    def fast(self: Follower, *args: object, **kwargs: object) -> None:
        original(self, *args, **{**kwargs, "file_poll_seconds": 0.05})
        started.set()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Follower, "__init__", fast)
        when(lambda: started.is_set() and time.sleep(0.3) is None, rewrite)
        code = main(["check", "--files", str(directory), "--until-clean", "--select", "NP001", "--wait", "20s"])
    out = capsys.readouterr().out
    assert code == 0 and "open     NP001" in out and "resolved NP001" in out and "clean" in out


def test_gke_polls_reuse_one_client(follow, gke_api: GkeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first read and every poll share one google-cloud-container client, closed at stop."""
    from netpol_tui.sources import gke

    made: list[object] = []
    closed: list[object] = []
    real = gke.make_client

    def counting(endpoint):
        client = real(endpoint)
        made.append(client)
        close = client.transport.close
        client.transport.close = lambda: (closed.append(client), close())[1]
        return client

    monkeypatch.setattr(gke, "make_client", counting)
    collector = follow(gke_poll_seconds=0.1, gke_busy_seconds=0.1)
    collector.wait_for(lambda seen: True)

    def cluster_reads() -> int:
        with gke_api.lock:
            return sum(1 for r in gke_api.requests if "/clusters/" in r.path)

    deadline = time.monotonic() + 8
    while cluster_reads() < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert cluster_reads() >= 3  # the first read and two polls
    assert len(made) == 1 and closed == []
    collector.stop()
    deadline = time.monotonic() + 5
    while not closed and time.monotonic() < deadline:
        time.sleep(0.02)
    assert closed == made
