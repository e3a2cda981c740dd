"""Copied explain commands parse back to the question asked even when a value starts with `-`
(a files source is not validated by an API server, so a namespace can be `-n` or `--help`)."""

from __future__ import annotations

import shlex

import pytest

from netpol_tui.cli import build_parser
from netpol_tui.dialogs.explain_answer import ExplainRequest
from netpol_tui.flows.shell import explain_command
from netpol_tui.policy import PolicyEngine
from netpol_tui.shell import option_words
from netpol_tui.whatif.classes import FlowPort, pod_classes
from netpol_tui.whatif.matrix import explain_words
from tests.policy.builders import pod, snapshot

DASHED = ["-n", "--help", "-1", "--from", "-x/web-0"]


def _parsed(command: str):
    argv = shlex.split(command)
    assert argv[0] == "netpol-tui"
    return build_parser().parse_args(argv[1:])


@pytest.mark.parametrize("value", ["shop/web", *DASHED])
def test_option_words_keep_the_value_one_argument(value: str):
    words = option_words("--from", value)
    assert len(words) == (1 if value.startswith("-") else 2)
    args = build_parser().parse_args(["explain", *words, "--to", "a/b", "--port", "80"])
    assert args.src == value


@pytest.mark.parametrize("value", DASHED)
def test_flows_explain_command_parses_back(value: str):
    args = _parsed(explain_command([], value, value, 5432, "TCP"))
    assert (args.src, args.dst, args.port) == (value, value, "5432")


@pytest.mark.parametrize("value", DASHED)
def test_console_explain_command_parses_back(value: str):
    args = _parsed(ExplainRequest(value, value, "-8080").command)
    assert (args.src, args.dst, args.port) == (value, value, "-8080")


def test_matrix_explain_words_parse_back():
    snap = snapshot(pods=[pod("-web-0", namespace="-n", labels={"app": "web"}),
                          pod("db-0", namespace="--help", labels={"app": "db"})])
    web, db = sorted(pod_classes(PolicyEngine(snap)), key=lambda c: c.pod.name)
    args = _parsed(shlex.join(["netpol-tui", "explain", *explain_words(web, db, FlowPort(5432, "TCP"))]))
    assert (args.src, args.dst) == ("-n/-web-0", "--help/db-0")
