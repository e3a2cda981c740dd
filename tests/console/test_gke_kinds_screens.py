"""The console on a cluster using FQDNNetworkPolicy, CiliumNetworkPolicy and
CiliumClusterwideNetworkPolicy (tests/fixtures/gke_kinds, Dataplane V2): the Policies screen's
KIND column and filter, a describe view per kind (hostile names shown literally), the pod
view's section of other kinds, the Explain dialog naming a CCNP deny and an FQDN allow with a
Go to that reaches the object, and the copy / YAML targets of the new rows.

Not the bundled demo (it changes elsewhere): the fixture files are copied to a temporary
folder, with a hostile-named policy of each kind added for the escaping tests.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from netpol_tui.dialogs.explain import ExplainDialog
from netpol_tui.policy import PolicyEngine
from netpol_tui.policy.questions import deciding_rules, rule_title
from netpol_tui.refs import ObjectRef, evidence_ref, find_object, rule_object_ref
from netpol_tui.screens.kind_views import CLUSTER_CELL, kind_policy_details
from netpol_tui.screens.policy_views import object_rows, pod_details
from netpol_tui.text import clean
from netpol_tui.widgets.kind_describe import describe_cilium, describe_fqdn
from tests.console import cluster_fixture
from tests.console.helpers import make_app, screen_text, settle, sync

FIXTURE = Path(__file__).parent.parent / "fixtures" / "gke_kinds"
HOSTILE = "evil[bold]x[/]\x1b[2J\u202e"
SHOWN = clean(HOSTILE)


def _hostile_objects() -> dict:
    """One policy of each kind with markup and control sequences in names, selectors and rules."""
    meta = {"name": HOSTILE, "namespace": "shop"}
    return {"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "networking.gke.io/v1alpha1", "kind": "FQDNNetworkPolicy", "metadata": meta,
         "spec": {"podSelector": {"matchLabels": {"app": "[red]db[/]"}},
                  "egress": [{"matches": [{"name": "api.[b]x[/b].example"}, {"pattern": "*.[link=http://e]y"}],
                              "ports": [{"protocol": "TCP", "port": 443}]}]}},
        {"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy", "metadata": meta,
         "spec": {"endpointSelector": {"matchLabels": {"app": "[red]db[/]"}},
                  "ingress": [{"fromEntities": ["cluster"], "toPorts": [{"ports": [{"port": "5432"}],
                                                                        "rules": {"http": [{"method": "GET"}]}}]}],
                  "egress": [{"toFQDNs": [{"matchName": "x.example"}]}]}},
        {"apiVersion": "cilium.io/v2", "kind": "CiliumClusterwideNetworkPolicy", "metadata": {"name": HOSTILE},
         "spec": {"endpointSelector": {"matchLabels": {"app": "[red]none[/]"}},
                  "ingressDeny": [{"fromCIDRSet": [{"cidr": "203.0.113.0/24", "except": ["203.0.113.8/29"]}]}]}},
    ]}


@pytest.fixture(scope="module")
def kinds_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("gke_kinds")
    for item in FIXTURE.iterdir():
        shutil.copy(item, directory / item.name)
    return directory


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("gke_kinds_hostile")
    for item in FIXTURE.iterdir():
        shutil.copy(item, directory / item.name)
    (directory / "hostile.json").write_text(json.dumps(_hostile_objects()), encoding="utf-8")
    return directory


def _plain(renderable) -> str:
    console = Console(width=160, record=True, color_system=None, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(renderable)
    return console.export_text()


def _policy(snapshot, kind: str, name: str):
    return find_object(snapshot, ObjectRef(kind, None if kind == "CiliumClusterwideNetworkPolicy" else
                                           ("batch" if kind == "CiliumNetworkPolicy" else "shop"), name))


# ---------------------------------------------------------------------------- rows, engine, refs


def test_rows_list_every_kind_with_its_kind_and_namespace(kinds_dir: Path) -> None:
    snapshot = cluster_fixture.load(kinds_dir)
    rows = [row for row in object_rows(snapshot) if row is not None]
    by_kind = {(row.cells[0], row.cells[1], row.cells[2]) for row in rows}
    assert ("fqdn", "shop", "allow-payments-api") in by_kind
    assert ("cnp", "batch", "world-https") in by_kind
    assert ("ccnp", CLUSTER_CELL, "lockdown") in by_kind
    assert ("pol", "shop", "web-dns") in by_kind
    # the namespaced kinds sit in their namespace's block, the cluster-wide one after every namespace
    codes = [(row.cells[0], row.cells[1]) for row in rows]
    assert codes.index(("cnp", "batch")) < codes.index(("ns", "kube-system"))
    assert codes[-1] == ("ccnp", CLUSTER_CELL)
    fqdn = next(row for row in rows if row.cells[0] == "fqdn")
    assert "api.payments.example" in fqdn.cells[3] and fqdn.search.startswith("fqdn shop allow-payments-api")
    shop = next(row for row in rows if row.cells[:2] == ("ns", "shop"))
    assert shop.cells[3] == "2 pods, 2 policies"  # web-dns and the FQDN policy


def test_engine_answers_which_kinds_select_a_pod_and_which_pods_a_kind_selects(kinds_dir: Path) -> None:
    snapshot = cluster_fixture.load(kinds_dir)
    engine = PolicyEngine(snapshot)
    job = engine.pod("batch", "job-0")
    labels = sorted(selection.policy.label for selection in engine.kind_policies_selecting(job))
    assert labels == ["CCNP lockdown", "CNP batch/world-https"]
    lockdown = next(s for s in engine.kind_policies_selecting(job) if s.policy.name == "lockdown")
    assert lockdown.selected is True and lockdown.sections == ("egressDeny",)
    web = engine.pod("shop", "web-0")
    assert [s.policy.label for s in engine.kind_policies_selecting(web)] == ["FQDNNetworkPolicy shop/allow-payments-api"]
    assert engine.kind_policies_selecting(engine.pod("shop", "db-0")) == ()
    fqdn = _policy(snapshot, "FQDNNetworkPolicy", "allow-payments-api")
    assert [(pod.name, state) for pod, state in engine.pods_selected_by_kind(fqdn)] == [("web-0", True)]
    ccnp = _policy(snapshot, "CiliumClusterwideNetworkPolicy", "lockdown")
    assert [(pod.namespace, pod.name) for pod, _ in engine.pods_selected_by_kind(ccnp)] == [("batch", "job-0")]


def test_refs_find_the_new_kinds_and_name_the_rule_objects(kinds_dir: Path) -> None:
    snapshot = cluster_fixture.load(kinds_dir)
    ccnp = find_object(snapshot, ObjectRef("CiliumClusterwideNetworkPolicy", None, "lockdown"))
    assert ccnp is not None and ccnp.namespace is None
    assert find_object(snapshot, ObjectRef("CiliumNetworkPolicy", "shop", "world-https")) is None  # other namespace
    assert find_object(snapshot, ObjectRef("CiliumClusterwideNetworkPolicy", None, "world-https")) is None
    assert ObjectRef("CiliumClusterwideNetworkPolicy", None, "lockdown").label == "ccnp lockdown"
    assert ObjectRef("FQDNNetworkPolicy", "shop", "a").mode == "policies"

    class Subject:
        kind, namespace, name = "Pod", "batch", "job-0"

    class Finding:
        subject = Subject()

    class Evidence:
        path = "CiliumClusterwideNetworkPolicy lockdown spec.egressDeny[0]"

    assert evidence_ref(Finding(), Evidence()) == ObjectRef("CiliumClusterwideNetworkPolicy", None, "lockdown")


def test_explain_text_names_deciding_rules_with_their_kind(kinds_dir: Path) -> None:
    from netpol_tui.policy.questions import answer

    engine = PolicyEngine(cluster_fixture.load(kinds_dir))
    [denied] = answer(engine, "batch/job-0", "198.51.100.5", 443, "TCP")
    [(word, ref)] = deciding_rules(denied)
    assert (word, rule_title(ref)) == ("denied by", "CCNP lockdown egressDeny[0]")
    assert rule_object_ref(ref) == ObjectRef("CiliumClusterwideNetworkPolicy", None, "lockdown")
    [allowed] = answer(engine, "shop/web-0", "api.payments.example", 443, "TCP")
    assert [(w, rule_title(r)) for w, r in deciding_rules(allowed)] == [
        ("allowed by", "FQDNNetworkPolicy shop/allow-payments-api egress[0]")]
    # the CLI prints exactly these sentences (one function answers both)
    from netpol_tui.commands.explain import _answers

    [again] = _answers(engine, "shop/web-0", "api.payments.example", 443, "TCP", None)
    assert again.sentences() == allowed.sentences()


# ---------------------------------------------------------------------------- describe views


def test_describe_views_of_each_kind(kinds_dir: Path) -> None:
    snapshot = cluster_fixture.load(kinds_dir)
    engine = PolicyEngine(snapshot)
    fqdn = _plain(kind_policy_details(engine, _policy(snapshot, "FQDNNetworkPolicy", "allow-payments-api")))
    assert "FQDNNetworkPolicy (networking.gke.io/v1alpha1)" in fqdn and "PodSelector:     app=web" in fqdn
    assert "To name:    api.payments.example" in fqdn and "To pattern: *.cdn.example" in fqdn
    assert "To Port: 443/TCP" in fqdn and "To Port: 5432/TCP" in fqdn
    assert "Selects 1 live pod" in fqdn and "web-0" in fqdn
    cnp = _plain(kind_policy_details(engine, _policy(snapshot, "CiliumNetworkPolicy", "world-https")))
    assert "CiliumNetworkPolicy (cilium.io/v2)" in cnp and "EndpointSelector: app=job" in cnp
    assert "Allowing egress traffic (egress):" in cnp and "To entities:  world" in cnp and "443/TCP" in cnp
    ccnp = _plain(kind_policy_details(engine, _policy(snapshot, "CiliumClusterwideNetworkPolicy", "lockdown")))
    assert "Namespace:    (cluster-wide)" in ccnp and "Denying egress traffic (egressDeny):" in ccnp
    assert "To CIDR:      198.51.100.0/24 except 198.51.100.128/25" in ccnp
    assert "enableDefaultDeny.egress: false" in ccnp and "batch/job-0" in ccnp
    assert "not evaluated" not in fqdn + cnp + ccnp


def test_describe_views_escape_hostile_text_and_name_unevaluated_fields(hostile_dir: Path) -> None:
    snapshot = cluster_fixture.load(hostile_dir)
    assert len(snapshot.fqdn_policies) == 2 and len(snapshot.cilium_policies) == 4, snapshot.problems
    fqdn = next(p for p in snapshot.fqdn_policies if p.name == HOSTILE)
    text = describe_fqdn(fqdn)
    assert SHOWN in text.plain and "api.[b]x[/b].example" in text.plain and "*.[link=http://e]y" in text.plain
    cnp = next(p for p in snapshot.cilium_policies if p.name == HOSTILE and p.namespace)
    ccnp = next(p for p in snapshot.cilium_policies if p.name == HOSTILE and not p.namespace)
    cilium = describe_cilium(cnp).plain
    assert "not evaluated: spec.ingress[0].toPorts[0].rules" in cilium
    assert "not evaluated: spec.egress[0].toFQDNs" in cilium and "app=[red]db[/]" in cilium
    assert "From CIDR:      203.0.113.0/24 except 203.0.113.8/29" in describe_cilium(ccnp).plain
    for rendered in (text.plain, cilium, describe_cilium(ccnp).plain):
        assert "\x1b" not in rendered and "\u202e" not in rendered


@sync
async def test_policies_screen_shows_hostile_rows_and_details_literally(hostile_dir: Path) -> None:
    app = make_app(hostile_dir)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await pilot.press("3", "slash", *"ccnp evil", "enter")
        await settle(pilot)
        text = screen_text(app)
        assert "ccnp" in text and SHOWN in text and "\x1b" not in text
        assert "not evaluated" not in text  # the CCNP has only evaluated fields
        assert "From CIDR:      203.0.113.0/24 except 203.0.113.8/29" in text


# ---------------------------------------------------------------------------- the screen


@sync
async def test_filter_kind_rows_details_copy_and_yaml(kinds_dir: Path) -> None:
    app = make_app(kinds_dir)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("3", "slash", *"fqdn", "enter")
        await settle(pilot)
        screen = app.screen
        objects = screen.query_one("#objects")
        assert objects.row_count == 1 and objects.highlighted_row.cells[0] == "fqdn"
        text = screen_text(app)
        assert "To name:    api.payments.example" in text and "Selects 1 live pod" in text
        assert screen.copy_target() == (
            "kubectl -n shop describe fqdnnetworkpolicies.networking.gke.io allow-payments-api", "kubectl command")
        assert screen.yaml_target()[0] == "fqdn shop/allow-payments-api"
        assert screen.location()[0] == ObjectRef("FQDNNetworkPolicy", "shop", "allow-payments-api")
        await pilot.press("slash", *(["backspace"] * 4), *"ccnp", "enter")
        await settle(pilot)
        assert objects.highlighted_row.cells[:3] == ("ccnp", CLUSTER_CELL, "lockdown")
        assert screen.copy_target()[0] == "kubectl describe ciliumclusterwidenetworkpolicies.cilium.io lockdown"
        await pilot.press("y")
        await settle(pilot)
        yaml_text = screen_text(app)
        assert "CiliumClusterwideNetworkPolicy" in yaml_text and "198.51.100.0/24" in yaml_text


@sync
async def test_pod_view_lists_the_kinds_selecting_it_and_goes_to_one(kinds_dir: Path) -> None:
    app = make_app(kinds_dir)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("3", "slash", *"pod job-0", "enter")
        await settle(pilot)
        text = screen_text(app)
        assert "Other policy kinds selecting this pod (2)" in text
        assert "✓ CNP batch/world-https" in text and "✓ CCNP lockdown" in text and "egressDeny" in text
        assert "none: no NetworkPolicy selects this pod." in text and "all its traffic is allowed" not in text
        related = app.screen.query_one("#related")
        labels = [ref for ref in related.refs]
        assert ObjectRef("CiliumClusterwideNetworkPolicy", None, "lockdown") in labels
        related.focus()
        related.highlighted = labels.index(ObjectRef("CiliumClusterwideNetworkPolicy", None, "lockdown"))
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#objects").highlighted_row.cells[2] == "lockdown"
        assert "batch/job-0" in screen_text(app)


def test_pod_details_without_other_kinds_keep_their_wording(kinds_dir: Path) -> None:
    snapshot = cluster_fixture.load(kinds_dir)
    engine = PolicyEngine(snapshot)
    text = _plain(pod_details(engine, engine.pod("shop", "db-0")))
    assert "Other policy kinds" not in text and "so all its traffic is allowed" in text


# ---------------------------------------------------------------------------- explain


async def _explain(app, pilot, src: str, dst: str, port: str) -> ExplainDialog:
    app.screen.action_explain()
    await settle(pilot)
    dialog = app.screen
    assert isinstance(dialog, ExplainDialog)
    dialog.query_one("#explain-from").value = src
    dialog.query_one("#explain-to").value = dst
    dialog.query_one("#explain-port").value = port
    dialog.action_explain()
    await settle(pilot)
    return dialog


@sync
async def test_explain_names_a_ccnp_deny_and_goes_to_it(kinds_dir: Path) -> None:
    app = make_app(kinds_dir)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        dialog = await _explain(app, pilot, "batch/job-0", "198.51.100.5", "443")
        text = screen_text(app)
        assert "DENIED" in text and "denied by egressDeny[0] of CCNP lockdown" in text
        assert "denied by CCNP lockdown egressDeny[0]" in text  # the Go to entry
        assert "Denying egress traffic (egressDeny):" in text  # the CCNP described under its rule
        goto = dialog.query_one("#explain-goto")
        assert goto.refs == (ObjectRef("CiliumClusterwideNetworkPolicy", None, "lockdown"),)
        goto.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, ExplainDialog)
        row = app.screen.query_one("#objects").highlighted_row
        assert row.cells[:3] == ("ccnp", CLUSTER_CELL, "lockdown")
        assert "ccnp lockdown" in screen_text(app)  # the breadcrumb


@sync
async def test_explain_names_an_fqdn_allow_by_name(kinds_dir: Path) -> None:
    app = make_app(kinds_dir)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        dialog = await _explain(app, pilot, "shop/web-0", "api.payments.example:443", "")
        assert dialog.query_one("#explain-port").value == "443"
        text = screen_text(app)
        assert "ALLOWED" in text and "allowed by egress[0] of FQDNNetworkPolicy shop/allow-payments-api" in text
        assert "allowed by FQDNNetworkPolicy shop/allow-payments-api egress[0]" in text
        assert [ref for _, ref in dialog.result["deciding"]] == [
            ObjectRef("FQDNNetworkPolicy", "shop", "allow-payments-api")]
        # a name no rule allows: denied, and no deciding rule to go to
        await _explain(app, pilot, "shop/web-0", "other.example", "443")
        text = screen_text(app)
        assert "DENIED" in text and "Deciding rules" not in text


# ---------------------------------------------------------------------------- snapshot


def test_policies_screen_with_kinds_120x40(snap_compare, kinds_dir: Path) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("slash", *"ccnp", "enter")
        await pilot.pause(0.1)
        await settle(pilot)
        await pilot.press("slash", *(["backspace"] * 4), "enter")
        await pilot.pause(0.1)
        await settle(pilot)

    assert snap_compare(make_app(kinds_dir), terminal_size=(120, 40), run_before=run_before)


@sync
async def test_e_on_an_fqdn_row_asks_from_its_pod_to_its_name(kinds_dir: Path) -> None:
    app = make_app(kinds_dir)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await pilot.press("3", "slash", *"fqdn", "enter")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExplainDialog)
        values = [dialog.query_one(f"#explain-{name}").value for name in ("from", "to", "port")]
        assert values == ["shop/web-0", "api.payments.example", "443"]
        dialog.action_explain()
        await settle(pilot)
        assert "ALLOWED" in screen_text(app)


def test_policies_pod_with_kinds_80x24(snap_compare, kinds_dir: Path) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("slash", *"pod job", "enter")
        await pilot.pause(0.1)
        await settle(pilot)

    assert snap_compare(make_app(kinds_dir), terminal_size=(80, 24), run_before=run_before)


@sync
async def test_a_finding_about_an_fqdn_policy_goes_to_its_row(kinds_dir: Path) -> None:
    from netpol_tui.checks import run_checks
    from netpol_tui.messages import GoTo

    snapshot = cluster_fixture.load(kinds_dir)
    findings = [f for f in run_checks(snapshot).findings if f.subject.kind == "FQDNNetworkPolicy"]
    assert findings, "the fixture's FQDN rule naming a Service makes a finding about the policy"
    app = make_app(kinds_dir)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        app.post_message(GoTo(ObjectRef.of(findings[0].subject)))
        await settle(pilot)
        assert app.current_mode == "policies"
        row = app.screen.query_one("#objects").highlighted_row
        assert row.cells[:3] == ("fqdn", "shop", "allow-payments-api")


def test_a_policy_that_may_select_a_pod_says_maybe(tmp_path: Path) -> None:
    """A service-account selector: netpol-tui does not know the pod's service account, so the
    pod view and the policy's pods say *maybe*, never a plain yes or no."""
    for item in FIXTURE.iterdir():
        shutil.copy(item, tmp_path / item.name)
    (tmp_path / "maybe.json").write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy", "metadata": {"name": "by-sa", "namespace": "shop"},
         "spec": {"endpointSelector": {"matchLabels": {"io.cilium.k8s.policy.serviceaccount": "web"}},
                  "ingress": [{"fromEntities": ["cluster"]}]}}]}), encoding="utf-8")
    snapshot = cluster_fixture.load(tmp_path)
    engine = PolicyEngine(snapshot)
    pod = engine.pod("shop", "web-0")
    text = _plain(pod_details(engine, pod))
    assert "? CNP shop/by-sa" in text and "may select it" in text
    policy = find_object(snapshot, ObjectRef("CiliumNetworkPolicy", "shop", "by-sa"))
    details = _plain(kind_policy_details(engine, policy))
    assert "(2 maybe)" in details and "maybe (a label netpol-tui does not know)" in details
