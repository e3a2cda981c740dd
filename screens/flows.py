"""7 Flows: what the dataplane recorded (GKE policy-action logs, Hubble) against the engine.

Every observed group (source, destination, port, direction, observed disposition), denied
first, with the engine's verdict and a status: agrees, disagrees or unknown. `d` keeps the
denied groups only, `x` the disagreements only, `/` filters; the pane below says why (deciding
policy, why denied, each disagreement's diagnosis). Enter opens the Explain form filled in with
the group's question, `g` goes to the deciding policy (else to the pod), `c` copies the
`netpol-tui explain` command. Reading and comparing the records runs in a thread worker
(`netpol_tui.flows`). Without a flow source the screen says why and how to get one.
"""

from __future__ import annotations

from typing import Any, Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from netpol_tui.messages import FlowsCompared
from netpol_tui.screens.base import ModeScreen
from netpol_tui.screens.state import ConsoleState
from netpol_tui.screens.views import cell
from netpol_tui.text import clean
from netpol_tui.widgets.go_list import GoList
from netpol_tui.widgets.inputs import FilterBar
from netpol_tui.widgets.virtual_list import Column, Row, VirtualList

STATUS_STYLES = {"agrees": "green", "disagrees": "bold red", "unknown": "bold magenta", "not logged": "cyan"}
#: A deciding rule's kind (flows report) -> the object kind go-to opens.
KIND_OBJECTS = {"NetworkPolicy": "NetworkPolicy", "CCNP": "CiliumClusterwideNetworkPolicy",
                "CNP": "CiliumNetworkPolicy", "FQDNNetworkPolicy": "FQDNNetworkPolicy"}
VERDICT_STYLES = {"allow": "green", "deny": "red", "unknown": "magenta"}
#: Lines of the detail pane per kind of line, at most (a group can carry many reasons).
MAX_DETAIL_LINES = 6


def flow_sources(state: ConsoleState | None, given: tuple[str, ...]) -> tuple[tuple[str, ...], str | None]:
    """(flow record files, why there are none): `--flows` if given, else the demo's own records."""
    if given:
        return given, None
    options = state.options if state is not None else None
    if options is not None and options.demo:
        from netpol_tui.sources.demo import DEMO_FLOWS, NO_DEMO_FLOWS, demo_flow_paths

        paths = demo_flow_paths(options.demo)
        if paths:
            return paths, None
        if options.demo not in DEMO_FLOWS:
            return (), f"The {options.demo} demo has no flow records: {NO_DEMO_FLOWS.get(options.demo, 'none')}."
    return (), None


def no_source_text(snapshot: Any, reason: str | None) -> Text:
    """Why the list is empty and how to get records, for this cluster's dataplane."""
    from netpol_tui.model.gke_logging import NO_POLICY_LOGS, TURN_ON_LOGGING
    from netpol_tui.model.snapshot import Kind

    cluster = snapshot.cluster if snapshot is not None else None
    if reason is None and cluster is not None and cluster.datapath_known and not cluster.is_dataplane_v2:
        reason = f"No flow records: {NO_POLICY_LOGS}."
    text = Text(reason or "No flow source was given: start the console with --flows PATH (repeatable), an export "
                          "of the policy-action log or `hubble observe -o json` output saved to a file.",
                style="bold")
    if cluster is not None and not cluster.is_dataplane_v2 and cluster.datapath_known:
        return text
    config = snapshot.logging_config if snapshot is not None else None
    if snapshot is not None and snapshot.has(Kind.NETWORK_LOGGING):
        state = f"deny logging {config.deny.describe}, allow logging {config.allow.describe}" if config is not None \
            else "no NetworkLogging object 'default': nothing is logged"
        text.append(f"\nThis cluster's network policy logging: {state}.")
    text.append(f"\nTo get records: {TURN_ON_LOGGING}.", style="dim")
    return text


#: A group row's key: the group's index in the report.
GroupKey = tuple[Literal["group"], int]


def group_rows(report: Any, denied_only: bool = False, disagree_only: bool = False) -> list[Row[GroupKey]]:
    rows: list[Row[GroupKey]] = []
    for index, group in enumerate(report.groups):
        if (denied_only and group.observed != "deny") or (disagree_only and group.status != "disagrees"):
            continue
        src, dst = report.endpoint_line(group, "src"), report.endpoint_line(group, "dst")
        rows.append(Row.make(
            (group.status, group.observed + (" (audit)" if group.audit else ""), group.predicted, cell(src, 120),
             cell(dst, 120), f"{group.port}/{group.protocol}", group.direction or "-", str(group.count)),
            ("group", index),
            (STATUS_STYLES.get(group.status), VERDICT_STYLES.get(group.observed), VERDICT_STYLES.get(group.predicted),
             "bold", "bold", None, None, None),
            extra_search=group.kind, search_cells=(0, 1, 3, 4, 5)))
    return rows


def detail_text(report: Any, group: Any) -> Text:
    """The why of one group: deciding policies, why denied, the diagnosis, the explain command."""
    data = report.group_dict(group)
    text = Text()
    text.append(f"{group.count} records ({group.kind}), {data['first_seen'] or '?'} .. {data['last_seen'] or '?'}; "
                f"nodes: {', '.join(data['nodes'][:3]) or 'not recorded'}", style="dim")
    for item in data["deciding"][:MAX_DETAIL_LINES]:
        text.append("\ndeciding: ", style="bold")
        text.append(clean(item["text"], 300, single_line=True))
    if group.observed == "deny":
        for reason in data.get("would_allow", [])[:MAX_DETAIL_LINES]:
            text.append("\nwhy denied: ", style="bold red")
            text.append(clean(reason, 300, single_line=True))
    for item in data["diagnosis"][:MAX_DETAIL_LINES]:
        text.append(f"\ndiagnosis ({clean(item['kind'], 40)}): ", style="bold yellow")
        text.append(clean(item["text"], 400, single_line=True))
    text.append("\nexplain: ", style="bold")
    text.append(clean(data["explain_command"], 400, single_line=True))
    return text


def go_target(report: Any, group: Any, snapshot: Any = None) -> tuple[str, str | None, str] | None:
    """(kind, namespace, name) to go to: a deciding policy, else the pod whose policy decides (the
    destination for ingress, the source for egress), else the other pod. Of the policies that deny,
    one with rules for that direction comes first: the near miss to fix, not the default deny."""
    rules = {}
    for policy in getattr(snapshot, "policies", ()):
        rules[f"{policy.namespace}/{policy.name}"] = {"ingress": bool(policy.ingress), "egress": bool(policy.egress)}
    deciding = report.deciding(group)
    if group.predicted == "deny":
        deciding = sorted(deciding, key=lambda item: not rules.get(str(item["policy"]), {}).get(item["direction"]))
    for item in deciding:
        kind = KIND_OBJECTS.get(str(item.get("kind", "NetworkPolicy")), "NetworkPolicy")
        if kind == "CiliumClusterwideNetworkPolicy":
            return kind, None, str(item["policy"])
        namespace, _, name = str(item["policy"]).partition("/")
        if name:
            return kind, namespace, name
    ends = (group.src, group.dst) if group.direction == "egress" else (group.dst, group.src)
    for joined in ends:
        if joined.pod is not None:
            return "Pod", joined.pod.namespace, joined.pod.name
    return None


class FlowsScreen(ModeScreen):
    MODE = "flows"
    BINDINGS = [Binding("d", "denied_only", "Denied only"), Binding("x", "disagree_only", "Disagree only"),
                Binding("e", "explain", "Explain")]
    KEY_NOTES = (("enter", "the Explain form, filled in with the highlighted group's question"),
                 ("g", "go to the deciding policy of the highlighted group (a denied one: the policy whose "
                        "rules came closest; else its pod)"),
                 ("d", "denied groups only (again: all)"), ("x", "disagreements only (again: all)"),
                 ("c", "copy the netpol-tui explain command of the highlighted group"))

    def __init__(self) -> None:
        super().__init__()
        self.report: Any = None
        self.denied_only = False
        self.disagree_only = False
        self._generation: object = None

    def compose_body(self) -> ComposeResult:
        with Vertical(id="flows-body"):
            yield Static("Waiting for the verdict engine…", id="flows-summary")
            yield FilterBar("flows-groups")
            yield GoList([Column("STATUS", width=10), Column("SEEN", width=5), Column("ENGINE", width=7),
                          Column("FROM", min_width=10, max_width=34), Column("TO", flex=True, min_width=10), Column("PORT", width=9),
                          Column("DIR", width=7), Column("RECORDS", width=7)],
                         id="flows-groups", empty_text="Reading the flow records…", enter="Explain")
            yield Static("", id="flows-detail")

    def show_state(self, state: ConsoleState, previous: ConsoleState | None) -> None:
        if state.engine is None or state.engine is self._generation:
            return
        self._generation = engine = state.engine
        paths, reason = flow_sources(state, tuple(getattr(self.app, "flow_paths", ()) or ()))
        if not paths:
            self.report = None
            self.query_one("#flows-summary", Static).update(no_source_text(state.snapshot, reason))
            groups = self.query_one("#flows-groups", VirtualList)
            groups.empty_text = "No flow records (see above)."
            groups.set_rows([])
            return
        self.query_one("#flows-summary", Static).update(f"Reading {len(paths)} flow record file(s)…")
        options = state.options
        generation, snapshot = engine, state.snapshot
        assert snapshot is not None  # an engine is only ever built for a snapshot

        def work() -> None:
            from netpol_tui.flows import compare_flows
            from netpol_tui.flows.shell import source_words

            words = source_words(options.demo, options.files, options.context, options.kubeconfig, options.project,
                                 options.location, options.cluster)
            report = compare_flows(snapshot, engine, list(paths), source_words=words)
            self.post_message(FlowsCompared(generation, report))

        self.run_worker(work, thread=True, exit_on_error=False, name="flows", group="flows", exclusive=True)

    def on_flows_compared(self, message: FlowsCompared) -> None:
        if message.generation is not self._generation:
            return  # an older engine's answer: a newer one is on its way
        self.report = report = message.report
        summary = Text("  ".join(report.summary_lines()[:1]), style="bold")
        for line in report.summary_lines()[1:4]:
            summary.append("\n" + clean(line, 300, single_line=True), style="dim")
        summary.append(f"\nDenied first. d denied only{' [on]' if self.denied_only else ''} · x disagreements only"
                       f"{' [on]' if self.disagree_only else ''} · Enter explain · g go to the policy · c copy",
                       style="dim")
        self.query_one("#flows-summary", Static).update(summary)
        groups = self.query_one("#flows-groups", VirtualList)
        groups.empty_text = "No group matches (d / x toggle the filters)." if report.groups else \
            "The files hold no comparable flow record (see above)."
        groups.set_rows(group_rows(report, self.denied_only, self.disagree_only))
        self.show_filter_count("flows-groups")
        self._show_detail()

    def rows_shown(self, target: str) -> None:
        self._show_detail()

    def on_virtual_list_highlighted(self, event: VirtualList.Highlighted) -> None:
        if event.virtual_list.id == "flows-groups":
            self._show_detail()

    def on_virtual_list_selected(self, event: VirtualList.Selected) -> None:
        if event.virtual_list.id == "flows-groups":
            self.action_explain()

    def _group_row(self) -> Row[GroupKey] | None:
        return self.query_one("#flows-groups", VirtualList).highlighted_row

    def _group(self) -> Any:
        if self.report is None:
            return None
        row = self._group_row()
        return self.report.groups[row.key[1]] if row is not None and row.key[0] == "group" else None

    def _show_detail(self) -> None:
        group = self._group()
        self.query_one("#flows-detail", Static).update(detail_text(self.report, group) if group is not None else "")

    def _toggle(self, which: str) -> None:
        setattr(self, which, not getattr(self, which))
        if self.report is not None:
            self.on_flows_compared(FlowsCompared(self._generation, self.report))
        self.notify(f"{'Denied groups' if which == 'denied_only' else 'Disagreements'} only: "
                    f"{'on' if getattr(self, which) else 'off'}")

    def action_denied_only(self) -> None:
        self._toggle("denied_only")

    def action_disagree_only(self) -> None:
        self._toggle("disagree_only")

    def action_explain(self) -> None:
        group = self._group()
        state = self.console_state
        if group is None or state is None or state.snapshot is None:
            self.notify("Choose a group first.", severity="warning")
            return
        from netpol_tui.dialogs.explain import ExplainDialog
        from netpol_tui.flows.compare import endpoint_text

        self.app.push_screen(ExplainDialog(state.snapshot, {"auto": state.engine}, endpoint_text(group.src),
                                           endpoint_text(group.dst), str(group.port), protocol=group.protocol))

    def on_go_list_go_requested(self, event: GoList.GoRequested) -> None:
        from netpol_tui.screens.navigation import GoTo, ObjectRef

        group = self._group()
        snapshot = self.console_state.snapshot if self.console_state is not None else None
        target = go_target(self.report, group, snapshot) if group is not None else None
        if target is None:
            self.notify("This group names no policy or pod in the snapshot.", title="Go to", severity="warning")
            return
        self.post_message(GoTo(ObjectRef(*target)))

    def location(self) -> tuple[Any, Any]:
        row = self._group_row()
        return None, row.key if row is not None else None

    def reveal_object(self, ref: Any, selected: Any) -> bool | str:
        if selected is not None:
            self.query_one("#flows-groups", VirtualList).select_key(selected)
        return True

    def copy_target(self) -> tuple[str, str] | None:
        group = self._group()
        if group is None:
            return None
        return self.report.explain(group), "explain command"

    def yaml_target(self) -> tuple[str, Any] | None:
        group = self._group()
        if group is None:
            return None
        return f"flow group {group.port}/{group.protocol} {group.observed}", self.report.group_dict(group)

    def extra_commands(self) -> list[tuple[str, str, Any]]:
        return [("d", "Flows: denied groups only", self.action_denied_only),
                ("x", "Flows: disagreements only", self.action_disagree_only)]
