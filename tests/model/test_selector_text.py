"""One selector text, kubectl's: sorted by key, values sorted, `<none>` when empty; the Policies
screen's describe view, the engine's explanations and the findings all print it."""

from __future__ import annotations

from netpol_tui.model.policy import LabelSelector, LabelSelectorRequirement, SelectorOperator
from netpol_tui.model.selector_text import selector_text
from netpol_tui.policy import selector_text as policy_selector_text
from netpol_tui.widgets.describe import selector as describe_selector

MIXED = LabelSelector({"tier": "db", "app": "store"}, (
    LabelSelectorRequirement("zone", SelectorOperator.NOT_IN, ("west", "east")),
    LabelSelectorRequirement("env", SelectorOperator.IN, ("prod", "dev")),
    LabelSelectorRequirement("canary", SelectorOperator.DOES_NOT_EXIST),
    LabelSelectorRequirement("backup", SelectorOperator.EXISTS),
))


def test_kubectl_form_sorted_by_key_with_sorted_values():
    assert selector_text(MIXED) == "app=store,backup,!canary,env in (dev,prod),tier=db,zone notin (east,west)"


def test_empty_and_absent_selectors_read_none():
    assert selector_text(LabelSelector()) == selector_text(None) == "<none>"


def test_every_layer_prints_the_same_text():
    for value in (MIXED, LabelSelector(), LabelSelector({"app": "web"})):
        assert describe_selector(value) == policy_selector_text(value) == selector_text(value)


def test_describe_cleans_hostile_text():
    hostile = LabelSelector({"app": "web\x1b[31m\n"})
    assert "\x1b" not in describe_selector(hostile) and "\n" not in describe_selector(hostile)
