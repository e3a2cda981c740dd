"""One list of dataplane models: every --dataplane option and the Explain form offer the models
the engine accepts (policy/dataplane.py), no more and no fewer."""

from __future__ import annotations

from netpol_tui.cli import build_parser
from netpol_tui.dialogs.explain import DATAPLANES as FORM_CHOICES
from netpol_tui.options import parser_actions
from netpol_tui.policy.dataplane import DATAPLANE_CHOICES


def test_every_dataplane_option_offers_the_engine_models():
    options = [action for _, action in parser_actions(build_parser())
               if action.choices is not None and action.dest in ("dataplane", "model", "vs")]
    assert len(options) >= 4  # explain, matrix, flows, diff --model/--vs
    for action in options:
        assert tuple(action.choices) == DATAPLANE_CHOICES, action.option_strings


def test_the_explain_form_offers_the_same_models():
    assert sorted(value for _, value in FORM_CHOICES) == sorted(DATAPLANE_CHOICES)
