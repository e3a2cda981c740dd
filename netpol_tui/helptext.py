"""What every `--help` ends with: real examples and the exit codes.

The examples are data, not prose, so tests run every one of them against the bundled demo and
assert the exit code written next to it: an example that stops working fails the suite.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

PROG = "netpol-tui"


@dataclass(frozen=True)
class Example:
    #: The line as the user pastes it (starting with the program name).
    line: str
    #: What it does, in a few words.
    what: str
    #: The exit code it ends with on the demo; None for the console (it waits for the user).
    exit: int | None
    #: Arguments the test runs when the line holds shell syntax (a redirect, a pipe); default: the line.
    run_argv: tuple[str, ...] | None = None

    @property
    def argv(self) -> tuple[str, ...]:
        return self.run_argv if self.run_argv is not None else tuple(shlex.split(self.line)[1:])


INTERNAL = "70 internal error (a bug: please report it with NETPOL_TUI_DEBUG=1 output)"

EXAMPLES: dict[str | None, tuple[Example, ...]] = {
    None: (
        Example("netpol-tui --demo", "open the console on the bundled Calico demo cluster", None),
        Example("netpol-tui --context gke_acme_europe-west1_prod --pod shop/web-7d4b9c-x2x1",
                "open the console on a kubeconfig context at Policies, that pod selected", None),
        Example("netpol-tui check --demo dataplane-v2", "run the checks headless on the Dataplane V2 demo", 1),
        Example("netpol-tui help checks GKE003", "what check GKE003 looks for and the fix it proposes", 0),
    ),
    "explain": (
        Example("netpol-tui explain --demo --from shop/svc/web --to shop/svc/cart --port 80",
                "every web pod may reach every cart pod: exit 0", 0),
        Example("netpol-tui explain --demo --from shop/svc/web --to shop/svc/store --port 80",
                "denied: the sentences name the policy that isolates store and the near miss", 1),
        Example("netpol-tui explain --demo --from shop/svc/web --to shop/svc/store --port 80 --suggest",
                "and the smallest policy that allows it, checked, with what else it would open", 1),
        Example("netpol-tui explain --demo --from shop/svc/web --to shop/svc/cart --port 99999",
                "a port outside 1-65535 is bad input", 2),
    ),
    "check": (
        Example("netpol-tui check --demo", "all checks, grouped by severity, with evidence and fixes", 1),
        Example("netpol-tui check --demo --format html --fail-on never",
                "one self-contained page for a ticket (redirect it to report.html), never failing", 0),
        Example("netpol-tui check --demo --until-clean --select GKE003 --wait 2h",
                "wait for node recreation (exit 0 once clean); the demo never changes: what is open, at once", 1),
        Example("netpol-tui check --demo --watch --format json",
                "findings as JSON lines as they appear and resolve (the demo cannot change: printed once)", 1),
    ),
    "checks": (
        Example("netpol-tui checks", "the catalog: id, symbol, severity, title", 0),
        Example("netpol-tui checks --format markdown", "the catalog as a Markdown table", 0),
        Example("netpol-tui checks --show NP004", "one check in full: what it looks for, GKE facts, fix", 0),
    ),
    "snapshot": (
        Example("netpol-tui snapshot save ./shop-dump --demo", "write the demo as files into ./shop-dump", 0),
        Example("netpol-tui check --files ./shop-dump", "check the saved files (what a colleague runs)", 1),
        Example("netpol-tui snapshot save ./shop-dump --demo --force",
                "save again into the same directory (its files are replaced)", 0),
    ),
    "flows": (
        Example("netpol-tui flows --demo dataplane-v2",
                "the demo's policy-action log and Hubble flows against its policies (some disagree)", 1),
        Example("netpol-tui flows --demo dataplane-v2 --only disagree --format json",
                "only the disagreements, each with its diagnosis and explain command, as JSON", 1),
        Example("netpol-tui flows --demo calico",
                "a Calico cluster has no policy logs and no Hubble: nothing to compare", 2),
        Example("netpol-tui flows --context gke_acme_europe-west1_prod --logs-since 1h --only deny",
                "the last hour of the cluster's policy-action log, read from Cloud Logging, denied groups only "
                "(here: no such context)", 2),
    ),
    "matrix": (
        Example("netpol-tui matrix --demo", "namespace x namespace grid: A all, S some, N none allowed", 0),
        Example("netpol-tui matrix --demo --namespace shop --flows",
                "flows into or out of shop, each with its verdict and deciding rule", 0),
        Example("netpol-tui matrix --demo dataplane-v2 --format csv --ports 443,53/UDP",
                "one CSV row per flow, asking about 443/TCP and 53/UDP too", 0),
    ),
    "diff": (
        Example("netpol-tui diff --demo --model calico --vs dataplane-v2",
                "what the Calico -> Dataplane V2 migration changes", 1),
        Example("netpol-tui diff --demo --model calico --vs dataplane-v2 --format markdown",
                "the migration report for a change ticket (with the checks that block it)", 1),
        Example("netpol-tui diff --demo --without batch/default-deny-ingress",
                "what removing one policy would open", 1),
        Example("netpol-tui diff --demo --model calico --vs calico", "the same model: nothing changes", 0),
    ),
    "help": (
        Example("netpol-tui help checks NP004", "check NP004: what it looks for, GKE facts, fix", 0),
        Example("netpol-tui help check", "the same as netpol-tui check --help", 0),
        Example("netpol-tui help checks NP999", "an unknown check id", 2),
    ),
    "config": (
        Example("netpol-tui config path", "where the config file is read from", 0),
        Example("netpol-tui config show", "the settings in effect (empty without a file)", 0),
    ),
    "completion": (
        Example('eval "$(netpol-tui completion bash)"', "completion in this bash session", 0,
                ("completion", "bash")),
        Example("netpol-tui completion zsh > \"${fpath[1]}/_netpol-tui\"", "install for zsh", 0,
                ("completion", "zsh")),
        Example("netpol-tui completion fish > ~/.config/fish/completions/netpol-tui.fish", "install for fish", 0,
                ("completion", "fish")),
    ),
}

EXIT_CODES: dict[str | None, tuple[str, ...]] = {
    None: ("0 the console closed normally",
           "2 usage error, unusable input, or no cluster to look at",
           INTERNAL, "130 interrupted (ctrl+c)"),
    "explain": ("0 allowed (every connection, for a Service)", "1 denied (any connection)",
                "2 bad input: unknown pod, bad port, unreadable batch file or a batch entry in error", INTERNAL),
    "check": ("0 no finding at or above --fail-on; --until-clean: the selected checks are clean (no finding, "
              "none unknown)",
              "1 findings at or above --fail-on (default: error); --until-clean: still open when --wait ran out or "
              "the source cannot change",
              "2 unusable input or an unknown check in --select/--ignore",
              "3 no finding at or above --fail-on, but some selected check is unknown (data not read); "
              "--until-clean: only unknown checks are left", INTERNAL),
    "checks": ("0 catalog printed", "2 unknown check id for --show", INTERNAL),
    "snapshot": ("0 saved", "2 nothing could be read, or the directory cannot be written", INTERNAL),
    "flows": ("0 every group agrees with the engine", "1 some group disagrees",
              "2 bad input (a flows file, a --logs-since duration, the source)",
              "3 some group is unknown (data not read) or not logged (FQDN policy decisions are not in GKE's "
              "policy log), or the --logs-since log was not read in full", INTERNAL),
    "matrix": ("0 printed, every flow definite", "2 bad input (a port, an unknown namespace, the source)",
               "3 printed, some flow unknown (data not read)", INTERNAL),
    "diff": ("0 no flow changes", "1 some flow changes", "2 bad input (a manifest, a policy to remove, the source)",
             "3 no change, but some flow unknown (data not read)", INTERNAL),
    "help": ("0 help printed", "2 unknown command or check id", INTERNAL),
    "config": ("0 printed", "2 the config file is not valid (show names the line)", INTERNAL),
    "completion": ("0 script printed", "2 unknown shell", INTERNAL),
}


def examples(command: str | None) -> tuple[Example, ...]:
    return EXAMPLES.get(command, ())


def epilog(command: str | None, prog: str = PROG) -> str | None:
    """The end of `--help`: examples (aligned, with what each does) and exit codes."""
    shown = examples(command)
    codes = EXIT_CODES.get(command, ())
    if not shown and not codes:
        return None
    out = []
    if shown:
        out.append("examples:")
        for example in shown:
            line = example.line.replace(PROG, prog, 1) if example.line.startswith(PROG) else example.line
            out += [f"  {line}", f"      {example.what}"]
    if codes:
        out += ["", "exit codes:", *(f"  {code}" for code in codes)]
    return "\n".join(out)
