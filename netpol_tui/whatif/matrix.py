"""The connectivity matrix: every (source class, destination class, port) with the engine's verdict.

A cell is exactly what `explain --from <source pod> --to <destination pod> --port N` says: the
reference path (`build_matrix_reference`) asks `PolicyEngine.evaluate` every question; the fast
path (`build_matrix`, from bitsets: grid.py, tally.py) gives the same verdicts, counted per
namespace pair, and asks the engine for a flow's deciding rules only when they are read. An
unknown verdict (a kind not read) stays unknown and is counted apart, never as allowed or denied.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from netpol_tui.model.objects import Pod
from netpol_tui.policy import PolicyEngine
from netpol_tui.policy.results import Endpoint, Verdict
from netpol_tui.shell import option_words
from netpol_tui.whatif.classes import FlowPort, PodClass, destination_ports, pod_classes_reference

Progress = Callable[[int, int], None]


def verdict_word(allowed: bool | None) -> str:
    return {True: "allow", False: "deny", None: "unknown"}[allowed]


def deciding(verdict: Verdict) -> tuple[str, ...]:
    """What decided it, as `explain` names it: the allowing rules, or the policies isolating the
    side that denies (with why), or why it is unknown."""
    if verdict.allowed is None:
        return tuple(verdict.unknown_because)
    sides = (verdict.egress, verdict.ingress)
    if verdict.allowed:
        out = [str(ref) for side in sides for ref in side.allowed_by]
        if not out:
            out = [side.summary for side in sides if side.summary and not side.isolated]
        return tuple(dict.fromkeys(out))[:6]
    out = []
    for side in sides:
        if side.allowed is False:
            # Why no rule allows it first (the near miss), then what isolates that side.
            out += list(side.denied_because[:3])
            out += [f"{side.direction.word} isolated by {policy}" for policy in side.isolating_policies]
    return tuple(dict.fromkeys(out))[:6]


@dataclass(frozen=True, slots=True)
class Flow:
    """One question and its verdict. `deciding` is asked of the engine when first read (a big
    matrix is counted from bitsets and its flows are rarely all listed); a flow made by the
    reference path carries it from the start."""

    src: PodClass
    dst: PodClass
    port: FlowPort
    allowed: bool | None
    _deciding: tuple[str, ...] | None = field(default=None, compare=False, repr=False)
    _engine: PolicyEngine | None = field(default=None, compare=False, repr=False)

    @property
    def deciding(self) -> tuple[str, ...]:
        words = self._deciding
        if words is None:
            words = () if self._engine is None else evaluate_flow(self._engine, self.src, self.dst, self.port).deciding
            object.__setattr__(self, "_deciding", words)
        return words

    @property
    def verdict(self) -> str:
        return verdict_word(self.allowed)

    @property
    def key(self) -> tuple[str, str, int, str]:
        return (self.src.label, self.dst.label, self.port.port, self.port.protocol)

    def explain_words(self) -> list[str]:
        """The `explain` arguments that ask the engine this flow's question."""
        return explain_words(self.src, self.dst, self.port)


@dataclass(frozen=True, slots=True)
class Cell:
    """A namespace pair: how many of its flows are allowed, denied, unknown."""

    allowed: int = 0
    denied: int = 0
    unknown: int = 0
    #: all / some / none allowed, or unknown when any flow is (so `none` is never a guess); set
    #: once, read as a plain attribute (a big cluster's text grid reads it 4 million times).
    state: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.unknown:
            state = "unknown"
        elif not self.total:
            state = "empty"
        else:
            state = "all" if not self.denied else ("none" if not self.allowed else "some")
        object.__setattr__(self, "state", state)

    @property
    def total(self) -> int:
        return self.allowed + self.denied + self.unknown


class Matrix:
    """The classes and every flow between them, with per namespace pair counts.

    Built by the fast path, the counts come from bitsets (`tally.Tally`) and `flows` is made
    on first read; built by the reference path (or given flows), everything comes from flows.
    """

    __slots__ = ("_cells", "_flows", "_make_flows", "_tally", "classes", "dataplane", "notes")

    def __init__(self, dataplane: str, classes: tuple[PodClass, ...], flows: tuple[Flow, ...] | None = None,
                 notes: tuple[str, ...] = (), tally: Any = None,
                 make_flows: Callable[[], Iterable[Flow]] | None = None) -> None:
        self.dataplane, self.classes, self.notes = dataplane, tuple(classes), tuple(notes)
        self._flows, self._tally, self._make_flows = flows, tally, make_flows
        self._cells: dict | None = None

    @property
    def flows(self) -> tuple[Flow, ...]:
        if self._flows is None:
            self._flows = tuple(self._make_flows()) if self._make_flows is not None else ()
        return self._flows

    def namespaces(self) -> tuple[str, ...]:
        return tuple(sorted({c.namespace for c in self.classes}))

    def cells(self) -> Mapping[tuple[str, str], Cell]:
        """Per (source namespace, destination namespace) with flows: its counts (read-only)."""
        if self._tally is not None:
            if self._cells is None:
                from netpol_tui.gcpause import gc_paused
                from netpol_tui.whatif.tally import cell_dict

                with gc_paused():  # millions of key tuples on a big cluster
                    self._cells = cell_dict(self._tally, Cell)
            return MappingProxyType(self._cells)
        counts: dict[tuple[str, str], list[int]] = {}
        for flow in self.flows:
            entry = counts.setdefault((flow.src.namespace, flow.dst.namespace), [0, 0, 0])
            entry[0 if flow.allowed else 1 if flow.allowed is False else 2] += 1
        return {key: Cell(*value) for key, value in counts.items()}

    def counts(self) -> dict[str, int]:
        if self._tally is not None:
            return self._tally.counts()
        return {"flows": len(self.flows), "allowed": sum(1 for f in self.flows if f.allowed),
                "denied": sum(1 for f in self.flows if f.allowed is False),
                "unknown": sum(1 for f in self.flows if f.allowed is None)}


def explain_words(src: PodClass, dst: PodClass, port: FlowPort) -> list[str]:
    """The `explain` arguments that ask the engine a flow's question (of a matrix or a diff): the
    same representative pods the flow was evaluated on."""
    source, destination = representatives(src, dst)
    return [*option_words("--from", f"{source.namespace}/{source.name}"),
            *option_words("--to", f"{destination.namespace}/{destination.name}"),
            "--port", str(port.port), "--protocol", port.protocol]


def representatives(src: PodClass, dst: PodClass) -> tuple[Pod, Pod]:
    """One pod of each; within one class, two different pods (a pod to itself is never checked)."""
    return src.pod, (dst.pods[1] if src is dst and len(dst.pods) > 1 else dst.pod)


def evaluate_flow(engine: PolicyEngine, src: PodClass, dst: PodClass, port: FlowPort) -> Flow:
    source, destination = representatives(src, dst)
    verdict = engine.evaluate(Endpoint.for_pod(source), Endpoint.for_pod(destination), port.port, port.protocol)
    return Flow(src, dst, port, verdict.allowed, deciding(verdict))


def flow_questions(engines: Sequence[PolicyEngine], classes: Sequence[PodClass], namespace: str | None = None,
                   extra_ports: Iterable[FlowPort] = ()) -> list[tuple[PodClass, PodClass, FlowPort]]:
    """Every question the matrix asks: each pair of classes (into or out of `namespace` when
    given; a lone pod to itself left out) on each port any engine finds toward the destination."""
    extra = tuple(extra_ports)
    questions: list[tuple[PodClass, PodClass, FlowPort]] = []
    for dst in classes:
        ports = sorted({port for engine in engines for port in destination_ports(engine, dst, extra)})
        for src in classes:
            if namespace is not None and namespace not in (src.namespace, dst.namespace):
                continue
            if src is dst and len(src.pods) == 1:
                continue
            questions.extend((src, dst, port) for port in ports)
    return questions


def build_matrix(engine: PolicyEngine, namespace: str | None = None, extra_ports: Iterable[FlowPort] = (),
                 progress: Progress | None = None) -> Matrix:
    """The matrix, counted from bitsets when the engine allows it (`facts.supported`), else by
    `build_matrix_reference`; both give the same classes, counts and flows."""
    from netpol_tui.whatif.facts import supported

    if not supported(engine):
        return build_matrix_reference(engine, namespace, extra_ports, progress)
    from netpol_tui.gcpause import gc_paused
    from netpol_tui.whatif.fastpath import fast_matrix, flows_of

    with gc_paused():  # as the engine's build: bulk allocation beside a big snapshot
        grid, questions, tally = fast_matrix(engine, namespace, extra_ports, progress)
    return Matrix(str(engine.dataplane), tuple(questions.shown_classes()), None, tuple(engine.notes), tally,
                  lambda: (Flow(*flow, None, engine) for flow in flows_of(grid, questions)))


def build_matrix_reference(engine: PolicyEngine, namespace: str | None = None, extra_ports: Iterable[FlowPort] = (),
                           progress: Progress | None = None) -> Matrix:
    """Every question asked of `PolicyEngine.evaluate`, as `explain` would: the reference."""
    classes = pod_classes_reference(engine)
    questions = flow_questions([engine], classes, namespace, extra_ports)
    flows = []
    for index, (src, dst, port) in enumerate(questions):
        flows.append(evaluate_flow(engine, src, dst, port))
        if progress is not None and index % 2000 == 0:
            progress(index, len(questions))
    if namespace is not None:
        classes = list({id(c): c for q in questions for c in q[:2]}.values())
    return Matrix(str(engine.dataplane), tuple(classes), tuple(flows), tuple(engine.notes))
