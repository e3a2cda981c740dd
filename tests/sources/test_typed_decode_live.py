"""The live source's typed decode of pod lists against the generic decode, on the loopback stand-in.

Each case serves the same pods (clean, or with one broken pod) and loads twice: as shipped and with
the typed decode switched off in the client. Pods, problem lines and unknown kinds must be
identical; the clean case also checks that the typed decode did take the pages.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from netpol_tui.model import typed_decode
from netpol_tui.sources import SourceOptions, kube_client
from netpol_tui.sources.live import load_live
from tests.live import data
from tests.live.harness import isolate, serving
from tests.live.standin import GkeAPI, KubeAPI, kubeconfig

TOKEN = "t0ken"


@pytest.fixture
def options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[SourceOptions, KubeAPI]]:
    isolate(monkeypatch, tmp_path)
    with serving(KubeAPI(data.cluster_objects(), token=TOKEN)) as kube, \
            serving(GkeAPI({(data.PROJECT, data.LOCATION, data.CLUSTER): data.gke_cluster()},
                           {(data.PROJECT, data.LOCATION): data.gke_operations()})) as gke:
        path = tmp_path / "kubeconfig"
        path.write_text(yaml.safe_dump(kubeconfig(kube.url, data.CONTEXT, token=TOKEN)))
        yield SourceOptions(kubeconfig=str(path), timeout=5.0, gke_endpoint=gke.url), kube


def both_ways(options: SourceOptions, monkeypatch: pytest.MonkeyPatch) -> tuple[tuple, int]:
    taken = []
    real = typed_decode.decode_list

    def counting(body: bytes, kind: str) -> Any:
        result = real(body, kind)
        taken.append(result is not None)
        return result

    with monkeypatch.context() as patch:
        patch.setattr(kube_client, "decode_list", counting)
        typed = load_live(options)
    with monkeypatch.context() as patch:
        patch.setattr(kube_client, "TYPED_KINDS", frozenset())
        generic = load_live(options)

    def outcome(snapshot: Any) -> tuple:
        return (snapshot.pods, tuple(str(problem) for problem in snapshot.problems),
                tuple(str(part) for part in snapshot.unknown), snapshot.loaded_kinds - {None})

    assert outcome(typed) == outcome(generic)
    return outcome(typed), sum(taken)


def test_clean_pod_pages_take_the_typed_decode(options: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, kube = options
    pods = kube.objects["pods"]
    for index in range(600):  # more than one page of 500
        pod = copy.deepcopy(pods[index % len(pods)])
        pod["metadata"]["name"] = f"extra-{index}"
        kube.add("pods", pod)
    result, taken = both_ways(settings, monkeypatch)
    assert taken >= 2 and len(result[0]) == len(kube.objects["pods"]) and not result[1]


BROKEN = [
    {"metadata": {"name": "p1", "namespace": "shop"}, "spec": "not a mapping"},
    {"metadata": {"name": "p2", "namespace": "shop"}, "spec": {"containers": [{"ports": [{"containerPort": 10**30}]}]}},
    {"metadata": {"name": "p3", "namespace": "shop"}, "spec": {"containers": [{"ports": [{"containerPort": 0}]}]}},
    {"metadata": {"name": "p4", "namespace": "shop"}, "status": {"podIP": "999.0.0.1"}},
    {"metadata": {"name": {"x": 1}, "namespace": "shop"}},
    {"metadata": {"name": "p5", "namespace": "shop", "labels": {"a": 1}}, "status": {"phase": 5}},
]


@pytest.mark.parametrize("broken", BROKEN, ids=[str(index) for index in range(len(BROKEN))])
def test_a_broken_pod_gives_the_same_outcome(options: tuple, monkeypatch: pytest.MonkeyPatch, broken: dict) -> None:
    settings, kube = options
    kube.add("pods", broken)
    result, _taken = both_ways(settings, monkeypatch)
    if broken["metadata"]["name"] == "p5":  # coerced, not refused: the same values both ways
        [odd] = [pod for pod in result[0] if pod.name == "p5"]
        assert odd.labels == {"a": "1"} and odd.phase == "5"
    else:
        assert result[1] or result[2]  # the broken pod is named (or, unservable, the list is unknown)
