"""A small mutation tester for the verdict code (policy/ and checks/), one module at a time.

    python tools/mutate.py netpol_tui/policy/ranges.py checks/ipblocks.py --max 40 --out /tmp/mut.json

Mutants are made with `ast` (comparison flips, and/or swap, `not` removed, an int constant +1/-1,
True/False swapped, a returned constant changed, an `if` branch dropped, a comprehension filter
dropped, `continue`/`break` turned into `pass`). Each mutant is written into a COPY of the tree
under /tmp (never into the checkout), its area's tests run there (`pytest -x -n 0`, the tests that
name the module first) with a per-mutant timeout, and the result (killed, survived, timeout) goes
to a JSON report; `--markdown` prints the survivors as a table. Run it under `nice -n 10`.

The copy holds netpol_tui/, checks/, screens/, tests/ and pyproject.toml, with netpol_tui/checks
and netpol_tui/screens as symlinks so that the installed layout (netpol_tui.checks) resolves to
the copy before the editable install. CI=true makes the Hypothesis runs derandomized and
database-free, so mutants leave no examples behind and a verdict can be reproduced.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: examples per property test in the copy (the checkout's tests ask for 80-300)
HYPOTHESIS_EXAMPLES = 30

_COMPARE_FLIPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In,
    ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}
_SYMBOL = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
           ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not"}


@dataclass(frozen=True)
class Mutant:
    """One change: the `index`-th node of `ast.walk` of the module, changed by operator `op`."""

    path: str
    index: int
    op: str
    line: int
    col: int
    before: str
    after: str


def _tail_continues(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The `continue` statements that end a loop body anyway (turning them into `pass` is equivalent)."""
    last = body[-1] if body else None
    if isinstance(last, ast.Continue):
        yield last
    elif isinstance(last, ast.If):
        yield from _tail_continues(last.body)
        yield from _tail_continues(last.orelse)
    elif isinstance(last, ast.Try) and not last.finalbody:
        if not last.orelse:
            yield from _tail_continues(last.body)
        for handler in last.handlers:
            yield from _tail_continues(handler.body)


def _skipped_nodes(tree: ast.Module) -> set[int]:
    """Nodes never mutated: annotations, `if TYPE_CHECKING:`, `__all__` and equivalent `continue`s."""
    skip: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.For | ast.While):
            skip.extend(_tail_continues(node.body))
        if isinstance(node, ast.arg | ast.AnnAssign) and node.annotation is not None:
            skip.append(node.annotation)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns is not None:
            skip.append(node.returns)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.append(node)
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            skip.append(node)
    return {id(sub) for top in skip for sub in ast.walk(top)}


def _changes(node: ast.AST) -> Iterator[tuple[str, Callable[[ast.AST], ast.AST | None]]]:
    """(operator name, function changing the node in place or returning its replacement)."""
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            flipped = _COMPARE_FLIPS.get(type(op))
            if flipped is not None:
                def flip(n: ast.AST, i: int = i, flipped: type[ast.cmpop] = flipped) -> None:
                    assert isinstance(n, ast.Compare)
                    n.ops[i] = flipped()
                yield f"compare {_SYMBOL[type(op)]} -> {_SYMBOL[flipped]}", flip
    elif isinstance(node, ast.BoolOp):
        def swap(n: ast.AST) -> None:
            assert isinstance(n, ast.BoolOp)
            n.op = ast.Or() if isinstance(n.op, ast.And) else ast.And()
        yield ("and -> or" if isinstance(node.op, ast.And) else "or -> and"), swap
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "not removed", lambda n: n.operand  # type: ignore[attr-defined]
    elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
        yield f"{node.value} -> {not node.value}", lambda n: ast.Constant(not n.value)  # type: ignore[attr-defined]
    elif isinstance(node, ast.Constant) and isinstance(node.value, int):
        yield "int +1", lambda n: ast.Constant(n.value + 1)  # type: ignore[attr-defined]
        yield "int -1", lambda n: ast.Constant(n.value - 1)  # type: ignore[attr-defined]
    elif isinstance(node, ast.Return) and isinstance(node.value, ast.Constant) and node.value.value is None:
        pass  # a bare `return None` has no different constant worth trying
    elif isinstance(node, ast.Return) and node.value is not None and not isinstance(node.value, ast.Constant):
        if isinstance(node.value, ast.Compare | ast.BoolOp) or (
                isinstance(node.value, ast.UnaryOp) and isinstance(node.value.op, ast.Not)):
            def ret_true(n: ast.AST) -> None:
                assert isinstance(n, ast.Return)
                n.value = ast.Constant(True)
            def ret_false(n: ast.AST) -> None:
                assert isinstance(n, ast.Return)
                n.value = ast.Constant(False)
            yield "return True", ret_true
            yield "return False", ret_false
    elif isinstance(node, ast.If):
        def drop_branch(n: ast.AST) -> None:
            assert isinstance(n, ast.If)
            n.test = ast.Constant(False)
        yield "if branch dropped", drop_branch
    elif isinstance(node, ast.comprehension) and node.ifs:
        def drop_filter(n: ast.AST) -> None:
            assert isinstance(n, ast.comprehension)
            n.ifs = []
        yield "comprehension filter dropped", drop_filter
    elif isinstance(node, ast.Continue | ast.Break):
        yield f"{type(node).__name__.lower()} -> pass", lambda n: ast.Pass()


def _replace(tree: ast.Module, old: ast.AST, new: ast.AST) -> None:
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
                return
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if item is old:
                        value[i] = new
                        return
    raise ValueError("node not found")


def _short(node: ast.AST) -> str:
    text = ast.unparse(node).splitlines()[0] if not isinstance(node, ast.If) else "if " + ast.unparse(node.test)
    return text if len(text) <= 90 else text[:87] + "..."


def mutants(source: str, path: str) -> list[Mutant]:
    """Every mutant of one module's source, in a stable order."""
    tree = ast.parse(source)
    skip = _skipped_nodes(tree)
    found: list[Mutant] = []
    for index, node in enumerate(ast.walk(tree)):
        if id(node) in skip:
            continue
        for op, _change in _changes(node):
            mutated = apply(source, Mutant(path, index, op, 0, 0, "", ""))
            if mutated is None:
                continue
            after_node = list(ast.walk(ast.parse(mutated)))
            # a comprehension clause has no position of its own: its target's
            line = getattr(node, "lineno", getattr(getattr(node, "target", None), "lineno", 0))
            found.append(Mutant(path, index, op, line, getattr(node, "col_offset", 0), _short(node),
                                _short(after_node[index]) if index < len(after_node) else op))
    return found


def apply(source: str, mutant: Mutant) -> str | None:
    """The module's source with the mutant applied (None when the operator does not apply)."""
    tree = ast.parse(source)
    nodes = list(ast.walk(tree))
    node = nodes[mutant.index]
    for op, change in _changes(node):
        if op == mutant.op:
            replacement = change(node)
            if replacement is not None:
                _replace(tree, node, replacement)
            ast.fix_missing_locations(tree)
            return ast.unparse(tree)
    return None


def make_copy(dest: Path) -> Path:
    """A copy of the tree that the tests can run against (the checkout is never written)."""
    tree = dest / "tree"
    if tree.exists():
        shutil.rmtree(tree)
    tree.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "__snapshots__")
    for name in ("netpol_tui", "checks", "screens", "tests"):
        shutil.copytree(ROOT / name, tree / name, ignore=ignore, symlinks=True)
    shutil.copy2(ROOT / "pyproject.toml", tree / "pyproject.toml")
    (tree / "netpol_tui" / "checks").symlink_to("../checks")
    (tree / "netpol_tui" / "screens").symlink_to("../screens")
    # fewer Hypothesis examples in the copy's property tests (speed; a survivor is re-checked by hand)
    for test in (tree / "tests").rglob("test_*propert*.py"):
        test.write_text(re.sub(r"max_examples=\d+", f"max_examples={HYPOTHESIS_EXAMPLES}", test.read_text()))
    # bytecode for the unchanged modules once; the runs write none (the mutated module's is removed)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree)], check=True)
    return tree


def test_files(module: str, tree: Path) -> list[str]:
    """The module's area's test files, those that name the module first."""
    area = "tests/checks" if module.startswith("checks/") else "tests/policy"
    stem = Path(module).stem
    files = sorted(str(p.relative_to(tree)) for p in (tree / area).glob("test_*.py"))
    naming = [f for f in files if stem in (tree / f).read_text()]
    # the property tests (Hypothesis) are slow: after the examples of the same priority
    slow = [f for f in files if "propert" in f]
    ordered = [f for f in naming if f not in slow] + [f for f in naming if f in slow]
    ordered += [f for f in files if f not in naming and f not in slow] + [f for f in files if f not in naming and f in slow]
    return ordered


PYTEST_ARGS = ["-x", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:textual-snapshot",
               "-p", "no:syrupy", "--no-header", "-o", "addopts="]


def _verdict(code: int | None, output: str) -> tuple[str, str]:
    if code is None:
        return "timeout", ""
    failed = [line for line in output.splitlines() if line.startswith(("FAILED", "ERROR"))]
    return ("survived" if code == 0 else "killed"), (failed[0] if failed else output[-200:])


def _pytest(tree: Path, files: list[str], timeout: float, fork: bool = True) -> tuple[str, float, str]:
    """Run the files' tests against the copy: (killed|survived|timeout, seconds, first failure).

    With `fork`, a child of this process (which has imported pytest and Hypothesis but never
    netpol_tui) runs pytest.main: no interpreter start-up and plugin loading per mutant."""
    start = time.monotonic()
    if not fork:
        env = dict(os.environ, CI="true", PYTHONDONTWRITEBYTECODE="1")
        env.pop("PYTHONPATH", None)
        try:
            done = subprocess.run([sys.executable, "-m", "pytest", *PYTEST_ARGS, *files], cwd=tree, env=env,
                                  capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return "timeout", time.monotonic() - start, ""
        verdict, detail = _verdict(done.returncode, done.stdout)
        return verdict, time.monotonic() - start, detail
    out = tree.parent / "pytest-output.txt"
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 3
        try:
            signal.alarm(int(timeout) + 1)  # SIGALRM's default action ends the child: a timeout
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.chdir(tree)
            sys.path.insert(0, str(tree))
            sys.dont_write_bytecode = True
            import pytest

            code = int(pytest.main([*PYTEST_ARGS, *files]))
            sys.stdout.flush()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    elapsed = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    verdict, detail = _verdict(None if code == -signal.SIGALRM else code, out.read_text(errors="replace"))
    return verdict, elapsed, detail


def _clear_bytecode(target: Path) -> None:
    for pyc in (target.parent / "__pycache__").glob(f"{target.stem}.*.pyc"):
        pyc.unlink()


def run_module(module: str, tree: Path, limit: int, seed: int, log: Callable[[str], None]) -> dict[str, object]:
    target = tree / module
    original = target.read_text()
    every = mutants(original, module)
    chosen = sorted(random.Random(f"{seed}:{module}").sample(every, min(limit, len(every))),
                    key=lambda m: (m.line, m.index, m.op))
    files = test_files(module, tree)
    # the baseline runs the unparsed source, so a kill is the mutation's and not ast.unparse's
    target.write_text(ast.unparse(ast.parse(original)))
    _clear_bytecode(target)
    verdict, baseline, detail = _pytest(tree, files, timeout=900)
    if verdict != "survived":
        target.write_text(original)
        _clear_bytecode(target)
        return {"module": module, "error": f"baseline not green: {detail}"}
    timeout = baseline * 1.5 + 15
    log(f"{module}: {len(every)} mutants, {len(chosen)} sampled, baseline {baseline:.1f}s, {len(files)} files")
    results = []
    try:
        for mutant in chosen:
            mutated = apply(original, mutant)
            assert mutated is not None
            target.write_text(mutated)
            _clear_bytecode(target)
            verdict, elapsed, detail = _pytest(tree, files, timeout)
            results.append({**asdict(mutant), "verdict": verdict, "seconds": round(elapsed, 1), "detail": detail})
            log(f"  {verdict:8} {module}:{mutant.line}:{mutant.col} {mutant.op}: {mutant.before} -> {mutant.after}")
    finally:
        target.write_text(original)
        _clear_bytecode(target)
    return {"module": module, "total": len(every), "sampled": len(chosen), "baseline_seconds": round(baseline, 1),
            "results": results}


def verify(specs: list[str], tests: list[str], work: Path) -> int:
    """Does a new test kill the mutants on `module:LINE[:COL]`? (the check of a kill test)"""
    tree = make_copy(work)
    verdict, _, detail = _pytest(tree, tests, 300)
    if verdict != "survived":
        print(f"the tests fail without a mutant: {detail}")
        return 1
    for spec in specs:
        module, _, where = spec.partition(":")
        line, _, col = where.partition(":")
        original = (tree / module).read_text()
        for mutant in mutants(original, module):
            if str(mutant.line) != line or (col and str(mutant.col) != col):
                continue
            (tree / module).write_text(apply(original, mutant) or original)
            _clear_bytecode(tree / module)
            verdict, _, detail = _pytest(tree, tests, 300)
            print(f"{verdict:8} {module}:{mutant.line}:{mutant.col} {mutant.op}: {mutant.before} -> {mutant.after}"
                  f"  {detail if verdict == 'killed' else ''}", flush=True)
        (tree / module).write_text(original)
        _clear_bytecode(tree / module)
    return 0


def markdown(report: list[dict[str, object]]) -> str:
    lines = ["| module | mutants | sampled | killed | timeout | survived |", "|---|---|---|---|---|---|"]
    survivors = []
    for entry in report:
        results = entry.get("results", [])
        assert isinstance(results, list)
        counts = {v: sum(r["verdict"] == v for r in results) for v in ("killed", "timeout", "survived")}
        lines.append(f"| `{entry['module']}` | {entry.get('total', '-')} | {entry.get('sampled', '-')} | "
                     f"{counts['killed']} | {counts['timeout']} | {counts['survived']} |")
        survivors += [r for r in results if r["verdict"] == "survived"]
    lines += ["", "Survivors:", ""]
    lines += [f"- `{r['path']}:{r['line']}:{r.get('col', '?')}` {r['op']}: `{r['before']}` -> `{r['after']}`" for r in survivors]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="paths relative to the checkout, e.g. netpol_tui/policy/ranges.py or ...ranges.py:20")
    parser.add_argument("--max", type=int, default=40, help="mutants sampled per module")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "netpol-mutation.json")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "netpol-mutation")
    parser.add_argument("--list", action="store_true", help="only print the mutants")
    parser.add_argument("--markdown", type=Path, help="print the report in this JSON file as markdown")
    parser.add_argument("--verify", nargs="+", metavar="TEST",
                        help="run these tests against each mutant of the one module given as LINE[:COL]")
    args = parser.parse_args(argv)
    os.environ["CI"] = "true"  # derandomized Hypothesis without an example database (tests/conftest.py)
    os.environ.pop("PYTHONPATH", None)
    if args.verify:
        return verify(args.modules, args.verify, args.work)
    if args.markdown:
        print(markdown(json.loads(args.markdown.read_text())))
        return 0
    if args.list:
        for module in args.modules:
            for m in mutants((ROOT / module).read_text(), module):
                print(f"{module}:{m.line} {m.op}: {m.before} -> {m.after}")
        return 0
    tree = make_copy(args.work)
    import _hypothesis_pytestplugin  # noqa: F401  (loaded once here, before the children fork)
    import hypothesis  # noqa: F401
    import pytest  # noqa: F401
    report: list[dict[str, object]] = json.loads(args.out.read_text()) if args.out.exists() else []
    done = {entry["module"] for entry in report}
    for spec in args.modules:
        module, _, limit = spec.partition(":")  # `path:N` samples N mutants of that module
        if module in done:
            continue
        report.append(run_module(module, tree, int(limit or args.max), args.seed, lambda s: print(s, flush=True)))
        args.out.write_text(json.dumps(report, indent=1))
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
