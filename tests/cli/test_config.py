"""The config file: where it is, precedence (the command line wins) and errors that name the line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from netpol_tui.cli import build_parser, main
from netpol_tui.config import ConfigError, apply_defaults, config_path, load_config


def write_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    path = tmp_path / "netpol-tui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_path_honours_xdg_config_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert config_path({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "netpol-tui" / "config.toml"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    # unset, empty or relative: the spec says to fall back to ~/.config
    for env in ({}, {"XDG_CONFIG_HOME": ""}, {"XDG_CONFIG_HOME": "relative/dir"}):
        assert config_path(env) == tmp_path / "home" / ".config" / "netpol-tui" / "config.toml"


def test_config_path_and_show(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(monkeypatch, tmp_path, 'theme = "light"\ntimeout = 20\nignore = ["NP003"]\n'
                                               '[fleet.contexts]\nprod = ["a", "b"]\n')
    code, out, _ = run(capsys, "config", "path")
    assert code == 0 and out.strip() == str(path)
    code, out, _ = run(capsys, "config", "show")
    assert code == 0
    assert out == 'theme = "light"\ntimeout = 20\nignore = ["NP003"]\n\n[fleet.contexts]\nprod = ["a", "b"]\n'
    assert load_config(path).context_lists == {"prod": ("a", "b")}


def test_timeout_and_dataplane_defaults_and_the_command_line_wins(monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    path = write_config(monkeypatch, tmp_path, 'timeout = 25\ndataplane = "dataplane-v2"\ntheme = "light"\n')
    parser = build_parser()
    apply_defaults(parser, load_config(path))
    args = parser.parse_args(["explain", "--demo"])
    assert args.timeout == 25.0 and args.dataplane == "dataplane-v2"
    args = parser.parse_args(["--timeout", "3", "explain", "--demo", "--dataplane", "calico"])
    assert args.timeout == 3.0 and args.dataplane == "calico"
    args = parser.parse_args(["explain", "--timeout=4"])
    assert args.timeout == 4.0
    assert parser.parse_args([]).theme == "light"
    assert parser.parse_args(["--theme", "dark"]).theme == "dark"


def test_dataplane_default_changes_the_verdict(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    query = ("explain", "--demo", "--from", "shop/svc/web", "--to", "shop/svc/cart", "--port", "80", "--format", "json")
    write_config(monkeypatch, tmp_path, 'dataplane = "none"\n')
    _, out, _ = run(capsys, *query)
    assert json.loads(out)["dataplane"] == "none"
    _, out, _ = run(capsys, *query, "--dataplane", "calico")
    assert json.loads(out)["dataplane"] == "calico"


def test_ignored_checks_default_and_command_line_replaces_them(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    def ids(*argv: str) -> set[str]:
        code, out, _ = run(capsys, "check", "--demo", "--format", "json", *argv)
        assert code in (0, 1)
        return {finding["id"] for finding in json.loads(out)["findings"]}

    everything = ids()
    assert {"GKE003", "NP001"} <= everything
    write_config(monkeypatch, tmp_path, 'ignore = ["GKE003", "NP001"]\n')
    assert ids() == everything - {"GKE003", "NP001"}
    assert ids("--ignore", "GKE016") == everything - {"GKE016"}


def test_context_lists_expand_in_contexts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from netpol_tui.config import apply_after_parse

    path = write_config(monkeypatch, tmp_path, '[fleet.contexts]\nprod = ["gke_a", "gke_b"]\n')
    config = load_config(path)
    args = build_parser().parse_args(["check", "--contexts", "@prod,kind-x,gke_a"])
    assert apply_after_parse(args, config) is None
    assert args.contexts == "gke_a,gke_b,kind-x"
    args = build_parser().parse_args(["check", "--contexts", "@staging"])
    problem = apply_after_parse(args, config)
    assert problem is not None and "staging" in problem and "@prod" in problem


def test_unknown_context_list_is_a_usage_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    write_config(monkeypatch, tmp_path, '[fleet.contexts]\nprod = ["gke_a"]\n')
    with pytest.raises(SystemExit) as exc:
        main(["check", "--contexts", "@nope"])
    assert exc.value.code == 2 and "no context list 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize(("text", "line", "words"), [
    ('theme = "dark"\ntimeout = \n', 2, "not valid TOML"),
    ('timeout = 10\ntheme = "blue"\n', 2, "theme must be one of dark, light"),
    ('\n\ntimeout = -1\n', 3, "positive number"),
    ('timeout = "10"\n', 1, "positive number"),
    ('colour = "red"\n', 1, "unknown setting 'colour'"),
    ('ignore = ["NP003", "XX999"]\n', 1, "XX999"),
    ('ignore = "NP003"\n\n[fleet.contexts]\nprod = []\n', 4, "non-empty list"),
    ('[fleet]\ncontext = {}\n', 2, "unknown fleet setting 'context'"),
    ('dataplane = "cilium"\n', 1, "dataplane must be one of auto, kubernetes"),
])
def test_bad_file_is_an_error_naming_the_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str], text: str, line: int,
                                              words: str) -> None:
    path = write_config(monkeypatch, tmp_path, text)
    code, out, err = run(capsys, "check", "--demo")
    assert code == 2 and out == ""
    assert f"{path}, line {line}" in err and words in err
    # `config show` reports the same error; `config path` still answers
    assert run(capsys, "config", "show")[0] == 2
    code, out, _ = run(capsys, "config", "path")
    assert code == 0 and out.strip() == str(path)


def test_unreadable_bytes_are_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = write_config(monkeypatch, tmp_path, "")
    path.write_bytes(b'theme = "\xff"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


def test_no_file_means_built_in_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "config", "show")
    assert code == 0 and out == "" and "does not exist" in err
    assert build_parser().parse_args([]).timeout == 10.0


def test_theme_reaches_the_console(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import netpol_tui.app

    seen: list[tuple[object, str]] = []
    monkeypatch.setattr(netpol_tui.app, "run_console",
                        lambda options, theme, flow_paths=(), start=None: seen.append((options, theme)) or 0)
    write_config(monkeypatch, tmp_path, 'theme = "light"\n')
    assert main(["--demo"]) == 0
    assert main(["--demo", "--theme", "dark"]) == 0
    assert [theme for _, theme in seen] == ["textual-light", "textual-dark"]


async def _app_theme(theme: str) -> str:
    from netpol_tui.app import NetpolApp
    from netpol_tui.sources import SourceOptions

    app = NetpolApp(SourceOptions(demo="calico"), start_theme=theme)
    async with app.run_test() as pilot:
        await pilot.pause()
        return app.theme


def test_console_starts_in_the_chosen_theme() -> None:
    import asyncio

    assert asyncio.run(_app_theme("textual-light")) == "textual-light"
