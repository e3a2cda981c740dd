"""`kubectl netpol`: the kubectl-netpol entry point and kubectl's option spellings."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from netpol_tui.cli import build_parser, kubectl_main
from netpol_tui.options import options_from_args


def test_installing_the_package_installs_kubectl_netpol() -> None:
    (entry,) = [e for e in entry_points(group="console_scripts") if e.name == "kubectl-netpol"]
    assert entry.load() is kubectl_main
    script = Path(sys.executable).parent / "kubectl-netpol"
    assert script.is_file(), "pip install -e . (or the wheel) writes the kubectl-netpol executable"
    done = subprocess.run([str(script), "check", "--demo", "--format", "json"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["summary"]["error"] >= 1


def test_usage_names_kubectl_netpol(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        kubectl_main(["--help"])
    out = capsys.readouterr().out
    assert exc.value.code == 0
    assert out.startswith("usage: kubectl netpol ")
    assert "  kubectl netpol check --demo dataplane-v2" in out


def test_kubectl_netpol_explain_runs(capsys: pytest.CaptureFixture[str]) -> None:
    code = kubectl_main(["explain", "--demo", "-n", "shop", "--from", "svc/web", "--to", "svc/store",
                         "--port", "80", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and data["verdict"] == "deny" and data["denied"] == 9


@pytest.mark.parametrize("argv", [
    ["check", "--context=gke_p_europe-west1_prod", "--namespace=shop", "--kubeconfig=/tmp/kc"],
    ["check", "--context", "gke_p_europe-west1_prod", "-n", "shop", "--kubeconfig", "/tmp/kc"],
    ["--context", "gke_p_europe-west1_prod", "-n", "shop", "--kubeconfig", "/tmp/kc", "check"],
    ["--context=gke_p_europe-west1_prod", "check", "-n=shop", "--kubeconfig=/tmp/kc"],
    ["check", "-nshop", "--context=gke_p_europe-west1_prod", "--kubeconfig=/tmp/kc"],
])
def test_kubectl_spellings(argv: list[str]) -> None:
    args = build_parser("kubectl netpol").parse_args(argv)
    options = options_from_args(args)
    assert (options.context, options.namespace, options.kubeconfig) == ("gke_p_europe-west1_prod", "shop", "/tmp/kc")


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed on this machine")
def test_real_kubectl_finds_and_runs_the_plugin(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "KUBECONFIG": str(tmp_path / "none")}
    listed = subprocess.run(["kubectl", "plugin", "list"], capture_output=True, text=True, env=env, timeout=60)
    assert "kubectl-netpol" in listed.stdout
    done = subprocess.run(["kubectl", "netpol", "check", "--demo", "--select", "NP001", "--format", "json",
                           "--fail-on", "warning"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1, done.stderr
    assert [f["id"] for f in json.loads(done.stdout)["findings"]] == ["NP001"]
