"""3 Policies: which policies select a pod and why; what a policy selects and allows.

Left, one filterable list of namespaces, policies and pods (100,000 pods stay instant: the list
renders only visible rows). Right, the highlighted object's details, computed by the engine in
a worker. `e` opens the Explain form for a connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import get_current_worker

from netpol_tui.messages import DetailsComputed, RowsPrepared
from netpol_tui.refs import policy_ref
from netpol_tui.screens.base import ModeScreen
from netpol_tui.screens.kind_views import KIND_CODES, RESOURCES, kind_policy_details
from netpol_tui.screens.state import ConsoleState
from netpol_tui.shell import kubectl, objects
from netpol_tui.widgets.inputs import FilterBar
from netpol_tui.widgets.related import RelatedList
from netpol_tui.widgets.virtual_list import Column, Row, VirtualList

if TYPE_CHECKING:
    from netpol_tui.model.snapshot import Snapshot
    from netpol_tui.policy import PolicyEngine
    from netpol_tui.screens.policy_views import PolicyRowKey

DETAIL_DELAY = 0.06
#: The generation tag of rows built ahead of their state (`prebuild_followed`).
PREBUILT = object()


class PoliciesScreen(ModeScreen):
    MODE = "policies"
    BINDINGS = [Binding("e", "explain", "Explain"), Binding("tab", "app.focus_next", "Next pane", show=False)]
    KEY_NOTES = (("e", "explain a connection, prefilled with the highlighted pod, Service or policy"),
                 ("enter/g", "in the Go to list under the details: open that policy, pod, Service or node"),
                 ("/", "filter: e.g. `pod shop`, `pol stor`, `app=web`, `fqdn`, `ccnp`"),
                 ("tab", "move between the list and the details"))

    def __init__(self) -> None:
        super().__init__()
        self.engines: dict[str, PolicyEngine] = {}
        self._detail_key: object = None
        self._detail_timer: Timer | None = None
        self._detail_obj: object = None
        #: id of a pod, policy or Service -> its row in the last build (`_object_rows`).
        self._row_cache: dict[int, Row[PolicyRowKey]] = {}
        #: id of a followed snapshot -> (it, its rows once built), built ahead of its state, oldest first.
        self._ahead: dict[int, tuple[Snapshot, RowsPrepared | None]] = {}
        #: state generation -> the snapshot its rows were asked for (late builds of older states are dropped).
        self._built_for: dict[object, Snapshot] = {}

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="policies-body"):
            with Vertical(id="policies-left"):
                yield FilterBar("objects")
                yield VirtualList([Column("KIND", width=4), Column("NAMESPACE", max_width=63, min_width=10),
                                   Column("NAME", max_width=120, min_width=16),
                                   Column("LABELS / SELECTOR", flex=True, min_width=12, shorten="end")],
                                  id="objects", empty_text="Loading…", enter=None)
            with VerticalScroll(id="policies-detail", can_focus=True):
                yield Static(Text("Highlight a pod, policy or namespace.", style="dim"), id="detail")
                yield Static(Text("Go to (Tab here; Enter or g opens)", style="bold"), id="related-title")
                yield RelatedList(id="related")

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")

    def show_state(self, state: ConsoleState, previous: ConsoleState | None) -> None:
        snapshot = state.snapshot
        if snapshot is None:
            return
        if previous is None or previous.snapshot is not snapshot:
            self.engines = {}
            self.query_one("#objects", VirtualList).empty_text = "No namespaces, pods or policies loaded."
            self._built_for[state.generation] = snapshot
            while len(self._built_for) > 4:
                del self._built_for[next(iter(self._built_for))]
            ahead = self._ahead.get(id(snapshot))
            for key in list(self._ahead):  # the snapshots followed before this one are never shown
                if key == id(snapshot):
                    break
                del self._ahead[key]
            if ahead is not None and ahead[0] is snapshot:
                if ahead[1] is not None:  # built while its checks ran: shown with its state
                    self._show_rows(ahead[1])
                # else: still building, shown when it arrives (on_rows_prepared)
            else:
                self._ahead.clear()
                self.prepare_rows("objects", self._object_rows, snapshot, generation=state.generation)
        if state.engine is not None and self.engines.get("auto") is not state.engine:
            self.engines = {"auto": state.engine}
            self._detail_key = None
            self._schedule_details()

    def prebuild_followed(self, snapshot: Snapshot) -> None:
        """The rows of a followed snapshot depend on it alone: built while its engine and checks
        run, held, and shown only together with the state that brings the snapshot (never before,
        so the list and the details always come from one snapshot). One such build waits at most:
        a snapshot whose build could not even queue gets its rows when its state arrives."""
        state = self.console_state
        if state is None or state.snapshot is snapshot or not self.is_current \
                or "objects:prebuild" in self._rows_waiting:
            return
        self._ahead[id(snapshot)] = (snapshot, None)
        self.prepare_rows("objects", self._object_rows, snapshot, generation=(PREBUILT, snapshot),
                          queue="objects:prebuild")

    def on_rows_prepared(self, message: RowsPrepared) -> None:
        # Textual calls ModeScreen's handler too unless told not to: it would show held rows
        message.prevent_default()
        generation = message.generation
        state = self.console_state
        if isinstance(generation, tuple) and generation and generation[0] is PREBUILT:
            snapshot = generation[1]
            ahead = self._ahead.get(id(snapshot))
            if ahead is None or ahead[0] is not snapshot:
                return  # a newer snapshot's state came first: these rows are never shown
            if state is not None and state.snapshot is snapshot:
                self._show_rows(message)
            else:
                self._ahead[id(snapshot)] = (snapshot, message)
            return
        if message.target == "objects" and state is not None and generation in self._built_for \
                and self._built_for[generation] is not state.snapshot:
            return  # built for an older state than the one the list already shows
        super().on_rows_prepared(message)

    def _show_rows(self, message: RowsPrepared) -> None:
        snapshot = message.generation[1]  # type: ignore[index]
        self._ahead.pop(id(snapshot), None)
        super().on_rows_prepared(message)

    def _object_rows(self, snapshot: Snapshot) -> Iterator[Row[PolicyRowKey] | None]:
        """`object_rows`, reusing the last build's rows of the objects this snapshot shares with it
        (a followed update changes a few pods out of 100,000); builds run one at a time
        (`prepare_rows`), so each starts from the one before."""
        from netpol_tui.screens.policy_views import object_rows

        fresh: dict[int, Row[PolicyRowKey]] = {}
        yield from object_rows(snapshot, self._row_cache, fresh)
        self._row_cache = fresh

    def rows_shown(self, target: str) -> None:
        self._schedule_details()

    # ------------------------------------------------------------------ details

    def on_virtual_list_highlighted(self, event: VirtualList.Highlighted) -> None:
        self._schedule_details()

    def _schedule_details(self) -> None:
        """Debounced: holding an arrow key does not queue one engine query per row."""
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(DETAIL_DELAY, self._compute_details)

    def _highlighted(self) -> Row[PolicyRowKey] | None:
        row: Row[PolicyRowKey] | None = self.query_one("#objects", VirtualList).highlighted_row
        return row

    def _compute_details(self) -> None:
        row = self._highlighted()
        state = self.console_state
        if row is None or state is None or state.snapshot is None:
            return
        selected = row.key
        kind, obj = selected
        key = (kind, id(obj) if kind != "ns" else obj, id(state.engine))
        if key == self._detail_key:
            return
        self._detail_key = key
        engine, snapshot = state.engine, state.snapshot

        def work() -> None:
            from netpol_tui.screens import policy_views
            from netpol_tui.screens.related import related_objects

            if selected[0] == "pod":
                renderable = policy_views.pod_details(engine, selected[1])
            elif selected[0] == "pol":
                renderable = policy_views.policy_details(engine, selected[1])
            elif selected[0] == "svc":
                renderable = policy_views.service_details(engine, snapshot, selected[1])
            elif selected[0] == "ns":
                renderable = policy_views.namespace_details(engine, snapshot, selected[1])
            else:
                renderable = kind_policy_details(engine, selected[1])
            related = related_objects(engine, snapshot, kind, obj)
            if not get_current_worker().is_cancelled:
                self.post_message(DetailsComputed(key, renderable, obj, related))

        self.run_worker(work, thread=True, exit_on_error=False, name="details", group="details", exclusive=True)

    def on_details_computed(self, message: DetailsComputed) -> None:
        if message.key != self._detail_key:
            return
        self._detail_obj = message.obj
        self.query_one("#detail", Static).update(message.renderable)
        self.query_one("#related-title", Static).display = bool(message.related)
        self.query_one(RelatedList).show(message.related)
        self.query_one("#policies-detail", VerticalScroll).scroll_home(animate=False)

    # ------------------------------------------------------------------ actions

    def action_explain(self) -> None:
        state = self.console_state
        if state is None or state.snapshot is None:
            self.notify("Nothing loaded yet.", severity="warning")
            return
        if state.engine is None:
            self.notify("The verdict engine is not ready" + (" (it failed: see the banner)."
                                                             if "engine" in state.errors else "; try again in a moment."),
                        severity="warning")
            return
        from netpol_tui.dialogs.explain import ExplainDialog
        from netpol_tui.screens.explain_prefill import Prefill, prefill_for

        selected = self._selected_object()
        prefill = prefill_for(selected[0], selected[1], state.engine) if selected is not None else Prefill()
        self.app.push_screen(ExplainDialog(state.snapshot, self.engines, prefill.src, prefill.dst, prefill.port,
                                           prefill.namespace))

    def extra_commands(self) -> list:
        return [("e", "Explain a connection", self.action_explain)]

    def _selected_object(self) -> PolicyRowKey | None:
        """(kind, object) of the highlighted Go to entry while that list has focus, else of the
        highlighted row."""
        related = self.query_one(RelatedList)
        if self.focused is related and related.highlighted_ref is not None:
            found = self._row_for(related.highlighted_ref)
            return found.key if found is not None else None
        row = self._highlighted()
        return row.key if row is not None else None

    def copy_target(self) -> tuple[str, str] | None:
        selected = self._selected_object()
        if selected is None:
            return None
        if selected[0] == "ns":
            return kubectl("get", "networkpolicy", namespace=selected[1]).text, "kubectl command"
        kind, obj = selected
        resource = {"pod": "pod", "pol": "networkpolicy", "svc": "service"}.get(kind) or RESOURCES[kind]
        return kubectl("describe", *objects(resource, obj.name), namespace=obj.namespace).text, "kubectl command"

    def yaml_target(self) -> tuple[str, Any] | None:
        related = self.query_one(RelatedList)
        if self.focused is related and related.highlighted_ref is not None:
            from netpol_tui.screens.navigation import find_object

            ref = related.highlighted_ref
            obj = find_object(self.console_state.snapshot if self.console_state else None, ref)
            return (ref.label, obj) if obj is not None else None
        selected = self._selected_object()
        if selected is None:
            return None
        if selected[0] == "ns":
            name = selected[1]
            snapshot = self.console_state.snapshot if self.console_state else None
            namespaces = snapshot.namespaces if snapshot is not None else ()
            namespace = next((ns for ns in namespaces if ns.name == name), None)
            return (f"namespace {name}", namespace) if namespace is not None else None
        if selected[0] in KIND_CODES:
            return policy_ref(selected[1]).label, selected[1]
        kind, obj = selected
        label = {"pod": "pod", "svc": "service"}.get(kind, "networkpolicy")
        return f"{label} {obj.namespace}/{obj.name}", obj

    # ------------------------------------------------------------------ go to object

    def location(self) -> tuple[Any, Any]:
        from netpol_tui.screens.navigation import ObjectRef

        row = self._highlighted()
        if row is None:
            return None, None
        selected = row.key
        if selected[0] == "ns":
            return ObjectRef("Namespace", selected[1], selected[1]), None
        if selected[0] in KIND_CODES:
            return policy_ref(selected[1]), None
        kind, obj = selected
        return ObjectRef({"pod": "Pod", "pol": "NetworkPolicy", "svc": "Service"}[kind], obj.namespace, obj.name), None

    def _row_for(self, ref: Any) -> Row[PolicyRowKey] | None:
        from netpol_tui.screens.navigation import row_matching

        row: Row[PolicyRowKey] | None = row_matching(self.query_one("#objects", VirtualList), self.console_state, ref)[1]
        return row

    def reveal_object(self, ref: Any, selected: Any) -> bool | str:
        from netpol_tui.screens.navigation import reveal_in_list

        state = self.console_state
        objects_list = self.query_one("#objects", VirtualList)
        if state is None or state.snapshot is None or (objects_list.total_count == 0 and (
                state.snapshot.pods or state.snapshot.policies or state.snapshot.namespaces or state.snapshot.cilium_policies)):
            return False
        outcome = reveal_in_list(self, objects_list, state, ref)
        if outcome is True:
            if self._detail_timer is not None:
                self._detail_timer.stop()
            self._compute_details()  # at once, not after the debounce: the detail is what was asked for
        return outcome
