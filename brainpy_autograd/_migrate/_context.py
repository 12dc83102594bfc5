"""What the rules share while one module is migrated (libcst's ``CodemodContext`` is the model).

>>> from brainpy_autograd._migrate._context import Finding
>>> Finding(3, 5, "reduce_axes=('b',) is no longer supported")
Finding(line=3, column=5, message="reduce_axes=('b',) is no longer supported")
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import libcst as cst
from libcst.metadata import PositionProvider, QualifiedName, QualifiedNameProvider

from .._names import TRANSFORM_NAMES
from ._scopes import binding_imports
from ._star import star_free

__all__ = ["Finding", "Counts", "ModuleContext", "TransformCall", "OURS", "SOURCES", "TARGETS"]

T = TypeVar("T")
V = TypeVar("V", bound=cst.CSTVisitor)

OURS = "brainpy_autograd"
TARGETS = frozenset(TRANSFORM_NAMES)
#: modules whose autodiff names are BrainPy's: the public ``brainpy.math`` paths
#: and the internal ``brainpy._src.math`` ones (BrainPy 2.4-2.6 code imports them)
SOURCES = frozenset(
    prefix + suffix
    for prefix in ("brainpy.math", "brainpy._src.math")
    for suffix in ("", ".jax", ".autograd", ".jax.autograd", ".object_transform",
                   ".object_transform.autograd")
)


@dataclass(frozen=True)
class Finding:
    """Something the migration left for a person, at a line of the module."""

    line: int
    column: int
    message: str


@dataclass
class Counts:
    """What the pass changed in a module."""

    references: int = 0  # names rewritten to brainpy_autograd
    keywords_removed: int = 0
    positionals_removed: int = 0

    @property
    def changes(self) -> int:
        return self.references + self.keywords_removed + self.positionals_removed


@dataclass
class TransformCall:
    """A call of a transform (``bm.grad(f, dyn_vars=v)``) while the call rules edit it.

    The rules read ``original`` (metadata lives on original nodes; its argument
    indices match ``updated``'s) and record their edits in ``drop`` and
    ``replace``; the pass applies them once, after the last rule.
    """

    original: cst.Call
    updated: cst.Call
    name: str  # the BrainPy name called: "grad", "jacobian", ...
    drop: set[int] = field(default_factory=set)
    replace: dict[int, cst.Arg] = field(default_factory=dict)
    #: the index in ``args`` of the positional ``grad_vars``, once a rule has found it
    grad_vars_index: int | None = None
    #: the parameter each positional argument is, once a rule has read the call's form
    read: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.positional) > 1:
            self.grad_vars_index = self.positional[1]  # the BrainPy 2.9 place

    @property
    def positional(self) -> list[int]:
        """Indices of the plain positional arguments (no keyword, no star)."""
        return [i for i, a in enumerate(self.original.args) if a.keyword is None and not a.star]


class ModuleContext:
    """The state one pass over one module shares between its rules: they read the
    module's metadata through it and write into it what another rule or the pass needs."""

    def __init__(self, metadata: cst.MetadataDependent, module: cst.Module,
                 path: Path | None, cell_mark: str | None) -> None:
        self._metadata = metadata
        self.module = module
        #: the file being migrated (star imports of modules next to it are read)
        self.path = path
        #: the start of the comment line before each notebook cell (None: not a notebook)
        self.cell_mark = cell_mark
        #: how deep the pass is inside functions and lambdas (their code runs later)
        self.deferred = 0
        self.findings: list[Finding] = []
        self.counts = Counts()
        #: the original import statements that bind the rewritten references' names
        #: (``import brainpy.math as bm`` for ``bm.grad``)
        self.bindings: list[cst.Import | cst.ImportFrom] = []
        #: each import statement's node in the new module, by the original's id
        self.updated_imports: dict[int, cst.CSTNode] = {}
        #: why the whole module must be left as it is (then the pass changes nothing)
        self.refusal: Finding | None = None
        #: module-level aliases of a transform (``grad = bm.grad``): name -> (module, name)
        self.aliases: dict[str, tuple[str, str]] = {}
        #: per-rule state, by rule name (a rule keeps what only it reads here: :meth:`once`)
        self.state: dict[str, Any] = {}

    # -- metadata

    def get_metadata(self, provider: Any, node: cst.CSTNode, default: Any = None) -> Any:
        return self._metadata.get_metadata(provider, node, default)

    def qualified(self, node: cst.CSTNode) -> set[str]:
        names: Collection[QualifiedName] = self.get_metadata(QualifiedNameProvider, node, set())
        return {n.name for n in names}

    def once(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()``, run on the first call for ``key`` in this module, then kept."""
        if key not in self.state:
            self.state[key] = compute()
        return self.state[key]

    def walk(self, visitor: V) -> V:
        """``visitor``, once it has walked the (original) module."""
        self.module.visit(visitor)
        return visitor

    def line_of(self, node: cst.CSTNode) -> int:
        return self.get_metadata(PositionProvider, node).start.line

    # -- what the rules report

    def _finding(self, node: cst.CSTNode, message: str) -> Finding:
        pos = self.get_metadata(PositionProvider, node).start
        return Finding(pos.line, pos.column + 1, message)

    def find(self, node: cst.CSTNode, message: str) -> None:
        self.findings.append(self._finding(node, message))

    def refuse(self, node: cst.CSTNode, message: str) -> None:
        """Leave the whole module as it is, and say why (the first refusal wins)."""
        if self.refusal is None:
            self.refusal = self._finding(node, message)

    # -- which names are ours to rewrite

    def target(self, node: cst.CSTNode, bound: bool = True) -> tuple[str, str] | None:
        """(module, name) if ``node`` names an autodiff function of BrainPy or ours.

        Only a name or an attribute names one. A call such as ``bm.grad(f)`` also
        carries the qualified name ``brainpy.math.grad`` in libcst's metadata, but
        calling *its result*, ``bm.grad(f)(x, t)``, calls the user's function. Unless
        ``bound`` is false, a use of BrainPy's that runs before every import binding its
        name is not one (:func:`._scopes.binding_imports`).
        """
        if not isinstance(node, (cst.Name, cst.Attribute)):
            return None
        names = self.qualified(node)
        found = [(module, attr) for module, _, attr in (n.rpartition(".") for n in names)
                 if attr in TARGETS and (module in SOURCES or module == OURS)]
        # another binding of the name (`bm = None`, `import mylib as bm`) leaves the
        # module as it is: rules.references.find_rebindings
        if not found or not star_free(self, node, OURS):
            return None
        # a use that runs before any import binds its name is left (rules.references)
        return found[0] if not bound or found[0][0] == OURS or binding_imports(self, node) \
            else None

    def call_target(self, func: cst.BaseExpression) -> tuple[str, str] | None:
        """The transform that a call of ``func`` calls: a name of ours or BrainPy's, or a
        module-level alias of one (``grad = bm.grad`` ... ``grad(f, dyn_vars=v)``)."""
        target = self.target(func)
        if target is None and isinstance(func, cst.Name) and func.value in self.aliases:
            if self.qualified(func) == {func.value} and star_free(self, func, OURS):
                return self.aliases[func.value]  # the module's name, not a local one
        return target
