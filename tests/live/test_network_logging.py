"""The live source reads the NetworkLogging CRD: served, absent (404), forbidden (403)."""

from __future__ import annotations

import dataclasses

import pytest

from netpol_tui.checks import run_checks
from netpol_tui.checks.policy_logging import CAN_I
from netpol_tui.model.snapshot import Kind
from netpol_tui.sources import SourceError, SourceOptions
from netpol_tui.sources.live import load_live
from tests.live.standin import KubeAPI

PATH = "/apis/networking.gke.io/v1alpha1/networkloggings"
DEFAULT = {"apiVersion": "networking.gke.io/v1alpha1", "kind": "NetworkLogging",
           "metadata": {"name": "default", "resourceVersion": "7"},
           "spec": {"cluster": {"allow": {"log": False, "delegate": False}, "deny": {"log": True, "delegate": True}}}}


def test_the_object_is_read_with_a_get_at_cluster_scope(options: SourceOptions, kube_api: KubeAPI) -> None:
    kube_api.add("networkloggings", DEFAULT)
    snapshot = load_live(options)
    config = snapshot.logging_config
    assert config is not None and config.deny.log and config.deny.delegate and not config.allow.log
    assert snapshot.problems == () and snapshot.unknown == ()
    assert kube_api.paths(PATH) and all(path == PATH for path in kube_api.paths("networkloggings"))


def test_crd_absent_404_is_read_and_empty_without_a_problem(options: SourceOptions, kube_api: KubeAPI) -> None:
    kube_api.fault(PATH, status=404, times=None)
    snapshot = load_live(options)
    assert snapshot.has(Kind.NETWORK_LOGGING) and snapshot.network_logging == ()
    assert snapshot.problems == () and snapshot.unknown == ()


def test_403_is_not_read_and_the_check_names_the_permission(options: SourceOptions, kube_api: KubeAPI) -> None:
    kube_api.fault(PATH, status=403, times=None)
    snapshot = load_live(options)
    reason = snapshot.unknown_reason(Kind.NETWORK_LOGGING)
    assert reason == ("forbidden: list networkloggings.networking.gke.io at cluster scope; "
                      "grant get/list/watch on networkloggings.networking.gke.io")
    assert not snapshot.has(Kind.NETWORK_LOGGING) and len(snapshot.pods) == 5 and snapshot.has(Kind.POD)
    # The stand-in's cluster uses the legacy datapath; as Dataplane V2 the check cannot decide.
    dpv2 = dataclasses.replace(snapshot, cluster=dataclasses.replace(snapshot.cluster,
                                                                      datapath_provider="ADVANCED_DATAPATH"))
    (unknown,) = run_checks(dpv2, select="GKE017").unknown
    assert CAN_I in unknown.reason and "forbidden" in unknown.reason


def test_an_optional_list_alone_never_counts_as_the_cluster_read(options: SourceOptions, kube_api: KubeAPI) -> None:
    """Everything forbidden but the CRD absent: still 'nothing could be read', not an empty cluster."""
    kube_api.fault(PATH, status=404, times=None)
    kube_api.fault("/", status=403, times=None)
    with pytest.raises(SourceError) as caught:
        load_live(options)
    assert "forbidden" in caught.value.message
