"""Building frozen, slotted model objects without their generated `__init__`.

A frozen dataclass's `__init__` assigns every field through `object.__setattr__` looked up by
name, which is most of the cost of building 100,000 pods (benchmarks/load.md). For a class with
`slots=True`, no `__post_init__` and no field with a default factory that `__init__` would have
to compute, assigning each slot through its descriptor gives the very same object: every field
set, equal (`==`) to the one `__init__` builds. `positional_constructor` refuses any class for
which that is not so, and tests/model/test_pod_structs.py compares the two field by field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

_T = TypeVar("_T")


def positional_constructor(cls: type[_T]) -> Callable[..., _T]:
    """A function taking every field of `cls` positionally, in declaration order, and returning
    the instance `cls(*args)` would (no defaults: every argument must be given)."""
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    names = [field.name for field in fields]
    params = getattr(cls, "__dataclass_params__", None)
    if (params is None or not params.frozen or tuple(getattr(cls, "__slots__", ())) != tuple(names)
            or hasattr(cls, "__post_init__") or any(not field.init for field in fields)):
        raise TypeError(f"{cls.__name__} is not a frozen, slotted dataclass with plain fields")
    scope: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    for name in names:
        scope[f"_set_{name}"] = getattr(cls, name).__set__
    body = "".join(f"    _set_{name}(obj, {name})\n" for name in names)
    source = f"def make({', '.join(names)}):\n    obj = _new(_cls)\n{body}    return obj\n"
    exec(source, scope)
    make: Callable[..., _T] = scope["make"]
    make.__doc__ = f"{cls.__name__}(...) with every field given positionally."
    return make


__all__ = ["positional_constructor"]
