"""Completion scripts for bash, zsh and fish; bash completes contexts from a real kubeconfig."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from netpol_tui.checks.registry import CATALOG
from netpol_tui.cli import build_parser, main

KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: u1
  user: {token: t}
contexts:
- name: gke_acme_europe-west1_prod
  context: {cluster: c1, user: u1}
- name: gke_acme_us-east1_staging
  context: {cluster: c1, user: u1}
- name: kind-local
  context: {cluster: c1, user: u1}
current-context: kind-local
"""


def script(capsys: pytest.CaptureFixture[str], shell: str) -> str:
    assert main(["completion", shell]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_scripts_for_three_shells(capsys: pytest.CaptureFixture[str], shell: str) -> None:
    text = script(capsys, shell)
    assert "netpol-tui __complete contexts" in text
    for word in ("explain", "check", "checks", "snapshot", "completion", "dataplane-v2", "sarif", "NP004",
                 "GKE016", "calico"):
        assert word in text, word
    assert "__complete\n" not in text and " __complete " not in text.replace("netpol-tui __complete", "")


def test_unknown_shell_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["completion", "tcsh"])
    assert exc.value.code == 2


def test_hidden_helper_prints_contexts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kubeconfig = tmp_path / "kc.yaml"
    kubeconfig.write_text(KUBECONFIG)
    assert main(["__complete", "contexts", "--kubeconfig", str(kubeconfig)]) == 0
    assert capsys.readouterr().out.split() == ["gke_acme_europe-west1_prod", "gke_acme_us-east1_staging",
                                               "kind-local"]
    (tmp_path / "broken.yaml").write_text("contexts: [\n")
    assert main(["__complete", "contexts", "--kubeconfig", str(tmp_path / "broken.yaml")]) == 0
    assert capsys.readouterr().out == ""
    assert main(["__complete", "checks"]) == 0
    assert capsys.readouterr().out.split() == [spec.id for spec in CATALOG]


def test_helper_is_hidden_from_help(capsys: pytest.CaptureFixture[str]) -> None:
    build_parser().print_help()
    assert "__complete" not in capsys.readouterr().out


def _bash_complete(script_path: Path, words: list[str], env: dict[str, str]) -> list[str]:
    """COMPREPLY after bash completes the last of `words` with the generated script."""
    quoted = " ".join(f"'{word}'" for word in words)
    program = (f"source {script_path}\n"
               f"COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}\n"
               'COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}\n'
               "_shtab_netpol_tui\n"
               'printf "%s\\n" "${COMPREPLY[@]}"\n')
    done = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], capture_output=True, text=True,
                          env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if line]


@pytest.fixture
def bash_env(tmp_path: Path) -> dict[str, str]:
    """PATH with a `netpol-tui` that runs this checkout's code under this interpreter."""
    if shutil.which("bash") is None:
        pytest.fail("bash is needed to test the bash completion script")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "netpol-tui"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m netpol_tui "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    env = {key: value for key, value in os.environ.items() if key != "KUBECONFIG"}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env


def test_bash_completes_a_context(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  bash_env: dict[str, str]) -> None:
    script_path = tmp_path / "netpol-tui.bash"
    script_path.write_text(script(capsys, "bash"))
    kubeconfig = tmp_path / "kc.yaml"
    kubeconfig.write_text(KUBECONFIG)
    words = ["netpol-tui", "check", "--kubeconfig", str(kubeconfig), "--context", "gke_acme_"]
    assert _bash_complete(script_path, words, bash_env) == ["gke_acme_europe-west1_prod",
                                                            "gke_acme_us-east1_staging"]
    # --kubeconfig=PATH, and the context before the command
    words = ["netpol-tui", f"--kubeconfig={kubeconfig}", "--context", "kind"]
    assert _bash_complete(script_path, words, bash_env) == ["kind-local"]
    # no --kubeconfig on the line: $KUBECONFIG, as kubectl reads it
    env = {**bash_env, "KUBECONFIG": str(kubeconfig)}
    assert _bash_complete(script_path, ["netpol-tui", "--context", "gke_acme_us"], env) == \
        ["gke_acme_us-east1_staging"]


def test_bash_completes_choices_and_check_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              bash_env: dict[str, str]) -> None:
    script_path = tmp_path / "netpol-tui.bash"
    script_path.write_text(script(capsys, "bash"))
    assert _bash_complete(script_path, ["netpol-tui", "explain", "--dataplane", ""], bash_env) == \
        ["auto", "kubernetes", "calico", "dataplane-v2", "none"]
    assert _bash_complete(script_path, ["netpol-tui", "check", "--format", "s"], bash_env) == ["sarif"]
    assert _bash_complete(script_path, ["netpol-tui", "check", "--ignore", "NP00"], bash_env) == \
        [f"NP00{n}" for n in range(1, 7)]
    assert _bash_complete(script_path, ["netpol-tui", "help", "checks", "KI"], bash_env) == \
        ["KI001", "KI002", "KI003"]
    assert _bash_complete(script_path, ["netpol-tui", "che"], bash_env) == ["check", "checks"]
    assert _bash_complete(script_path, ["netpol-tui", "--screen", "m"], bash_env) == ["matrix"]
    assert _bash_complete(script_path, ["netpol-tui", "--demo", "calico", "--screen", ""], bash_env) == \
        ["status", "nodes", "policies", "issues", "runbooks", "matrix", "flows"]


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed (.ci/run installs it)")
def test_fish_completes_a_context_and_choices(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              bash_env: dict[str, str]) -> None:
    script_path = tmp_path / "netpol-tui.fish"
    script_path.write_text(script(capsys, "fish"))
    kubeconfig = tmp_path / "kc.yaml"
    kubeconfig.write_text(KUBECONFIG)

    def complete(line: str) -> list[str]:
        done = subprocess.run(["fish", "--no-config", "-c", f"source {script_path}; complete -C '{line}'"],
                              capture_output=True, text=True, env={**bash_env, "KUBECONFIG": str(kubeconfig)},
                              timeout=60)
        assert done.returncode == 0, done.stderr
        return [row.split("\t")[0] for row in done.stdout.splitlines()]

    assert complete("netpol-tui check --context gke_") == ["gke_acme_europe-west1_prod", "gke_acme_us-east1_staging"]
    assert complete("netpol-tui explain --dataplane dat") == ["dataplane-v2"]
    assert complete("netpol-tui checks --show KI00") == ["KI001", "KI002", "KI003"]


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed (.ci/run installs it)")
def test_zsh_script_is_valid_zsh(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script_path = tmp_path / "_netpol-tui"
    script_path.write_text(script(capsys, "zsh"))
    done = subprocess.run(["zsh", "-n", str(script_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    text = script_path.read_text()
    assert text.startswith("#compdef netpol-tui")
    assert "($(netpol-tui __complete contexts 2>/dev/null))" in text
