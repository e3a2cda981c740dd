"""tools/mutate.py: the mutants it makes, and that a run leaves the module it mutated as it was."""

from __future__ import annotations

import ast
import textwrap

from tools.mutate import apply, mutants, run_module

SOURCE = textwrap.dedent('''\
    def sign(x: int) -> int:
        """-1, 0 or 1."""
        if x < 0:
            return -1
        return 1 if x > 0 else 0


    def first_even(values: list[int]) -> int | None:
        for v in values:
            if v % 2:
                continue
            return v
        for v in values:
            try:
                int(v)
            except ValueError:
                continue
        return None


    def both(a: bool, b: bool) -> bool:
        return a and not b
''')


def test_mutants_are_the_listed_operators_and_each_changes_the_code():
    found = mutants(SOURCE, "demo.py")
    ops = {m.op for m in found}
    assert {"compare < -> <=", "compare > -> >=", "if branch dropped", "continue -> pass", "and -> or",
            "not removed", "int +1", "int -1", "return True", "return False"} <= ops
    plain = ast.unparse(ast.parse(SOURCE))
    texts = [apply(SOURCE, m) for m in found]
    assert all(text is not None and text != plain for text in texts)
    assert len(set(texts)) == len(texts)  # no two mutants are the same program


def test_a_continue_that_ends_the_loop_anyway_is_not_a_mutant():
    continues = [m.line for m in mutants(SOURCE, "demo.py") if m.op == "continue -> pass"]
    assert continues == [11]  # the one in `except ValueError:` at the end of the loop (line 17) is equivalent


def test_a_run_kills_a_mutant_and_restores_the_module(tmp_path):
    tree = tmp_path / "tree"
    (tree / "mutdemo").mkdir(parents=True)
    (tree / "tests" / "policy").mkdir(parents=True)
    module = tree / "mutdemo" / "signs.py"
    module.write_text(SOURCE)
    (tree / "tests" / "policy" / "test_signs.py").write_text(textwrap.dedent('''\
        from mutdemo.signs import sign

        def test_sign():
            assert [sign(-5), sign(0), sign(7)] == [-1, 0, 1]
    '''))
    report = run_module("mutdemo/signs.py", tree, limit=4, seed=1, log=lambda _: None)
    assert module.read_text() == SOURCE
    verdicts = [r["verdict"] for r in report["results"]]  # type: ignore[index]
    assert len(verdicts) == 4 and "killed" in verdicts
    assert set(verdicts) <= {"killed", "survived", "timeout"}
