"""`e` on the Policies screen: from, to, port, protocol, dataplane -> the verdict and why.

The dialog is a screen of its own, so it starts the worker that asks the engine and receives
`VerdictComputed`. When Calico and Dataplane V2 would disagree, both answers are shown. An
answer that depends on data that was not read is UNKNOWN, with the reasons.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Select, Static
from textual.worker import WorkerState

from netpol_tui.dialogs.explain_answer import MAX_PAIRS as MAX_PAIRS
from netpol_tui.dialogs.explain_answer import NO_ANSWER as NO_ANSWER
from netpol_tui.dialogs.explain_answer import ExplainRequest, _failing_side, compute_explain
from netpol_tui.dialogs.explain_follow import ExplainReevaluated as ExplainReevaluated
from netpol_tui.dialogs.explain_follow import FollowedExplain
from netpol_tui.messages import CopyCommand, VerdictComputed, WorkerFailed
from netpol_tui.text import clean
from netpol_tui.widgets.completion import CompletionList, EndpointCompleter, EndpointSuggester
from netpol_tui.widgets.related import RelatedList
from netpol_tui.widgets.verdicts import explain_block, explain_text

PROTOCOLS = ("TCP", "UDP", "SCTP")
DATAPLANES = (("auto (this cluster)", "auto"), ("Calico", "calico"), ("Dataplane V2", "dataplane-v2"),
              ("Kubernetes API", "kubernetes"), ("no enforcement", "none"))
MAX_RECENT = 20
ENDPOINTS = ("explain-from", "explain-to")
#: What the hint line says about the focused field (the form's focus must be unmistakable).
FIELD_HINTS = {
    "explain-from": "From: NAMESPACE/POD, IP or NAMESPACE/svc/NAME · ↓↑ choose a completion, → accepts inline",
    "explain-to": "To: NAMESPACE/POD, IP or NAMESPACE/svc/NAME · ↓↑ choose a completion, → accepts inline",
    "explain-port": "Port: digits only",
    "explain-protocol": "Protocol: a list · Enter opens it, ↑↓ choose (digits typed here go to Port)",
    "explain-dataplane": "Dataplane: a list · Enter opens it, ↑↓ choose",
    "explain-go": "Explain: Enter runs the question",
}


class CompletionsBuilt(Message):
    """The endpoint completions of the dialog's snapshot are ready (built in a worker)."""

    def __init__(self, completer: EndpointCompleter) -> None:
        super().__init__()
        self.completer = completer


class ExplainDialog(FollowedExplain):
    """The form and its answer; Enter in any field explains. The last question of the session is
    kept (app.explain_recent) and its endpoints are offered as completions."""

    BINDINGS = [Binding("ctrl+y", "copy", "Copy explanation"), Binding("c", "copy", "Copy", show=False),
                Binding("pageup", "scroll_result(-1)", "Scroll up", show=False, priority=True),
                Binding("pagedown", "scroll_result(1)", "Scroll down", show=False, priority=True),
                Binding("down", "completion(1)", "Next completion", show=False),
                Binding("up", "completion(-1)", "Previous completion", show=False)]
    DEFAULT_CSS = """
    ExplainDialog .explain-row { height: 1; margin-bottom: 1; }
    ExplainDialog .explain-label { width: auto; padding: 0 1 0 0; text-style: bold; }
    ExplainDialog .explain-label.-focused { color: $accent; text-style: bold reverse; }
    ExplainDialog Input { width: 1fr; }
    ExplainDialog Input:focus { background: $accent 30%; }
    ExplainDialog #explain-port { width: 10; }
    ExplainDialog Select { width: 22; margin-left: 1; }
    ExplainDialog Select:focus > SelectCurrent { background: $accent 30%; text-style: bold; }
    ExplainDialog Button { min-width: 11; margin-left: 1; }
    ExplainDialog Button:focus { text-style: bold reverse; }
    ExplainDialog #explain-completions { height: auto; max-height: 8; border: round $accent 60%; }
    ExplainDialog #explain-field { height: auto; color: $accent; }  /* wraps at 80 columns, never cut */
    ExplainDialog #explain-stale { height: auto; display: none; background: $warning 25%; color: $text; }
    ExplainDialog #explain-result { height: 1fr; border-top: solid $primary; }
    ExplainDialog #explain-result.-stale { opacity: 60%; }
    ExplainDialog #explain-goto-title { height: 1; display: none; }
    ExplainDialog #explain-goto { height: auto; }
    """

    def __init__(self, snapshot: Any, engines: dict[str, Any], src: str = "", dst: str = "", port: str = "",
                 namespace: str | None = None, protocol: str | None = None, run_at_start: bool = False) -> None:
        super().__init__()
        #: Explain at once (the `--explain` start option) instead of waiting for Enter.
        self.run_at_start = run_at_start
        self.snapshot = snapshot
        self.engines = engines
        self.defaults = (src, dst, port)
        #: The prefill's protocol (a flow record's UDP); None: the last question's, else TCP.
        self.protocol_default = protocol if protocol in PROTOCOLS else None
        self.namespace = namespace
        self.result: dict[str, Any] | None = None
        self.request: ExplainRequest | None = None
        self.completer: EndpointCompleter | None = None
        self.suggesters = {name: EndpointSuggester() for name in ENDPOINTS}
        #: True once ↓/↑ moved through the completions: Enter then takes the highlighted one.
        self._choosing = False
        #: (input id, names) of the last "did you mean" answer, until that input changes.
        self._suggesting: tuple[str, tuple[str, ...]] | None = None

    def _recent(self) -> list[ExplainRequest]:
        return getattr(self.app, "explain_recent", [])

    def _start_values(self) -> tuple[str, str, str, str, str]:
        """The prefill from the selection, the rest from the session's last question."""
        src, dst, port = self.defaults
        last = self._recent()[-1] if self._recent() else None
        if last is None:
            return src, dst, port, self.protocol_default or "TCP", "auto"
        if not (src or dst or port):
            return last.src, last.dst, last.port, last.protocol, last.dataplane
        return src or (last.src if dst else ""), dst, port, self.protocol_default or last.protocol, last.dataplane

    def compose(self) -> ComposeResult:
        src, dst, port, protocol, dataplane = self._start_values()
        with Vertical(classes="dialog-frame"):
            yield Static("Explain a connection", classes="dialog-title")
            with Horizontal(classes="explain-row"):
                yield Static("From", classes="explain-label", id="explain-from-label")
                yield Input(src, placeholder="NAMESPACE/POD, IP or NAMESPACE/svc/NAME", id="explain-from", compact=True,
                            suggester=self.suggesters["explain-from"])
                yield Static(" To", classes="explain-label", id="explain-to-label")
                yield Input(dst, placeholder="NAMESPACE/POD, IP or NAMESPACE/svc/NAME", id="explain-to", compact=True,
                            suggester=self.suggesters["explain-to"])
            with Horizontal(classes="explain-row"):
                yield Static("Port", classes="explain-label", id="explain-port-label")
                yield Input(port, placeholder="port", id="explain-port", compact=True, restrict=r"[0-9]*",
                            max_length=5)
                yield Select([(name, name) for name in PROTOCOLS], value=protocol, allow_blank=False,
                             id="explain-protocol", compact=True)
                yield Select(DATAPLANES, value=dataplane, allow_blank=False, id="explain-dataplane", compact=True)
                yield Button("Explain", id="explain-go", compact=True, variant="primary")
            yield Static("", id="explain-field")
            yield CompletionList(id="explain-completions")
            yield Static("", id="explain-stale")
            with VerticalScroll(id="explain-result"):
                yield Static(Text("Fill in the connection and press Enter.", style="dim"), id="explain-output")
                # under the answer, scrolling with it: the answer keeps the dialog's height
                yield Static(Text("Deciding rules: Go to (Tab here; Enter or g opens)", style="bold"),
                             id="explain-goto-title")
                yield RelatedList(id="explain-goto")
            yield Static("Enter explain · Tab next field · ↓↑ completions · PgUp/PgDn scroll · ctrl+y copy · Esc close",
                         classes="dialog-hint")

    def on_mount(self) -> None:
        src, dst, port, _, _ = self._start_values()
        self.query_one("#explain-from" if not src else "#explain-to" if not dst else "#explain-port", Input).focus()
        recent = [value for request in self._recent() for value in (request.src, request.dst)]
        snapshot = self.snapshot

        def work() -> None:
            from netpol_tui.widgets.completion import endpoint_candidates

            self.post_message(CompletionsBuilt(EndpointCompleter(endpoint_candidates(snapshot), recent)))

        self.run_worker(work, thread=True, exit_on_error=False, name="completions", group="completions")
        if self.run_at_start:  # after the first frame, when the focus above has landed (a "did you mean"
            self.call_after_refresh(self.action_explain)  # answer moves it to the field it fixes)

    def on_completions_built(self, message: CompletionsBuilt) -> None:
        self.completer = message.completer
        for suggester in self.suggesters.values():
            suggester.completer = message.completer

    # ------------------------------------------------------------------ focus, completion, staleness

    def on_descendant_focus(self, event: Any) -> None:
        focused = self.focused
        name = focused.id if focused is not None else None
        for label in self.query(".explain-label"):
            label.set_class(label.id == f"{name}-label", "-focused")
        self.query_one("#explain-field", Static).update(Text("▶ " + FIELD_HINTS[name]) if name in FIELD_HINTS else "")
        if self._suggesting is not None and name == self._suggesting[0]:
            self._show_suggestions()
        elif name in ENDPOINTS:
            self._complete(self.query_one(f"#{name}", Input))
        else:
            self.query_one(CompletionList).hide()

    def on_key(self, event: Any) -> None:
        """A digit typed on the Protocol or Dataplane list goes to Port (what it was meant for)."""
        focused = self.focused
        if isinstance(focused, Select) and not focused.expanded and event.character and event.character.isdigit():
            port = self.query_one("#explain-port", Input)
            port.select_on_focus = False  # the digit must not be selected and replaced by the next one
            self.set_focus(port)
            port.insert_text_at_cursor(event.character)
            event.stop()
            event.prevent_default()

    def on_descendant_blur(self, event: Any) -> None:
        if getattr(event.widget, "id", None) == "explain-port":
            event.widget.select_on_focus = True

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in ENDPOINTS and event.input.has_focus:
            self._suggesting = None
            self._complete(event.input)
        self._mark_stale()

    def on_select_changed(self, event: Select.Changed) -> None:
        self._mark_stale()

    def _complete(self, field: Input) -> None:
        self._choosing = False
        if self.completer is None:
            return
        choices = self.completer.complete(field.value)
        name = "From" if field.id == "explain-from" else "To"
        self.query_one(CompletionList).show(field.id or "", f"{name}: ↓↑ choose, Enter puts it in", choices)

    def show_suggestions(self, side: str, suggestions: tuple[str, ...]) -> None:
        """The engine's "did you mean" names, to pick with ↓↑ and Enter into the field they fix."""
        target = "explain-from" if side == "from" else "explain-to"
        self._suggesting = (target, tuple(suggestions))
        self._show_suggestions()
        self.set_focus(self.query_one(f"#{target}", Input))

    def _show_suggestions(self) -> None:
        target, suggestions = self._suggesting or ("", ())
        self._choosing = False
        self.query_one(CompletionList).show(
            target, f"Did you mean ({'From' if target == 'explain-from' else 'To'}): ↓↑ choose, Enter puts it in",
            [(value, "did you mean") for value in suggestions])

    def action_completion(self, delta: int) -> None:
        completions = self.query_one(CompletionList)
        if not completions.display or not completions.option_count or self.focused is None \
                or self.focused.id != completions.target:
            return
        if not self._choosing:
            self._choosing, completions.highlighted = True, 0 if delta > 0 else completions.option_count - 1
            return
        completions.highlighted = ((completions.highlighted or 0) + delta) % completions.option_count

    def on_completion_list_chosen(self, message: CompletionList.Chosen) -> None:
        field = self.query_one(f"#{message.target}", Input)
        field.value = message.value
        field.cursor_position = len(message.value)
        field.focus()
        self.query_one(CompletionList).hide()
        self._choosing = False
        self._suggesting = None

    def _current_request(self) -> ExplainRequest:
        return ExplainRequest(
            src=self.query_one("#explain-from", Input).value.strip(),
            dst=self.query_one("#explain-to", Input).value.strip(),
            port=self.query_one("#explain-port", Input).value.strip(),
            protocol=str(self.query_one("#explain-protocol", Select).value),
            dataplane=str(self.query_one("#explain-dataplane", Select).value), namespace=self.namespace)

    def _mark_stale(self) -> None:
        if self.request is None or not self.is_mounted:
            return
        stale = self._current_request() != self.request
        banner = self.query_one("#explain-stale", Static)
        banner.display = stale
        if stale:
            banner.update(Text(f"STALE: the inputs changed since this answer (it is for {clean(self.request.src, 120)} -> "
                               f"{clean(self.request.dst, 120)} on {self.request.protocol} {self.request.port}). "
                               "Enter explains the new question.", style="bold"))
        self.query_one("#explain-result").set_class(stale, "-stale")

    # ------------------------------------------------------------------ explain

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        completions = self.query_one(CompletionList)
        if self._choosing and completions.display and completions.highlighted is not None \
                and event.input.id == completions.target:
            self.on_completion_list_chosen(CompletionList.Chosen(completions.target,
                                                                 completions.values[completions.highlighted]))
            return
        self.action_explain()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_explain()

    def action_explain(self) -> None:
        request = self._current_request()
        if not request.port and request.dst:  # `example.com:443`: the port is in the name, as the CLI takes it
            from netpol_tui.policy.names import split_name

            parsed = split_name(request.dst)
            if parsed is not None and parsed[1] is not None:
                self.query_one("#explain-port", Input).value = str(parsed[1])
                request = self._current_request()
        missing = [name for name, value in (("from", request.src), ("to", request.dst), ("port", request.port))
                   if not value]
        if missing:
            self._show(Text(f"Fill in: {', '.join(missing)}.", style="yellow"))
            return
        self.request = request
        self.query_one(CompletionList).hide()
        self._mark_stale()
        recent = self._recent()
        recent[:] = [*(item for item in recent if item != request), request][-MAX_RECENT:]
        self._show(Text("Evaluating…", style="dim"))
        self._show_deciding([])
        snapshot, engines = self.snapshot, self.engines

        def work() -> None:
            from netpol_tui.policy import EndpointError

            try:
                result = compute_explain(snapshot, engines, request)
            except EndpointError as exc:  # the user's question, not a crash: say which side and offer names
                side = _failing_side(engines, request)
                self.post_message(VerdictComputed(request, error=str(exc), suggestions=exc.suggestions, side=side))
                return
            except ValueError as exc:  # bad ports and protocols
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
            if message.suggestions:
                self.show_suggestions(message.side or "to", message.suggestions)
            return
        self.result = result = message.result
        if result is None:  # neither an error nor an answer: never posted so
            return
        self._show(explain_block(result))
        self._show_deciding(result.get("deciding", []))

    def on_worker_state_changed(self, event) -> None:
        if event.state == WorkerState.ERROR:
            self._show(Text("The engine failed on this question; see the banner.", style="red"))
            self.app.post_message(WorkerFailed(event.worker.name, event.worker.error))

    def _show_deciding(self, entries: list[tuple[str, Any]]) -> None:
        """The deciding rules' objects to go to (a GoTo closes the dialog and opens the object)."""
        self.query_one("#explain-goto-title", Static).display = bool(entries)
        self.query_one("#explain-goto", RelatedList).show(entries)

    def _show(self, renderable: Any) -> None:
        self.query_one("#explain-output", Static).update(renderable)
        self.query_one("#explain-result", VerticalScroll).scroll_home(animate=False)

    def action_scroll_result(self, direction: int) -> None:
        result = self.query_one("#explain-result", VerticalScroll)
        (result.scroll_page_down if direction > 0 else result.scroll_page_up)(animate=False)

    def action_copy(self) -> None:
        if self.result is None or self.request is None:
            self.notify("Explain a connection first.", severity="warning")
            return
        self.post_message(CopyCommand(explain_text(self.result) + "\n$ " + self.request.command, "explanation"))
