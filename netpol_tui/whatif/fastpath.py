"""The fast matrix and diff: the reference's questions, answered from bitsets (`grid.Grid`).

Same classes (`facts.ApiFacts`, grouped like `classes.pod_classes_reference`), same ports
(`ports.PortFinder`), same verdicts; the deciding rules of a listed flow or change are asked of
the engine itself when read, so they are `explain`'s words.

A change diff recomputes only what the change can change: a verdict moves only where a side's
policies move, i.e. the egress of sources or the ingress of destinations that an added or
removed policy selects. Everything else is counted from the before-engine's bitsets (an
unknown there is unknown after too, and counted as such).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from netpol_tui.policy import PolicyEngine
from netpol_tui.whatif.classes import FlowPort, PodClass, _grouped
from netpol_tui.whatif.facts import ApiFacts, Context
from netpol_tui.whatif.grid import Grid, iter_bits
from netpol_tui.whatif.ports import PortFinder
from netpol_tui.whatif.tally import Progress, Questions, Tally


def _first_facts(engine: PolicyEngine) -> tuple[Context, ApiFacts]:
    """The context of the engine's live pods and their facts under it, kept with the engine: a
    second diff or suggestion from the same engine (the console asking again) starts from them.
    Both are only read once made."""
    kept = engine.memo.get(__name__)
    if kept is None:
        snapshot_pods = engine.snapshot.pods
        pods = [pod for pod in snapshot_pods if pod.is_live]
        context = Context(pods, snapshot_pods, engine.label_groups(pods))
        kept = engine.memo[__name__] = (context, ApiFacts(engine, context))
    return kept


def prepare(engines: Sequence[PolicyEngine], extra_ports: Iterable[FlowPort] = ()
            ) -> tuple[Context, list[PodClass], list[tuple[FlowPort, ...]]]:
    """The context, the classes no engine can split, and each class's ports (any engine's)."""
    context, first = _first_facts(engines[0])
    pods = context.pods
    apis = [first]
    apis += [ApiFacts.derived(apis[0], engine) for engine in engines[1:]]
    combined = list(zip(*(api.facts for api in apis), strict=True))  # per pod, its facts under each engine
    classes = _grouped(pods, lambda index, pod: combined[index])
    extra = tuple(extra_ports)
    finders = [PortFinder(engine, api, extra) for engine, api in zip(engines, apis, strict=True)]
    if len(finders) == 1:
        ports_of = [finders[0].ports(c) for c in classes]
    else:
        ports_of = [tuple(sorted({p for finder in finders for p in finder.ports(c)})) for c in classes]
    return context, classes, ports_of


def fast_matrix(engine: PolicyEngine, namespace: str | None = None, extra_ports: Iterable[FlowPort] = (),
                progress: Progress | None = None) -> tuple[Grid, Questions, Tally]:
    """The grid, the questions and the namespace counts (`matrix.build_matrix` wraps them)."""
    context, classes, ports_of = prepare([engine], extra_ports)
    grid = Grid(engine, classes, context)
    questions = Questions(classes, ports_of, namespace)
    return grid, questions, Tally(grid, questions, progress)


def flows_of(grid: Grid, questions: Questions) -> Iterator[tuple[PodClass, PodClass, FlowPort, bool | None]]:
    """Every flow in the reference's order (destination, then source, then port)."""
    classes = grid.classes
    for target, ports in enumerate(questions.ports_of):
        if not ports:
            continue
        mask = questions.sources(target)
        own = 1 << target
        vectors = [grid.vector(target, port.port, port.protocol, mask & ~own) for port in ports]
        # asked only when the target is one of its own sources (a class of two pods or more)
        diagonal = ([grid.verdict(target, target, port.port, port.protocol) for port in ports]
                    if mask & own else [])
        for source in iter_bits(mask):
            bit = 1 << source
            for index, port in enumerate(ports):
                if source == target:
                    allowed = diagonal[index]
                else:
                    sure, maybe = vectors[index]
                    allowed = True if sure & bit else (None if maybe & bit else False)
                yield classes[source], classes[target], port, allowed
