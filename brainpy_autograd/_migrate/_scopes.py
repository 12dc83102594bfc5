"""Which import statements bind the name that a use resolves through, read from libcst's
scopes, and whether the use runs after one of them.

``import brainpy_autograd`` goes after each import that binds ``bm`` (rule
``import_placement``), so a ``bm.grad`` that runs before every such import would find
``brainpy_autograd`` unbound as well: it is left as it is (rule ``references``).

>>> from brainpy_autograd._migrate import migrate_source
>>> print(migrate_source("k = bm.grad(f)\\nimport brainpy.math as bm\\n").findings[0].message)
`bm.grad` runs before any import binds `bm` (one further down does), so it is left as ...
"""

from __future__ import annotations

from typing import Any

import libcst as cst
from libcst.metadata import PositionProvider, ScopeProvider
from libcst.metadata.scope_provider import Access, Assignment, FunctionScope

__all__ = ["binding_imports"]

_IMPORTS = (cst.Import, cst.ImportFrom)


def binding_imports(ctx: Any, use: cst.Name | cst.Attribute) -> list[cst.Import | cst.ImportFrom]:
    """Every import statement that binds the name ``use`` resolves through (``bm`` of
    ``bm.grad``, ``brainpy.math`` of ``brainpy.math.grad``, the name ``grad`` itself), in
    the scope where one of them binds it; none when ``use`` runs before all of them."""
    node: cst.BaseExpression = use.value if isinstance(use, cst.Attribute) else use
    while True:  # libcst records the access on the outermost node it resolved
        access = _access(ctx, node)
        if access is not None or not isinstance(node, cst.Attribute):
            break
        node = node.value
    seen = [referent for referent in (access.referents if access is not None else ())
            if isinstance(referent, Assignment) and isinstance(referent.node, _IMPORTS)]
    if not any(_runs_after(ctx, use, referent) for referent in seen):
        return []
    # (other bindings of the name: rules.references.find_rebindings refused the module)
    return list({id(found.node): found.node for referent in seen
                 for found in referent.scope.assignments[referent.name]
                 if isinstance(found, Assignment) and isinstance(found.node, _IMPORTS)}.values())


def _access(ctx: Any, node: cst.CSTNode) -> Access | None:
    """libcst's access at ``node`` (``scope.accesses[node]`` holds every access of its name:
    one read per use made a file's time grow with the square of its uses)."""
    scope = ctx.get_metadata(ScopeProvider, node)
    if scope is None:
        return None
    by_node = ctx.once(f"scopes.accesses.{id(scope)}",
                       lambda: {id(access.node): access for access in scope.accesses})
    return by_node.get(id(node))


def _runs_after(ctx: Any, use: cst.CSTNode, referent: Assignment) -> bool:
    """Whether ``use`` runs after the import of ``referent``: it stands in a function
    called later, or below the import (a class body or comprehension runs at once)."""
    scope = ctx.get_metadata(ScopeProvider, use)
    while scope is not None and scope is not referent.scope and scope is not scope.parent:
        if isinstance(scope, FunctionScope):  # (a lambda's too)
            return True
        scope = scope.parent
    where = ctx.get_metadata(PositionProvider, use).start
    bound = ctx.get_metadata(PositionProvider, referent.node).end
    return (bound.line, bound.column) <= (where.line, where.column)
