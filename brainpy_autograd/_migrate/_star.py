"""Which names a star import binds, read from the imported module's source, never imported.

``__all__``, or else the module's top-level names without a leading ``_``, read with
:mod:`ast` from the source Python would import for the migrated file (:func:`_find_local`,
then :func:`_find_installed`), never executed (docs/migrate-command.md, "Where the new
import goes"). ``None``: the names cannot be told (not found, not Python source, names
made at run time: ``globals()[...] = ...``, ``sys.modules[...]``, a computed ``__all__``).

>>> star_names("os", 0, None) == frozenset()   # the standard library binds none of ours
True
>>> names_of(ast.parse("from x import y as z\\n__all__ = ['z']\\n"), None, set()) == {"z"}
True
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from importlib.machinery import PathFinder
from pathlib import Path
from typing import Any

import libcst as cst
from libcst.metadata import ScopeProvider
from libcst.metadata.scope_provider import GlobalScope

from .._names import TRANSFORM_NAMES
from ._syntax import code, full_name

__all__ = ["star_names", "names_of", "INERT", "star_free", "bound_name", "annotations_only"]

#: modules whose star import is taken to bind no name the migration rewrites: the
#: standard library and the scientific stack (their names are not brainpy aliases,
#: transforms or ``brainpy_autograd``)
INERT = frozenset({"__future__", "numpy", "scipy", "matplotlib", "pylab", "pandas", "tqdm",
                   "brainpy_autograd"} | set(getattr(sys, "stdlib_module_names", ())))
_DEPTH = 8  # star imports of star imports followed this deep (cycles stop earlier)


def star_names(module: str, level: int, path: Path | None,
               seen: set[Path] | None = None) -> frozenset[str] | None:
    """The names ``from <level dots><module> import *`` binds in the file at ``path``
    (None: they cannot be told)."""
    top = module.split(".")[0]
    # a script's own directory comes first on sys.path: a local `code.py` or `numpy.py`
    # wins on import, so it is read before such a name is taken to bind none of ours
    source = _find_local(module, level, path)
    if source is None and level == 0 and top in INERT:
        return frozenset()
    if source is None and level == 0 and top == "brainpy":  # BrainPy's own transforms
        return frozenset(TRANSFORM_NAMES if ".math" in module or "._src" in module else ())
    if source is None and level == 0:
        source = _find_installed(module)
    seen = set() if seen is None else seen
    if source is None or source in seen or len(seen) >= _DEPTH:
        return None
    seen.add(source)
    try:
        tree = ast.parse(source.read_bytes())
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    found = names_of(tree, source, seen)
    return None if found is None else frozenset(found)


def _find_local(module: str, level: int, path: Path | None) -> Path | None:
    """The source file of ``module`` next to the file at ``path``, above the file's package
    (``from pkg.util import *`` inside ``pkg``), or relative to the file."""
    if path is None:
        return None
    here = path.resolve().parent
    if level:
        roots = [here.parents[level - 2] if level > 1 else here]
    else:
        package = here
        while (package / "__init__.py").is_file():
            package = package.parent
        roots = [here, package]
    parts = [p for p in module.split(".") if p]
    return next((found for root in roots if (found := _file_in(root, parts))), None)


def _find_installed(module: str) -> Path | None:
    """The source file of (absolute) ``module`` where this Python finds it, without
    importing it."""
    parts = module.split(".")
    spec = PathFinder.find_spec(parts[0])
    if spec is None:
        return None
    found = next((found for location in spec.submodule_search_locations or []
                  if (found := _file_in(Path(location).parent, parts))), None)
    if found is None and spec.origin and len(parts) == 1 and spec.origin.endswith(".py"):
        return Path(spec.origin)
    return found


def _file_in(root: Path, parts: list[str]) -> Path | None:
    base = root.joinpath(*parts)
    # a package before a module of the same name, as Python's import finds them
    candidates = [base / "__init__.py", *([base.with_name(base.name + ".py")] if parts else [])]
    return next((candidate for candidate in candidates if candidate.is_file()), None)


def names_of(tree: ast.Module, path: Path | None, seen: set[Path]) -> set[str] | None:
    """The names a star import of the module ``tree`` binds (None: cannot be told)."""
    declared: set[str] | None = None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in (
                "globals", "locals", "vars", "exec") or isinstance(node, ast.Subscript) and \
                getattr(node.value, "attr", None) == "modules":  # `sys.modules[__name__].bm`
            return None  # names made at run time
        changed = node.target if isinstance(node, ast.AugAssign) else \
            node.value if isinstance(node, ast.Attribute) else None
        if isinstance(changed, ast.Name) and changed.id == "__all__":
            return None  # `__all__ += [...]`, `__all__.extend(...)`
    for node in _module_level(tree):
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            value = node.value
            if not (isinstance(value, (ast.List, ast.Tuple)) and all(
                    isinstance(e, ast.Constant) and isinstance(e.value, str)
                    for e in value.elts)):
                return None
            # more than one (`if`/`else`): any of them may be the one that ran
            declared = (declared or set()) | {e.value for e in value.elts}  # type: ignore[attr-defined]
    if declared is not None:
        return declared
    bound = _bound(tree, path, seen)
    return None if bound is None else {name for name in bound if not name.startswith("_")}


def _bound(tree: ast.Module, path: Path | None, seen: set[Path]) -> set[str] | None:
    """Every name the module binds at its own level, and every name a ``global``
    declares anywhere (None: a star import in it that cannot be told)."""
    bound: set[str] = set()
    annotation_only = annotations_only(tree)
    for node in _module_level(tree):
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            inner = star_names(node.module or "", node.level, path, seen)
            if inner is None:
                return None
            bound |= inner
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {a.asname or a.name.split(".")[0] for a in node.names}
        elif not (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Del)):
            name = bound_name(node, annotation_only)
            bound |= {name} if name is not None else set()
    bound |= {name for node in ast.walk(tree) if isinstance(node, ast.Global)
              for name in node.names}
    return bound


def annotations_only(tree: ast.AST) -> set[int]:
    """The ids of the targets of annotations without a value (``x: int`` binds nothing)."""
    return {id(n.target) for n in ast.walk(tree) if isinstance(n, ast.AnnAssign)
            and n.value is None}


def bound_name(node: ast.AST, annotation_only: set[int]) -> str | None:
    """The name ``node`` binds or deletes: a stored or deleted name (not one of
    ``annotation_only``), a ``def``, a class, a ``match`` capture, an ``except`` name."""
    if isinstance(node, ast.Name):
        return node.id if not isinstance(node.ctx, ast.Load) and \
            id(node) not in annotation_only else None
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                         ast.MatchAs, ast.MatchStar, ast.ExceptHandler)):
        return node.name
    return node.rest if isinstance(node, ast.MatchMapping) else None


def _module_level(tree: ast.Module) -> Iterator[ast.AST]:
    """Every node of the module that runs in its own namespace: not the bodies of
    functions, lambdas and classes (their decorators, defaults, annotations and bases
    are), nor a comprehension's own variables."""
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            todo += [*node.decorator_list, node.args, *([node.returns] if node.returns else [])]
        elif isinstance(node, ast.Lambda):
            todo.append(node.args)
        elif isinstance(node, ast.arguments):
            todo += [*node.defaults, *(d for d in node.kw_defaults if d is not None),
                     *(a.annotation for a in (*node.posonlyargs, *node.args, *node.kwonlyargs,
                                              *([node.vararg] if node.vararg else []),
                                              *([node.kwarg] if node.kwarg else []))
                       if a.annotation is not None)]
        elif isinstance(node, ast.ClassDef):
            todo += [*node.decorator_list, *node.bases, *node.keywords]
        elif isinstance(node, ast.comprehension):
            todo += [node.iter, *node.ifs]
        else:
            todo += list(ast.iter_child_nodes(node))


def star_free(ctx: Any, node: cst.Name | cst.Attribute, ours: str) -> bool:
    """Whether no star import may rebind the name that ``node`` starts with (or ``ours``,
    ``brainpy_autograd``, for a reference the rewrite renames) where ``node`` is; if one
    may, the module (``ctx``, a :class:`~._context.ModuleContext`) is refused, with the
    star import's module to check."""
    root: cst.BaseExpression = node
    while isinstance(root, cst.Attribute):
        root = root.value
    if not isinstance(root, cst.Name) or not _stars(ctx):
        return True
    bound: list[int] = []  # `import brainpy_autograd` goes where the root name is bound
    for name in [root.value, *([ours] if root is not node and root.value != ours else [])]:
        resolved = ctx.get_metadata(ScopeProvider, root)
        found = resolved[name] if resolved is not None else ()
        if any(not isinstance(a.scope, GlobalScope) for a in found):
            continue  # a local name: no star import reaches it
        # the lines of the module-level simple statements (which certainly run)
        top = ctx.once("star.top_lines", lambda: {ctx.line_of(s) for s in ctx.module.body
                                                  if isinstance(s, cst.SimpleStatementLine)})
        bound += [line for a in found if isinstance(a.node, cst.CSTNode)
                  and (line := ctx.line_of(a.node)) in top]
        hit = _rebinding(ctx, name, ctx.line_of(node), bound)
        if hit is not None:
            line, module, read = hit
            why = f"{module} defines `{name}`" if read else \
                f"the migration could not read {module} to see whether it defines `{name}`"
            ctx.refuse(node, f"the star import `from {module} import *` (line {line}) may "
                             f"rebind `{name}` before `{code(node)}` here: {why}; left as it "
                             f"is: check {module}, import what you use from it by name, and "
                             f"run the migration again.")
            return False
    return True


def _rebinding(ctx: Any, name: str, use: int, bound: list[int]) -> tuple[int, str, bool] | None:
    """(line, module, whether its names could be read) of the first star import that may
    rebind global ``name`` at line ``use``; ``bound``: the lines of the module's certain
    bindings of ``name``.

    A star import counts only if it runs before the use (for a use inside a function,
    that can be any time after the module's first binding of the name) and no certain
    binding of the name comes between them, and then only if its module may define the
    name.
    """
    read: dict[tuple[str, int], frozenset[str] | None] = ctx.once("star.names", dict)
    for line, module, level in _stars(ctx):
        if ctx.deferred:
            counts = not bound or line > min(bound)
        else:
            counts = line <= use and not any(line < b <= use for b in bound)
        if not counts:
            continue
        if (module, level) not in read:
            read[module, level] = star_names(module, level, ctx.path)
        names = read[module, level]
        if names is None or name in names:
            return line, "." * level + module, names is not None
    return None


class _Find(cst.CSTVisitor):
    def __init__(self, ctx: Any) -> None:
        super().__init__()
        self.ctx = ctx
        self.found: list[tuple[int, str, int]] = []

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            module = "" if node.module is None else full_name(node.module)
            self.found.append((self.ctx.line_of(node), module, len(node.relative)))


def _stars(ctx: Any) -> list[tuple[int, str, int]]:
    """(line, module, level) of each star import of the module, in line order (found once
    per module)."""
    return ctx.once("star.imports", lambda: sorted(ctx.walk(_Find(ctx)).found))
