"""Every binding of every name in a module, read with :mod:`ast` (:mod:`.references`).

A rewrite is sure only for a name that nothing but a brainpy import binds
(``brainpy_autograd``: nothing but ``import brainpy_autograd``); any other binding
anywhere in the file (what :func:`.._star.bound_name` reads, a parameter,
``global``/``nonlocal``, an import, a patch on the way to a transform: ``setattr(bm, ...)``,
``bp.math = ...`` before ``bp.math.grad``) leaves the file as it is (docs/migrate-command.md).

>>> other_bindings(ast.parse("import brainpy.math as bm\\nmatch x:\\n    case {'a': bm}: pass\\n"))
{'bm': (3, 16)}
>>> other_bindings(ast.parse("import brainpy.math as bm\\nbm: int\\n"))
{}
"""

from __future__ import annotations

import ast

from .._context import TARGETS
from .._star import annotations_only, bound_name

__all__ = ["other_bindings", "transform_uses", "is_brainpy_module"]


def is_brainpy_module(name: str) -> bool:
    return name == "brainpy" or name.startswith("brainpy.")


def other_bindings(tree: ast.Module) -> dict[str, tuple[int, int]]:
    """For ``brainpy_autograd`` and each name that a brainpy import binds, where (line,
    column, 1-based) something else binds it first; names bound only so are left out."""
    imported = {"brainpy_autograd"}
    other: dict[str, tuple[int, int]] = {}

    def bind(name: str | None, node: ast.AST) -> None:
        if name is not None and name not in other:
            other[name] = (getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1)

    annotation_only = annotations_only(tree)
    uses = [f"{c}." for n in ast.walk(tree) if (getattr(n, "attr", None) or getattr(
        n, "id", None)) in TARGETS and (c := _dotted(n))]  # `bp.math.grad.`, `grad.`
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            from_brainpy = isinstance(node, ast.ImportFrom) and node.level == 0 \
                and is_brainpy_module(node.module or "")
            for alias in node.names:
                name = alias.asname or alias.name.split(".")[0]
                ours = alias.asname is None and name == "brainpy_autograd"
                if isinstance(node, ast.Import) and (is_brainpy_module(alias.name) or ours) \
                        or from_brainpy:
                    imported.add(name)
                elif alias.name != "*":
                    bind(name, node)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                bind(name, node)
        elif isinstance(node, ast.arg):
            bind(node.arg, node)
        elif (chain := _dotted(_patched(node))) and any(u.startswith(f"{chain}.") for u in uses):
            bind(chain.split(".")[0], node)
        else:
            bind(bound_name(node, annotation_only), node)
    return {name: where for name, where in other.items() if name in imported}


def _dotted(node: ast.AST | None) -> str | None:
    parts: list[str] = []  # `bp.math` for a chain of attributes on a name; else None
    while isinstance(node, ast.Attribute):
        parts, node = [node.attr, *parts], node.value
    return ".".join([node.id, *parts]) if isinstance(node, ast.Name) else None


def _patched(node: ast.AST, calls: tuple[str, ...] = ("setattr", "delattr")) -> ast.AST | None:
    """``X`` of ``setattr(X, ...)``, ``delattr``, ``X.__dict__[...] = ...``, ``vars(X)[...]
    = ...`` (or ``del``), an assigned or deleted ``X`` (``bm.grad = hook``: :mod:`.references`)."""
    if isinstance(node, ast.Call) and _dotted(node.func) in calls and node.args:
        return node.args[0]
    if isinstance(node, ast.Subscript) and not isinstance(node.ctx, ast.Load):
        return node.value.value if isinstance(node.value, ast.Attribute) and \
            node.value.attr == "__dict__" else _patched(node.value, ("vars",))
    return node if isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Load) \
        and node.attr not in TARGETS else None


def transform_uses(tree: ast.Module, names: set[str],
                   transforms: frozenset[str]) -> dict[str, tuple[int, int]]:
    """For each of ``names`` used as ``name.grad``, ``name.math.hessian`` (any chain that
    ends in a transform) or, itself a transform's name, as a name: where it is first."""
    found: dict[str, tuple[int, int]] = {}
    for node in ast.walk(tree):
        root: ast.AST = node
        if isinstance(node, ast.Attribute) and node.attr in transforms:
            while isinstance(root, ast.Attribute):
                root = root.value
        elif not (isinstance(node, ast.Name) and node.id in transforms):
            continue
        if isinstance(root, ast.Name) and root.id in names and root.id not in found:
            found[root.id] = (node.lineno, node.col_offset + 1)
    return found
