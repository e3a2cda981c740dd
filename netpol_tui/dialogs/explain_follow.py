"""The Explain dialog follows the console's source: each update brings a new snapshot and engine.
The open answer is asked again on it (a thread worker, generation-tagged: an older answer never
overwrites a newer one) and marked when its verdict turns, so the engineer who just applied a
fix sees DENIED -> ALLOWED without pressing Enter."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text
from textual import events, on
from textual.message import Message

from netpol_tui.dialogs.base import Dialog
from netpol_tui.dialogs.explain_answer import ExplainRequest, compute_explain, verdict_word
from netpol_tui.messages import VerdictComputed
from netpol_tui.text import clean
from netpol_tui.widgets.verdicts import explain_block, explain_text


class ExplainReevaluated(Message):
    """The open answer asked again on a newer snapshot (`generation` tags which asking it answers:
    an older one never overwrites a newer one)."""

    def __init__(self, generation: int, request: ExplainRequest, snapshot: Any, result: Any = None,
                 error: str | None = None) -> None:
        super().__init__()
        self.generation = generation
        self.request = request
        self.snapshot = snapshot
        self.result = result
        self.error = error


class FollowedExplain(Dialog):
    """ExplainDialog's base: re-asking the open question on every followed snapshot."""

    snapshot: Any
    engines: dict[str, Any]
    request: ExplainRequest | None
    result: Any

    def _show(self, renderable: Any) -> None:
        """Hook (ExplainDialog): put `renderable` in the answer area."""

    @on(events.Mount)
    def _follow_on_mount(self) -> None:
        self._reevaluation = 0  # generation of the newest asking; older answers are dropped
        self._shown_word: str | None = None  # the verdict word of the answer shown
        self._verdict_change: tuple[ExplainRequest, str] | None = None
        self._updates = 0
        if hasattr(self.app, "state"):
            self.watch(self.app, "state", self._state_followed, init=False)

    def _state_followed(self, state: Any) -> None:
        """A new snapshot with its engine: the dialog moves on to it (so does the next Enter)."""
        if state is None or state.snapshot is None or state.engine is None or state.snapshot is self.snapshot:
            return
        self.snapshot, self.engines = state.snapshot, {"auto": state.engine}
        self._updates += 1
        self.reevaluate()

    def reevaluate(self) -> None:
        """Ask the open question again on the dialog's snapshot, off the UI thread."""
        request = self.request
        if request is None or not self.is_mounted:
            return
        self._reevaluation = generation = self._reevaluation + 1
        snapshot, engines = self.snapshot, self.engines

        def work() -> None:
            try:
                result = compute_explain(snapshot, engines, request)
            except ValueError as exc:  # an endpoint that went away, or a bad question
                self.post_message(ExplainReevaluated(generation, request, snapshot, error=str(exc)))
                return
            self.post_message(ExplainReevaluated(generation, request, snapshot, result=result))

        self.run_worker(work, thread=True, exit_on_error=False, name="explain", group="explain-follow")

    @on(VerdictComputed)
    def _verdict_answered(self, message: VerdictComputed) -> None:
        """The user's own answer (runs before on_verdict_computed): its verdict is the one later
        answers compare with; it was asked on the snapshot of its time, so after an update it is
        asked again on the newest."""
        if message.request != self.request:
            return
        self._shown_word = verdict_word(message.result, message.error)
        self._verdict_change = None
        if self._updates:
            self.call_later(self.reevaluate)

    def on_explain_reevaluated(self, message: ExplainReevaluated) -> None:
        if message.generation != self._reevaluation or message.request != self.request \
                or message.snapshot is not self.snapshot:
            return  # an older asking, another question, or a snapshot already replaced
        word = verdict_word(message.result, message.error)
        before = self._shown_word
        if before is not None and word != before:
            from netpol_tui import finding_history

            at = finding_history.clock_text(finding_history.wall_clock())
            self._verdict_change = (message.request, f"verdict changed: {before} -> {word} (at {at})")
        self._shown_word = word
        same = self.result is not None and message.result is not None \
            and explain_text(self.result) == explain_text(message.result)
        if same and word == before:
            return  # nothing to redraw: the scroll position stays
        self.result = message.result
        body = Text(clean(message.error, 1000), style="bold red") if message.error else explain_block(message.result)
        self._show(Group(*self.verdict_change_lines(), body))

    def verdict_change_lines(self) -> list[Text]:
        """The marker of the open question's last verdict change (none when it has not turned)."""
        change = self._verdict_change
        if change is None or change[0] != self.request:
            return []
        return [Text(f" {change[1]} ", style="bold reverse yellow"), Text("")]
