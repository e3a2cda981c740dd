"""Unknown endpoints get the names the user most likely meant."""

from __future__ import annotations

import pytest

from netpol_tui.policy import EndpointError, PolicyEngine
from netpol_tui.sources.demo import load_demo


@pytest.fixture(scope="module")
def engine() -> PolicyEngine:
    return PolicyEngine(load_demo("calico"))


def test_a_workload_name_suggests_its_service_and_pods(engine: PolicyEngine) -> None:
    with pytest.raises(EndpointError) as caught:
        engine.resolve("shop/web")
    suggestions = caught.value.suggestions
    assert suggestions[0] == "shop/svc/web"
    pods = [item for item in suggestions[1:] if item.startswith("shop/web-")]
    assert pods and all(engine.resolve(item)[0].pod.labels.get("app") == "web" for item in pods)


def test_a_typo_still_gets_close_matches(engine: PolicyEngine) -> None:
    name = next(pod.name for pod in engine.snapshot.pods if pod.namespace == "shop" and pod.name.startswith("store-"))
    with pytest.raises(EndpointError) as caught:
        engine.resolve(f"shop/{name[:-1]}x")
    assert f"shop/{name}" in caught.value.suggestions
