"""The matrix's questions answered from a `Grid`: namespace cells counted from bitsets, and the
flows themselves only when someone lists them.

The questions are the reference's (`matrix.flow_questions`): per destination class, every source
class (into or out of one namespace when given; a lone pod to itself left out) on each of the
destination's ports. A namespace cell's counts are popcounts of the verdict bitsets per source
namespace; a set denser than half is counted by its complement, so "everyone may talk" costs as
little as "nobody may".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import repeat

from netpol_tui.whatif.classes import FlowPort, PodClass
from netpol_tui.whatif.grid import Grid, iter_bits

Progress = Callable[[int, int], None]
ALLOWED, UNKNOWN, TOTAL = 0, 1, 2


class Questions:
    """Which (source, destination, port) the matrix asks, as bitsets over class indices."""

    def __init__(self, classes: Sequence[PodClass], ports_of: Sequence[tuple[FlowPort, ...]],
                 namespace: str | None) -> None:
        self.classes, self.ports_of, self.namespace = list(classes), list(ports_of), namespace
        n = len(self.classes)
        self.all = (1 << n) - 1
        self.inside = 0
        if namespace is not None:
            for index, pod_class in enumerate(self.classes):
                if pod_class.namespace == namespace:
                    self.inside |= 1 << index

    def sources(self, target: int) -> int:
        """Sources asked toward the target, its own bit included when it has two pods."""
        pod_class = self.classes[target]
        mask = self.all if self.namespace is None or pod_class.namespace == self.namespace else self.inside
        if len(pod_class.pods) < 2:
            mask &= ~(1 << target)
        return mask

    def shown_classes(self) -> list[PodClass]:
        """The classes of the questions in the reference's order (first seen: source, then
        destination) when a namespace narrows them; all classes otherwise."""
        if self.namespace is None:
            return self.classes
        seen: dict[int, None] = {}
        done: set[tuple[int, int]] = set()
        for target, ports in enumerate(self.ports_of):
            if not ports:
                continue
            mask = self.sources(target)
            if not mask:
                continue
            group = (mask | (1 << target), mask)
            if group in done:
                seen.setdefault(target, None)
                continue
            for index, source in enumerate(iter_bits(mask)):
                seen.setdefault(source, None)
                if index == 0:
                    seen.setdefault(target, None)
            done.add(group)
        return [self.classes[index] for index in seen]


class Tally:
    """Per (source namespace, destination namespace): allowed / unknown / total flow counts."""

    def __init__(self, grid: Grid, questions: Questions, progress: Progress | None = None) -> None:
        classes = questions.classes
        self.namespaces = sorted({c.namespace for c in classes})
        position = {ns: i for i, ns in enumerate(self.namespaces)}
        ns_of = [position[c.namespace] for c in classes]
        self.size = [0] * len(self.namespaces)
        for index in ns_of:
            self.size[index] += 1
        count = len(self.namespaces)
        #: per destination namespace and kind: how many times every source class counts once ...
        self.mult = [[0, 0, 0] for _ in range(count)]
        #: ... plus these corrections per source namespace
        self.sparse: list[list[dict[int, int]]] = [[{}, {}, {}] for _ in range(count)]
        n = grid.n
        everything = questions.all
        by_port: dict[FlowPort, list[int]] = {}
        for target, ports in enumerate(questions.ports_of):
            for port in ports:
                by_port.setdefault(port, []).append(target)
        done = 0
        total_questions = sum(len(targets) for targets in by_port.values())
        for port, targets in sorted(by_port.items()):
            for target in targets:
                mask = questions.sources(target)
                row = ns_of[target]
                own = 1 << target
                if mask & own:
                    verdict = grid.verdict(target, target, port.port, port.protocol)
                    extra = self.sparse[row]
                    extra[TOTAL][row] = extra[TOTAL].get(row, 0) + 1
                    if verdict is not False:
                        kind = ALLOWED if verdict else UNKNOWN
                        extra[kind][row] = extra[kind].get(row, 0) + 1
                    mask &= ~own
                allowed, unknown = grid.vector(target, port.port, port.protocol, mask)
                full = (mask | own) == everything
                self._add(row, TOTAL, mask, full, everything, ns_of, n)
                self._add(row, ALLOWED, allowed, full, everything, ns_of, n)
                if unknown:
                    self._add(row, UNKNOWN, unknown, full, everything, ns_of, n)
                done += 1
                if progress is not None and done % 2000 == 0:
                    progress(done, total_questions)
            grid.forget_columns()

    def _add(self, row: int, kind: int, bits: int, full: bool, everything: int, ns_of: list[int], n: int) -> None:
        extra = self.sparse[row][kind]
        if full and bits.bit_count() * 2 > n:
            self.mult[row][kind] += 1
            for index in iter_bits(everything & ~bits):
                key = ns_of[index]
                extra[key] = extra.get(key, 0) - 1
        else:
            for index in iter_bits(bits):
                key = ns_of[index]
                extra[key] = extra.get(key, 0) + 1

    def value(self, src: int, dst: int, kind: int) -> int:
        return self.mult[dst][kind] * self.size[src] + self.sparse[dst][kind].get(src, 0)

    def counts(self) -> dict[str, int]:
        sums = [0, 0, 0]
        everyone = sum(self.size)
        for row in range(len(self.namespaces)):
            for kind in (ALLOWED, UNKNOWN, TOTAL):
                sums[kind] += self.mult[row][kind] * everyone + sum(self.sparse[row][kind].values())
        return {"flows": sums[TOTAL], "allowed": sums[ALLOWED], "denied": sums[TOTAL] - sums[ALLOWED] - sums[UNKNOWN],
                "unknown": sums[UNKNOWN]}


def cell_dict(tally: Tally, make: Callable[[int, int, int], object]) -> dict[tuple[str, str], object]:
    """`Matrix.cells()` from a Tally: a Cell per namespace pair with flows. A real dict (the
    text grid looks every pair up twice), with one Cell object per distinct count: a source
    namespace no correction names counts by its size alone, so most cells share a few objects."""
    names, size = tally.namespaces, tally.size
    made: dict[tuple[int, int, int], object] = {}
    out: dict[tuple[str, str], object] = {}

    def cell(mult: list[int], extra: list[dict[int, int]], src: int, count: int) -> object | None:
        total = mult[TOTAL] * count + extra[TOTAL].get(src, 0)
        if total <= 0:
            return None
        allowed = mult[ALLOWED] * count + extra[ALLOWED].get(src, 0)
        unknown = mult[UNKNOWN] * count + extra[UNKNOWN].get(src, 0)
        counts = (allowed, total - allowed - unknown, unknown)
        found = made.get(counts)
        if found is None:
            found = made[counts] = make(*counts)
        return found

    sizes = sorted(set(size))
    for dst, dst_name in enumerate(names):
        mult, extra = tally.mult[dst], tally.sparse[dst]
        special = set(extra[TOTAL]) | set(extra[ALLOWED]) | set(extra[UNKNOWN])
        if mult[TOTAL]:
            # Every source namespace counts by its size alone but those a correction names:
            # the row is made at C speed, then those few are put right.
            by_size = {count: cell(mult, extra, -1, count) for count in sizes}
            row = [by_size[count] for count in size]
            for src in special:
                row[src] = cell(mult, extra, src, size[src])
            out.update(zip(zip(names, repeat(dst_name)), row, strict=True))
            for src in special:
                if row[src] is None:
                    del out[(names[src], dst_name)]
        else:
            for src in sorted(special):
                found = cell(mult, extra, src, size[src])
                if found is not None:
                    out[(names[src], dst_name)] = found
    return out
