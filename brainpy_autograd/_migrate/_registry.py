"""The rule registry: which rule's callbacks run on which node, and in what order.

Each module of :mod:`.rules` registers callbacks with :func:`register` (pyupgrade's
``_plugins/``); :class:`Rule` orders them (bump-pydantic's ``Rule``).

Callbacks take the module's :class:`~._context.ModuleContext` first, then:

- ``on="visit"``: the node (``None`` is returned);
- ``on="leave"``: the original and the updated node; they return the updated node
  (or a libcst ``FlattenSentinel``/``RemovalSentinel``);
- the node type :class:`~._context.TransformCall`: the call being edited, whose
  ``drop``/``replace`` they fill.

>>> from brainpy_autograd._migrate._registry import Rule
>>> [rule.value for rule in Rule][:3]
['aliases', 'from_imports', 'references']
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, Literal, TypeVar

__all__ = ["Rule", "register", "callbacks"]

F = TypeVar("F", bound=Callable[..., Any])


class Rule(StrEnum):
    """Every rewrite rule, in the order its callbacks run on the same node.

    A value is the name of the rule's module in ``rules/`` and of its golden pair
    (``tests/migrate/golden_migrate/<value>_before.py`` and ``_after.py``).
    """

    #: first: records ``grad = bm.grad`` when the assignment is visited, so that the
    #: call rules recognise ``grad(f, dyn_vars=v)`` further down
    ALIASES = "aliases"
    #: ``from brainpy.math import grad`` -> ``from brainpy_autograd import grad``, in place
    FROM_IMPORTS = "from_imports"
    #: ``bm.grad`` -> ``brainpy_autograd.grad``; before the call rules, which see a
    #: call's new name through it, and before the import rules, which read what it consumed
    REFERENCES = "references"
    #: on a call whose name it renamed: before the argument rules, so that the
    #: arguments they keep or turn into keywords are the re-indented ones
    ALIGNMENT = "alignment"
    #: ``dyn_vars=``, ``child_objs=``, ``reduce_axes=()``; ``**kwargs`` reported
    LEGACY_KEYWORDS = "legacy_keywords"
    #: BrainPy 2.2's positional ``dyn_vars``; it finds where ``grad_vars`` is
    POSITIONAL = "positional"
    #: after positional: it checks the ``grad_vars`` that positional located
    GRAD_VARS = "grad_vars"
    #: last: ``import brainpy_autograd`` right after the brainpy import it stands for
    IMPORT_PLACEMENT = "import_placement"


_ORDER = {rule: index for index, rule in enumerate(Rule)}
_TABLES: dict[str, dict[type, list[tuple[Rule, Callable[..., Any]]]]] = {"visit": {}, "leave": {}}


def register(node_type: type, rule: Rule, *,
             on: Literal["visit", "leave"] = "leave") -> Callable[[F], F]:
    """Register the decorated function as ``rule``'s callback for ``node_type``."""

    def decorator(func: F) -> F:
        entries = _TABLES[on].setdefault(node_type, [])
        entries.append((rule, func))
        entries.sort(key=lambda entry: _ORDER[entry[0]])  # stable: a rule's own order kept
        return func

    return decorator


def callbacks(on: Literal["visit", "leave"]) -> dict[type, tuple[Callable[..., Any], ...]]:
    """Every node type's callbacks, in rule order (a snapshot: build it once the rules
    are imported)."""
    return {node_type: tuple(func for _, func in entries)
            for node_type, entries in _TABLES[on].items()}


def rules_registered() -> set[Rule]:
    """The rules that have registered at least one callback."""
    return {rule for table in _TABLES.values() for entries in table.values()
            for rule, _ in entries}
