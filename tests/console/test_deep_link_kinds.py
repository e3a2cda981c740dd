"""`--policy` opens a policy of any kind (issue 17): FQDNNetworkPolicy and CiliumNetworkPolicy as
NS/NAME, CiliumClusterwideNetworkPolicy as ccnp/NAME (or NAME), a kind first (`fqdn/NS/NAME`)
when names clash; a name several policies share opens Policies with a notice listing each
with the value that names it alone. Through `main()` on a copy of tests/fixtures/gke_kinds with
two clashing names added: NetworkPolicy shop/allow-payments-api beside the FQDN policy of that
name, CiliumNetworkPolicy batch/lockdown beside the CCNP lockdown."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest

from netpol_tui.deeplink import StartError, start_from_args
from netpol_tui.refs import ANY_POLICY
from tests.console.helpers import settle, sync
from tests.console.test_deep_links import SIZE, console_for, notices, selected

FIXTURE = Path(__file__).parent.parent / "fixtures" / "gke_kinds"


@pytest.fixture
def clash_dir(tmp_path: Path) -> Path:
    for item in FIXTURE.iterdir():
        shutil.copy(item, tmp_path / item.name)
    (tmp_path / "clash.json").write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
         "metadata": {"name": "allow-payments-api", "namespace": "shop"},
         "spec": {"podSelector": {"matchLabels": {"app": "db"}}, "policyTypes": ["Ingress"]}},
        {"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
         "metadata": {"name": "lockdown", "namespace": "batch"},
         "spec": {"endpointSelector": {"matchLabels": {"app": "job"}}, "ingress": [{"fromEntities": ["cluster"]}]}},
    ]}))
    return tmp_path


async def _open(monkeypatch: pytest.MonkeyPatch, directory: Path, *argv: str):
    return console_for(monkeypatch, "--files", str(directory), *argv)


CASES = [
    (("--policy", "batch/world-https"), ("cnp", "batch", "world-https")),
    (("--policy", "cnp/batch/world-https"), ("cnp", "batch", "world-https")),
    (("--policy", "fqdn/shop/allow-payments-api"), ("fqdn", "shop", "allow-payments-api")),
    (("--policy", "netpol/shop/allow-payments-api"), ("pol", "shop", "allow-payments-api")),
    (("--policy", "ccnp/lockdown"), ("ccnp", None, "lockdown")),
    (("--policy", "shop/web-dns"), ("pol", "shop", "web-dns")),
    (("-n", "batch", "--policy", "world-https"), ("cnp", "batch", "world-https")),
    (("--policy", "world-https"), ("cnp", "batch", "world-https")),  # NAME alone: unique in the snapshot
]


@pytest.mark.parametrize(("argv", "row"), CASES, ids=[" ".join(argv) for argv, _ in CASES])
@sync
async def test_policy_of_each_kind_opens_selected(monkeypatch: pytest.MonkeyPatch, clash_dir: Path,
                                                  argv: tuple[str, ...], row: tuple) -> None:
    app = await _open(monkeypatch, clash_dir, *argv)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_mode == "policies"
        assert selected(app) == row
        assert not notices(app)


AMBIGUOUS = [
    (("--policy", "shop/allow-payments-api"),
     "policy shop/allow-payments-api is ambiguous: 2 policies have that name (NetworkPolicy "
     "shop/allow-payments-api, FQDNNetworkPolicy shop/allow-payments-api); choose one with --policy "
     "netpol/shop/allow-payments-api or fqdn/shop/allow-payments-api."),
    (("--policy", "lockdown"),
     "policy lockdown is ambiguous: 2 policies have that name (CiliumClusterwideNetworkPolicy lockdown, "
     "CiliumNetworkPolicy batch/lockdown); choose one with --policy ccnp/lockdown or cnp/batch/lockdown."),
]


@pytest.mark.parametrize(("argv", "message"), AMBIGUOUS, ids=[" ".join(argv) for argv, _ in AMBIGUOUS])
@sync
async def test_a_shared_name_lists_the_candidates(monkeypatch: pytest.MonkeyPatch, clash_dir: Path,
                                                  argv: tuple[str, ...], message: str) -> None:
    app = await _open(monkeypatch, clash_dir, *argv)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_mode == "policies"
        assert notices(app) == [message]
        assert [notice.severity for notice in app.shown_notices] == ["warning"]


@sync
async def test_a_kind_policy_not_in_the_snapshot_says_so(monkeypatch: pytest.MonkeyPatch, clash_dir: Path) -> None:
    app = await _open(monkeypatch, clash_dir, "--policy", "ccnp/lockdwn")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert notices(app) == ["ccnp lockdwn is not in the snapshot."]
    app = await _open(monkeypatch, clash_dir, "--policy", "lockdwn")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert notices(app) == ["policy lockdwn is not in the snapshot (no policy of any kind has that name). "
                                "Did you mean lockdown?"]


def _args(value: str, namespace: str | None = None) -> argparse.Namespace:
    return argparse.Namespace(start_pod=None, start_policy=value, start_screen=None, start_explain=None,
                              namespace=namespace, command=None)


@pytest.mark.parametrize(("value", "namespace", "select"), [
    ("shop/x", None, (ANY_POLICY, "shop", "x")),
    ("x", None, (ANY_POLICY, None, "x")),
    ("x", "shop", (ANY_POLICY, "shop", "x")),
    ("ccnp/x", None, ("CiliumClusterwideNetworkPolicy", None, "x")),
    ("CCNP/x", "shop", ("CiliumClusterwideNetworkPolicy", None, "x")),
    ("fqdn/shop/x", None, ("FQDNNetworkPolicy", "shop", "x")),
    ("cnp/shop/x", None, ("CiliumNetworkPolicy", "shop", "x")),
    ("netpol/ccnp/x", None, ("NetworkPolicy", "ccnp", "x")),
    ("fqdn/x", None, (ANY_POLICY, "fqdn", "x")),  # the kind words count only in their shapes
])
def test_policy_values(value: str, namespace: str | None, select: tuple) -> None:
    start = start_from_args(_args(value, namespace))
    assert start is not None and start.select == select and start.screen == "policies"


@pytest.mark.parametrize(("value", "message"), [
    ("ccnp/shop/x", "--policy 'ccnp/shop/x': a CiliumClusterwideNetworkPolicy has no namespace: write ccnp/NAME"),
    ("a/b/c", "--policy 'a/b/c': expected NAMESPACE/NAME, KIND/NAMESPACE/NAME (KIND: netpol, fqdn, cnp), "
              "ccnp/NAME or NAME"),
    ("fqdn/a/b/c", "--policy 'fqdn/a/b/c': expected NAMESPACE/NAME, KIND/NAMESPACE/NAME (KIND: netpol, fqdn, cnp), "
                   "ccnp/NAME or NAME"),
    ("ccnp/", "--policy 'ccnp/': expected NAMESPACE/NAME, KIND/NAMESPACE/NAME (KIND: netpol, fqdn, cnp), "
              "ccnp/NAME or NAME"),
])
def test_bad_policy_values(value: str, message: str) -> None:
    with pytest.raises(StartError) as caught:
        start_from_args(_args(value))
    assert str(caught.value) == message
