"""`e` on the Policies screen: from, to, port, protocol, dataplane -> the verdict and why.

The dialog is a screen of its own, so it starts the worker that asks the engine and receives
`VerdictComputed`. When Calico and Dataplane V2 would disagree, both answers are shown. An
answer that depends on data that was not read is UNKNOWN, with the reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Select, Static
from textual.worker import WorkerState

from netpol_tui.dialogs.base import Dialog
from netpol_tui.messages import CopyCommand, VerdictComputed, WorkerFailed
from netpol_tui.text import clean

PROTOCOLS = ("TCP", "UDP", "SCTP")
DATAPLANES = (("auto (this cluster)", "auto"), ("Calico", "calico"), ("Dataplane V2", "dataplane-v2"),
              ("Kubernetes API", "kubernetes"), ("no enforcement", "none"))
MAX_PAIRS = 50


@dataclass(frozen=True, slots=True)
class ExplainRequest:
    src: str
    dst: str
    port: str
    protocol: str = "TCP"
    dataplane: str = "auto"
    namespace: str | None = None

    @property
    def command(self) -> str:
        """The same question for the CLI (pasted into a ticket or a script)."""
        from netpol_tui.checks.shell import join

        dataplane = ("--dataplane", self.dataplane) if self.dataplane != "auto" else ()
        return join(("netpol-tui", "explain", "--from", self.src, "--to", self.dst, "--port", self.port,
                     "--protocol", self.protocol, *dataplane))


def compute_explain(snapshot: Any, engines: dict[str, Any], request: ExplainRequest) -> dict[str, Any]:
    """Ask the engine (one per dataplane, cached in `engines`); ValueError for a bad question.

    An endpoint the unread data would have named (pods or Services not read) gives no verdicts
    and `unknown`: the message and the reasons.
    """
    from netpol_tui.policy import EndpointUnknown, PolicyEngine, check_port, check_protocol

    def engine_for(name: str) -> Any:
        engine = engines.get(name)
        if engine is None:
            # the app's "auto" engine already is the calico (or dataplane-v2) one on most clusters
            same = next((known for known in engines.values() if known.dataplane == name), None)
            engine = engines[name] = same or PolicyEngine(snapshot, name)
        return engine

    port, protocol = check_port(request.port), check_protocol(request.protocol)
    engine = engine_for(request.dataplane)
    try:
        pairs = [(src, dst) for src in engine.resolve(request.src, request.namespace)
                 for dst in engine.resolve(request.dst, request.namespace)]
    except EndpointUnknown as exc:
        return {"verdicts": [], "comparison": [], "policies": {}, "notes": engine.notes,
                "unknown": {"message": exc.message, "unknown_because": exc.unknown_because,
                            "question": f"{request.src} -> {request.dst} on {protocol} port {port}"}}
    verdicts = [engine.evaluate(src, dst, port, protocol) for src, dst in pairs[:MAX_PAIRS]]
    comparison: list[tuple[str, Any]] = []
    if pairs and snapshot.policies:
        src, dst = pairs[0]
        calico = engine_for("calico").evaluate(src, dst, port, protocol)
        dataplane_v2 = engine_for("dataplane-v2").evaluate(src, dst, port, protocol)
        if calico.known and dataplane_v2.known and calico.allowed != dataplane_v2.allowed:
            comparison = [("Calico", calico), ("Dataplane V2", dataplane_v2)]
    keys = {ref.policy_key for verdict in verdicts for side in (verdict.egress, verdict.ingress)
            for ref in side.allowed_by}
    policies = {policy.key: policy for policy in snapshot.policies if policy.key in keys}
    return {"verdicts": verdicts, "comparison": comparison, "policies": policies, "notes": engine.notes}


class ExplainDialog(Dialog):
    """The form and its answer; Enter in any field explains."""

    BINDINGS = [Binding("ctrl+y", "copy", "Copy explanation"), Binding("c", "copy", "Copy", show=False)]
    DEFAULT_CSS = """
    ExplainDialog .explain-row { height: 1; margin-bottom: 1; }
    ExplainDialog .explain-label { width: auto; padding: 0 1 0 0; text-style: bold; }
    ExplainDialog Input { width: 1fr; }
    ExplainDialog #explain-port { width: 10; }
    ExplainDialog Select { width: 22; margin-left: 1; }
    ExplainDialog Button { min-width: 11; margin-left: 1; }
    ExplainDialog #explain-result { height: 1fr; border-top: solid $primary; }
    """

    def __init__(self, snapshot: Any, engines: dict[str, Any], src: str = "", dst: str = "", port: str = "",
                 namespace: str | None = None) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.engines = engines
        self.defaults = (src, dst, port)
        self.namespace = namespace
        self.result: dict[str, Any] | None = None
        self.request: ExplainRequest | None = None

    def compose(self) -> ComposeResult:
        src, dst, port = self.defaults
        with Vertical(classes="dialog-frame"):
            yield Static("Explain a connection", classes="dialog-title")
            with Horizontal(classes="explain-row"):
                yield Static("From", classes="explain-label")
                yield Input(src, placeholder="NAMESPACE/POD, IP or NAMESPACE/svc/NAME", id="explain-from", compact=True)
                yield Static(" To", classes="explain-label")
                yield Input(dst, placeholder="NAMESPACE/POD, IP or NAMESPACE/svc/NAME", id="explain-to", compact=True)
            with Horizontal(classes="explain-row"):
                yield Static("Port", classes="explain-label")
                yield Input(port, placeholder="port", id="explain-port", compact=True, restrict=r"[0-9]*",
                            max_length=5)
                yield Select([(name, name) for name in PROTOCOLS], value="TCP", allow_blank=False,
                             id="explain-protocol", compact=True)
                yield Select(DATAPLANES, value="auto", allow_blank=False, id="explain-dataplane", compact=True)
                yield Button("Explain", id="explain-go", compact=True, variant="primary")
            with VerticalScroll(id="explain-result"):
                yield Static(Text("Fill in the connection and press Enter.", style="dim"), id="explain-output")
            yield Static("Enter explain · Tab next field · ctrl+y copy the explanation · Esc close",
                         classes="dialog-hint")

    def on_mount(self) -> None:
        src, dst, _ = self.defaults
        self.query_one("#explain-from" if not src else "#explain-to" if not dst else "#explain-port", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_explain()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_explain()

    def action_explain(self) -> None:
        request = ExplainRequest(
            src=self.query_one("#explain-from", Input).value.strip(),
            dst=self.query_one("#explain-to", Input).value.strip(),
            port=self.query_one("#explain-port", Input).value.strip(),
            protocol=str(self.query_one("#explain-protocol", Select).value),
            dataplane=str(self.query_one("#explain-dataplane", Select).value), namespace=self.namespace)
        missing = [name for name, value in (("from", request.src), ("to", request.dst), ("port", request.port))
                   if not value]
        if missing:
            self._show(Text(f"Fill in: {', '.join(missing)}.", style="yellow"))
            return
        self.request = request
        self._show(Text("Evaluating…", style="dim"))
        snapshot, engines = self.snapshot, self.engines

        def work() -> None:
            try:
                result = compute_explain(snapshot, engines, request)
            except ValueError as exc:  # EndpointError and bad ports: the user's question, not a crash
                self.post_message(VerdictComputed(request, error=str(exc)))
                return
            self.post_message(VerdictComputed(request, result=result))

        self.run_worker(work, thread=True, exit_on_error=False, name="explain", group="explain", exclusive=True)

    def on_verdict_computed(self, message: VerdictComputed) -> None:
        if message.request != self.request:
            return
        if message.error:
            self.result = None
            self._show(Text(clean(message.error, 1000), style="bold red"))
            return
        from netpol_tui.screens.policy_views import explain_block

        self.result = message.result
        self._show(explain_block(message.result))

    def on_worker_state_changed(self, event) -> None:
        if event.state == WorkerState.ERROR:
            self._show(Text("The engine failed on this question; see the banner.", style="red"))
            self.app.post_message(WorkerFailed(event.worker.name, event.worker.error))

    def _show(self, renderable: Any) -> None:
        self.query_one("#explain-output", Static).update(renderable)

    def action_copy(self) -> None:
        if self.result is None or self.request is None:
            self.notify("Explain a connection first.", severity="warning")
            return
        from netpol_tui.screens.policy_views import explain_text

        self.post_message(CopyCommand(explain_text(self.result) + "\n$ " + self.request.command, "explanation"))
