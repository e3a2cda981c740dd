"""The app's side of going to objects: the trail, number-key switches, `GoTo`, Esc back and the
place the console starts at (the deep-link options, netpol_tui/deeplink.py).

A mixin of the App (as `dialogs.requests.DialogRequests` is), so app.py stays an orchestrator.
Screens say where they are (`ModeScreen.location`) and select what they are asked to
(`ModeScreen.request_reveal`); this only decides which screen and keeps the trail.
"""

from __future__ import annotations

from typing import Any

from netpol_tui.screens.navigation import Crumb, GoTo, ObjectRef, Trail


class Navigator:
    """`trail`, `action_switch_to`, `action_back` and the `GoTo` handler (mixed into the App)."""

    trail: Trail
    #: The `--explain` question until the engine is ready (set by the App from the deep link).
    start_explain: tuple[str, str, int] | None

    def open_start(self: Any, start: Any) -> None:
        """Open the start screen, selecting the start object once its rows are built (a name not in
        the snapshot leaves the screen open with a notice naming the closest ones)."""
        self.trail = Trail(start.screen)
        if start.select is not None:
            self.trail.update_here(ref=ObjectRef(*start.select))
        self._enter(self.trail.here)

    def explain_at_start(self: Any, snapshot: Any, engine: Any) -> None:
        """The `--explain` question, filled in and run as soon as the engine is ready (once); None
        for the engine: it failed, so say why the form did not open."""
        pending, self.start_explain = self.start_explain, None
        if pending is None:
            return
        if engine is None:
            self.notify("--explain: the verdict engine failed (see the banner); press e on Policies to retry.",
                        title="Explain", severity="error")
            return
        from netpol_tui.dialogs.explain import ExplainDialog

        src, dst, port = pending
        self.push_screen(ExplainDialog(snapshot, {"auto": engine}, src, dst, str(port), self.options.namespace,
                                       run_at_start=True))

    def action_switch_to(self: Any, mode: str) -> None:
        from netpol_tui.modes import MODE_NAMES

        if mode in MODE_NAMES and mode != self.current_mode:
            self._remember_here()
            self.trail.push(Crumb(mode))
            self._enter(self.trail.here, reveal=False)

    def action_back(self: Any) -> None:
        crumb = self.trail.back()
        if crumb is not None:
            self._enter(crumb)

    def on_go_to(self: Any, message: GoTo) -> None:
        ref = message.ref
        mode = ref.mode
        if mode is None:
            self.notify(f"No screen shows a {ref.kind}.", title="Go to", severity="warning", markup=False)
            return
        while self.screen.is_modal:  # the finding dialog the request came from
            self.pop_screen()
        if mode == "status" and self.current_mode == "status":  # the cluster is this screen's summary
            self.screen.request_reveal(ref)
            return
        self._remember_here(finding=message.finding)
        self.trail.push(Crumb(mode, ref))
        self._enter(self.trail.here)

    def _remember_here(self: Any, finding: Any = None) -> None:
        location = getattr(self.screen, "location", None)
        ref, selected = location() if location is not None else (None, None)
        self.trail.update_here(ref=ref, selected=selected, finding=finding)

    def _enter(self: Any, crumb: Crumb, reveal: bool = True) -> None:
        if crumb.mode != self.current_mode:
            from netpol_tui.textual_compat import switch_mode_at_once

            switch_mode_at_once(self, crumb.mode)  # a mounted screen shows at once (no 50 ms hold)
        screen = self.screen
        if reveal and (crumb.ref is not None or crumb.selected is not None):
            screen.request_reveal(crumb.ref, crumb.selected)
        show_trail = getattr(screen, "show_trail", None)
        if show_trail is not None:
            show_trail()
        if crumb.finding is not None:
            from netpol_tui.messages import ShowFinding

            self.post_message(ShowFinding(crumb.finding))
            self.trail.update_here(finding=None)
