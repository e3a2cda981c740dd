"""Cluster text is untrusted in every CLI format of `check` and `checks`: no terminal escape,
control character or bidi override survives, and Markdown renders no link, image or HTML from it.

The hostile snapshot is the KI002 fixture (an error finding with evidence from an event and a
pod annotation) with the namespace, the cluster name, the event message and the annotation
carrying OSC 52, CSI 2J, OSC 0, NUL, U+202E, U+009B and Markdown/HTML link and image syntax.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from netpol_tui.checks import CATALOG
from netpol_tui.checks import render as render_module
from netpol_tui.checks import render_sarif as render_sarif_module
from netpol_tui.cli import main
from netpol_tui.text import clean, markdown_inline

FIXTURES = Path(__file__).parent / "fixtures"
OSC52, CSI_2J, OSC_0 = "\x1b]52;c;cm0gLXJmIC8=\x07", "\x1b[2J", "\x1b]0;pwned\x07"
ESCAPES = OSC52 + CSI_2J + OSC_0 + "\x00\u202e\u009b"
LINKS = ("[click](https://evil.example/x) ![img](https://evil.example/i.png) <https://evil.example/a> "
         "<img src=x onerror=alert(1)> www.evil.example")
HOSTILE = ESCAPES + LINKS
#: Anything a terminal acts on or that reorders text: C0 but newline, DEL, C1, bidi controls.
FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("hostile")

    def poison(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace("shop", "shop" + HOSTILE)
        if isinstance(value, dict):
            return {key: poison(item) for key, item in value.items()}
        if isinstance(value, list):
            return [poison(item) for item in value]
        return value

    documents = [poison(doc) for doc in yaml.safe_load_all((FIXTURES / "KI002/fires/objects.yaml").read_text())]
    event = next(doc for doc in documents if doc["kind"] == "EventList")["items"][0]
    event["message"] = HOSTILE + " " + event["message"]
    (target / "objects.yaml").write_text(yaml.safe_dump_all(documents))
    cluster = json.loads((FIXTURES / "KI002/fires/cluster.json").read_text())
    cluster["name"] = "prod" + HOSTILE
    (target / "cluster.json").write_text(json.dumps(cluster))
    return target


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in (*_strings(key), *_strings(item))]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _assert_safe(out: str, what: str) -> None:
    assert not FORBIDDEN.search(out), f"{what}: {FORBIDDEN.search(out)!r} in output"
    assert "cm0gLXJmIC8=" not in out and "pwned" not in out, what


def _assert_markdown_renders_no_link(markdown: str, what: str) -> None:
    html = MarkdownIt("gfm-like").render(markdown)  # tables, strikethrough and GitHub-style autolinks
    assert "<a " not in html and "<img" not in html, f"{what}: {html}"
    assert "evil.example" in html, f"{what}: the hostile text is shown, not dropped"


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "sarif"])
def test_check_output_is_safe_in_every_format(capsys: pytest.CaptureFixture[str], hostile: Path, fmt: str) -> None:
    code, out, err = _run(capsys, "check", "--files", str(hostile), "--format", fmt)
    assert code == 1, err
    _assert_safe(out, fmt)
    _assert_safe(err, f"{fmt} stderr")
    # the override is shown, not applied or silently dropped: a reader sees the name was tampered with
    assert "\\u202e" in out and "\\u0000" in out and "\\u009b" in out, fmt
    if fmt in ("json", "sarif"):
        document = json.loads(out)
        for text in _strings(document):
            _assert_safe(text, f"{fmt} value {text[:40]!r}")
    if fmt == "markdown":
        _assert_markdown_renders_no_link(out, fmt)


def test_sarif_fingerprints_and_locations_are_clean(capsys: pytest.CaptureFixture[str], hostile: Path) -> None:
    _, out, _ = _run(capsys, "check", "--files", str(hostile), "--format", "sarif", "--select", "KI002")
    result = json.loads(out)["runs"][0]["results"][0]
    fingerprint = result["partialFingerprints"]["subject/v1"]
    assert fingerprint.startswith("KI002:StatefulSet/shop") and fingerprint.endswith("/db")
    assert "\\u202e" in fingerprint and "\n" not in fingerprint
    assert "\\u202e" in result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
    assert "\\u202e" in result["properties"]["subject"]["namespace"]
    assert any("\\u202e" in e["observed"] or "\\u202e" in e["path"] for e in result["properties"]["evidence"])


def test_unknown_reasons_are_clean_in_every_format(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A not-read reason (the API server's message) is cluster text too."""
    from netpol_tui.model.snapshot import Kind
    from tests.checks.test_check_unknown import forbidden_snapshot

    folder = forbidden_snapshot(tmp_path, "NP004/fires", Kind.NETWORK_POLICY)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["unknown"][0]["reason"] = "forbidden " + HOSTILE
    (folder / "manifest.json").write_text(json.dumps(manifest))
    for fmt in ("text", "json", "markdown", "sarif"):
        code, out, err = _run(capsys, "check", "--files", str(folder), "--format", fmt, "--select", "NP")
        assert code == 3, fmt
        _assert_safe(out, fmt)
        _assert_safe(err, f"{fmt} stderr")
        if fmt == "markdown":
            _assert_markdown_renders_no_link(out, fmt)


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_catalog_output_is_safe(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    """A check's metadata may come from a plugin: the catalog is cleaned like cluster text."""
    spec = CATALOG[0]
    bad = type(spec)(spec.id, "sym" + ESCAPES, "title " + HOSTILE, spec.severity, "summary " + HOSTILE, spec.function)
    monkeypatch.setattr(render_module, "CATALOG", (bad, *CATALOG[1:]))
    code, out, _ = _run(capsys, "checks", "--format", fmt)
    assert code == 0
    _assert_safe(out, fmt)
    assert "\\u202e" in out
    if fmt == "json":
        assert json.loads(out)[0]["title"] == "title \\u0000\\u202e\\u009b" + LINKS
    if fmt == "markdown":
        _assert_markdown_renders_no_link(out, fmt)
    if fmt == "text":
        assert out.splitlines()[0].split() == ["ID", "SYMBOL", "SEVERITY", "TITLE"]


def test_sarif_rules_from_a_plugin_are_clean(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    spec = CATALOG[0]
    bad = type(spec)(spec.id, "sym" + ESCAPES, "title " + HOSTILE, spec.severity, "doc " + HOSTILE, spec.function)
    monkeypatch.setattr(render_sarif_module, "CATALOG", (bad, *CATALOG[1:]))
    _, out, _ = _run(capsys, "check", "--files", str(FIXTURES / "NP006" / "clean"), "--format", "sarif")
    for text in _strings(json.loads(out)):
        _assert_safe(text, "sarif rule text")


def test_selection_error_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "check", "--demo", "--select", "X" + ESCAPES)
    assert code == 2 and out == "" and "no check matches" in err
    assert not FORBIDDEN.search(err)


# ------------------------------------------------------------- the sanitiser


def test_clean_policy() -> None:
    assert clean(OSC52 + "a" + CSI_2J + "b" + OSC_0 + "c") == "abc"  # sequences go whole
    assert clean("db\u202egnp.exe") == "db\\u202egnp.exe"  # invisible controls are shown
    assert clean("a\x00b\x9bc\x7f") == "a\\u0000b\\u009bc\\u007f"
    assert clean("line\r\nnext\roverwrite") == "line\nnext\\u000doverwrite"
    assert clean("a\tb") == "a    b" and clean("a\tb", keep_tabs=True) == "a\tb"
    assert clean("a\n\tb  c", single_line=True) == "a b c"
    assert clean("x" * 10, 5) == "xxxx…"


@given(st.text())
def test_clean_leaves_no_control_and_is_idempotent(text: str) -> None:
    once = clean(text)
    assert not FORBIDDEN.search(once)
    assert clean(once) == once
    assert not FORBIDDEN.search(clean(text, single_line=True)) and "\n" not in clean(text, single_line=True)


@given(st.text(alphabet=st.sampled_from(list("[]()!<>`*_~#|&\\:/.@ -+=1 abchtpsw\n\x1b\u202e")), max_size=60))
def test_markdown_inline_never_renders_markup(text: str) -> None:
    inline = markdown_inline(text)
    html = MarkdownIt("gfm-like").render(f"- note: {inline}\n\n{inline}\n\n| a |\n|---|\n| {inline} |\n")
    assert "<a " not in html and "<img" not in html and "<em>" not in html and "<strong>" not in html
    assert "<h" not in html.replace("<hr", "") and "<blockquote>" not in html and "<ol" not in html
    assert "\n" not in inline
