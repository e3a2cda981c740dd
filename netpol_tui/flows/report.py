"""The flows comparison as data (JSON-ready) and as text or Markdown for a ticket.

All text that came from the cluster or the logs goes through `netpol_tui.text.clean`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from netpol_tui.flows.compare import AGREES, DISAGREES, NOT_LOGGED, UNKNOWN, FlowGroup, endpoint_text, side_of
from netpol_tui.flows.join import EXTERNAL, NODE, SERVICE, Joined
from netpol_tui.flows.records import DENY, Problem, display_time
from netpol_tui.flows.shell import command, explain_command
from netpol_tui.text import clean

ONLY_CHOICES = ("all", "disagree", "deny")
MAX_REASONS = 6


def _c(value: Any) -> Any:
    return clean(value, single_line=True) if isinstance(value, str) else value


@dataclass
class FlowReport:
    groups: list[FlowGroup]
    problems: list[Problem]
    problem_count: int
    skipped: Counter
    records: int
    connections: int
    dataplane: str
    files_unreadable: int = 0
    source_words: list[str] = field(default_factory=list)
    dataplane_arg: str | None = None
    notes: tuple[str, ...] = ()
    #: The live log read (sources.gke_logs.LogRead.status()): what was read, whether in full, why not.
    logs: dict[str, Any] | None = None

    @property
    def logs_incomplete(self) -> bool:
        """The live log was asked for and not read, or read only in part: the groups are not all there is."""
        return self.logs is not None and self.logs.get("status") != "read"

    def counts(self) -> Counter:
        return Counter(group.status for group in self.groups)

    def selected(self, only: str = "all") -> list[FlowGroup]:
        if only == "disagree":
            return [g for g in self.groups if g.status == DISAGREES]
        if only == "deny":
            return [g for g in self.groups if g.observed == DENY]
        return list(self.groups)

    # ------------------------------------------------------------------ data

    def endpoint_dict(self, group: FlowGroup, which: str) -> dict[str, Any]:
        joined: Joined = group.src if which == "src" else group.dst
        data: dict[str, Any] = {"kind": joined.kind, "namespace": _c(joined.namespace)}
        pods = group.pods(which)
        if len(pods) == 1:
            data["pod"] = _c(pods[0])
        elif pods:
            data["pods"] = [_c(name) for name in pods]
        data["workload"] = _c(joined.workload)
        ips = group.ips(which)
        data["ip"] = ips[0] if len(ips) == 1 else None
        if len(ips) > 1:
            data["ips"] = ips
        if joined.kind == SERVICE and joined.service is not None:
            data["service"] = _c(f"{joined.service.namespace}/{joined.service.name}")
        if joined.kind == NODE:
            data["node"] = _c(joined.node)
        return data

    def deciding(self, group: FlowGroup) -> list[dict[str, Any]]:
        verdict = group.evaluation.verdict
        if verdict is None:
            return []
        sides = [side_of(verdict, group.direction)] if group.direction else [verdict.egress, verdict.ingress]
        out: list[dict[str, Any]] = []
        for side in sides:
            if side is None or not side.applies:
                continue
            if side.allowed is False and side.denied_by:  # a Cilium deny rule decided it
                out.extend(self._rule_item(ref) for ref in side.denied_by)
            elif side.allowed:
                out.extend(self._rule_item(ref) for ref in side.allowed_by)
            elif side.allowed is False:  # unknown: nothing decided it (the reasons say what may)
                out.extend({"policy": _c(name), "direction": str(side.direction).lower(), "rule": None,
                            "text": _c(f"{name} isolates {side.endpoint} for {str(side.direction).lower()}; none "
                                       "of its rules allows this")} for name in side.isolating_policies)
        return out

    @staticmethod
    def _rule_item(ref: Any) -> dict[str, Any]:
        """A deciding rule; `kind` tells a NetworkPolicy from a CCNP, CNP or FQDNNetworkPolicy of
        the same name (a CCNP's `policy` has no namespace)."""
        return {"policy": _c(ref.policy), "kind": getattr(ref, "kind", "NetworkPolicy"),
                "direction": str(ref.direction).lower(), "rule": ref.rule_index, "text": _c(str(ref))}

    def explain(self, group: FlowGroup) -> str:
        return explain_command(self.source_words, _c(endpoint_text(group.src)), _c(endpoint_text(group.dst)),
                               group.port, group.protocol, self.dataplane_arg)

    def group_dict(self, group: FlowGroup) -> dict[str, Any]:
        data: dict[str, Any] = {
            "src": self.endpoint_dict(group, "src"), "dst": self.endpoint_dict(group, "dst"),
            "port": group.port, "protocol": group.protocol, "direction": group.direction,
            "observed": group.observed, "count": group.count, "first_seen": display_time(group.first),
            "last_seen": display_time(group.last), "nodes": sorted(_c(node) for node in group.nodes),
            "predicted": group.predicted, "status": group.status, "deciding": self.deciding(group),
            "diagnosis": [{key: _c(value) if key != "reproduce" else value for key, value in item.items()}
                          for item in group.diagnosis],
            "records_from": group.kind, "explain_command": self.explain(group),
        }
        if group.audit:
            data["audit"] = True
        if group.observed == DENY or group.predicted == DENY:
            data["isolating"], data["would_allow"] = self._denial(group)
        return data

    def _denial(self, group: FlowGroup) -> tuple[list[str], list[str]]:
        verdict = group.evaluation.verdict
        if verdict is None:
            return [], []
        sides = [side_of(verdict, group.direction)] if group.direction else [verdict.egress, verdict.ingress]
        isolating: list[str] = []
        reasons: list[str] = []
        for side in sides:
            if side is None:
                continue
            isolating.extend(_c(name) for name in side.isolating_policies)
            reasons.extend(_c(reason) for reason in side.denied_because)
        return isolating, reasons[:MAX_REASONS]

    def to_dict(self, only: str = "all") -> dict[str, Any]:
        counts = self.counts()
        return {
            "groups": [self.group_dict(group) for group in self.selected(only)],
            "problems": [{key: _c(value) for key, value in problem.to_dict().items()} for problem in self.problems],
            "problems_total": self.problem_count,
            "skipped": [{"reason": _c(reason), "count": count} for reason, count in self.skipped.most_common()],
            "summary": {"records": self.records, "connections": self.connections, "groups": len(self.groups),
                        AGREES: counts[AGREES], DISAGREES: counts[DISAGREES], UNKNOWN: counts[UNKNOWN],
                        NOT_LOGGED: counts[NOT_LOGGED], "dataplane": self.dataplane},
            **({"logs": self._logs_dict()} if self.logs is not None else {}),
        }

    def _logs_dict(self) -> dict[str, Any]:
        data = {key: _c(value) for key, value in (self.logs or {}).items() if key != "fix"}
        fix = (self.logs or {}).get("fix")
        data["fix"] = command(fix) if fix else None
        return data

    def logs_lines(self) -> list[str]:
        """The live log read in a line or two (with the fix), or none when it was not asked for."""
        logs = self.logs
        if logs is None:
            return []
        where = f"{logs['log']} since {logs['since']}"
        if logs["status"] == "not read":
            why = logs.get("reason") or logs.get("cut") or ""
            lines = [f"Policy log NOT READ from Cloud Logging ({where}): {clean(why, 400, single_line=True)}"]
        else:
            why = "; ".join(clean(text, 300, single_line=True) for text in (logs.get("cut"), logs.get("reason"))
                            if text)
            state = "read" if logs["status"] == "read" else f"READ IN PART ({why})"
            lines = [f"Policy log {state} from Cloud Logging: {logs['entries']:,} entries of {where} in "
                     f"{logs['pages']} pages."]
            if logs["status"] == "read" and not logs["entries"]:
                lines.append("Note: no policy-action entries in that time: is network policy logging on (the "
                             "NetworkLogging object named default), and did the time span see traffic?")
        permission = logs.get("permission")
        if permission and permission not in lines[0]:
            lines.append(f"Ask for: {clean(permission, single_line=True)} on project "
                         f"{clean(str(logs.get('project')), single_line=True)}")
        if logs.get("fix"):
            lines.append(f"Fix: {command(logs['fix'])}")
        return lines

    # ------------------------------------------------------------------ text

    def endpoint_line(self, group: FlowGroup, which: str) -> str:
        """One end of the group in words (workload and pods, Service, address, node); cleaned by the caller."""
        return self._endpoint_line(group, which)

    def _endpoint_line(self, group: FlowGroup, which: str) -> str:
        joined = group.src if which == "src" else group.dst
        pods = group.pods(which)
        if joined.kind in (EXTERNAL, NODE):
            ips = group.ips(which)
            text = ", ".join(ips[:3]) + (f" (+{len(ips) - 3})" if len(ips) > 3 else "")
            return text + (f" (node {joined.node})" if joined.node else " (outside the cluster)"
                           if joined.kind == EXTERNAL else "")
        if joined.kind == SERVICE and joined.service is not None:
            return f"Service {joined.service.namespace}/{joined.service.name} ({joined.ip})"
        if joined.workload:
            many = f", {len(pods)} pods" if len(pods) > 1 else (f", pod {pods[0]}" if pods else "")
            return f"{joined.namespace}/{joined.workload}{many}"
        return f"{joined.namespace}/{pods[0] if pods else '?'}"

    def _headline(self, group: FlowGroup) -> str:
        engine = {UNKNOWN: "engine: unknown"}.get(group.predicted, f"engine: {group.predicted}")
        direction = group.direction or "direction not recorded"
        return clean(f"[{group.status.upper()}] observed {group.observed}{' (audit)' if group.audit else ''}, "
                     f"{engine} | {self._endpoint_line(group, 'src')} -> {self._endpoint_line(group, 'dst')} "
                     f"{group.protocol}/{group.port} {direction}", single_line=True)

    def _details(self, group: FlowGroup) -> list[str]:
        data = self.group_dict(group)
        seen = f"{data['first_seen']} .. {data['last_seen']}" if data["first_seen"] else "no times recorded"
        lines = [f"{group.count} records ({group.kind}), {seen}; nodes: {', '.join(data['nodes']) or 'not recorded'}"]
        lines += [f"deciding: {item['text']}" for item in data["deciding"]]
        if "would_allow" in data and group.observed == DENY:
            lines += [f"why denied: {reason}" for reason in data["would_allow"]]
        for item in data["diagnosis"]:
            lines.append(f"diagnosis ({item['kind']}): {item['text']}")
            if "reproduce" in item:
                lines += [f"  {key}: {clean(value, 300, single_line=True)}" for key, value in item["reproduce"].items()
                          if key != "engine"]
        lines.append(f"explain: {data['explain_command']}")
        return lines

    def summary_lines(self) -> list[str]:
        counts = self.counts()
        # "not logged" only when there are some: most clusters have no FQDNNetworkPolicy
        not_logged = f", {counts[NOT_LOGGED]:,} not logged" if counts[NOT_LOGGED] else ""
        lines = [f"{self.records:,} flow records, {self.connections:,} connections, {len(self.groups):,} groups: "
                 f"{counts[DISAGREES]:,} disagree, {counts[UNKNOWN]:,} unknown{not_logged}, {counts[AGREES]:,} agree "
                 f"(engine model: {self.dataplane})."]
        lines += self.logs_lines()
        lines += [f"Note: {note}" for note in self.notes]
        for reason, count in self.skipped.most_common():
            lines.append(f"Counted apart: {count} {clean(reason, single_line=True)}")
        if self.problem_count:
            lines.append(f"Problems: {self.problem_count} records or files could not be used (first: "
                         f"{clean(str(self.problems[0]), 200, single_line=True)})")
        return lines

    def to_text(self, only: str = "all") -> str:
        blocks = ["\n".join(self.summary_lines())]
        for group in self.selected(only):
            blocks.append("\n".join([self._headline(group)] + [f"  {line}" for line in self._details(group)]))
        return "\n\n".join(blocks)

    def to_markdown(self, only: str = "all") -> str:
        def cell(text: Any) -> str:
            return clean(str(text), single_line=True).replace("|", "\\|")

        out = ["## Observed flows against NetworkPolicy", "", *self.summary_lines(), "",
               "| status | observed | engine | source | destination | port | direction | records |",
               "|---|---|---|---|---|---|---|---|"]
        selected = self.selected(only)
        for group in selected:
            out.append(f"| {group.status} | {group.observed} | {group.predicted} | "
                       f"{cell(self._endpoint_line(group, 'src'))} | {cell(self._endpoint_line(group, 'dst'))} | "
                       f"{group.protocol}/{group.port} | {group.direction or '-'} | {group.count} |")
        for number, group in enumerate(selected, 1):
            out += ["", f"### {number}. {cell(self._headline(group))}", ""]
            details = self._details(group)
            out += [f"- {cell(line)}" for line in details[:-1]]
            out += ["", "```sh", self.explain(group), "```"]
        return "\n".join(out)
