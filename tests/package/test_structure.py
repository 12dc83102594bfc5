"""The package's shape: three rooms, dependencies one way, no import circle, small pieces."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "brainpy_autograd"
SUBSYSTEMS = ("_adapter", "_engine", "_migrate")
#: modules that every room may use: small, and importing no room
SHARED = ("_names", "_types", "_checks", "_internals", "_x64_guard")
MAX_LINES = 120


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    base = module.split(".") if is_package else module.split(".")[:-1]
    if node.level:
        base = base[: len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if not target.startswith("brainpy_autograd"):
        return []
    if node.module is None:  # from . import a, b
        return [f"{target}.{alias.name}" for alias in node.names]
    return [target]


def import_graph() -> dict[str, set[str]]:
    """Every module of the package, with the package modules it imports (anywhere in it,
    ``TYPE_CHECKING`` blocks and function bodies included)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                targets.update(_resolve(name, path.name == "__init__.py", node))
            elif isinstance(node, ast.Import):
                targets.update(a.name for a in node.names if a.name.startswith("brainpy_"))
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "brainpy_autograd"


def test_no_module_imports_itself_back():
    graph = import_graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if nxt == "brainpy_autograd":  # the package __init__ only re-exports, lazily
                continue
            if state.get(nxt) == 1:
                circle = path[path.index(nxt):] + [nxt]
                pytest.fail("import circle: " + " -> ".join(circle))
            if nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_dependencies_point_one_way():
    allowed = {
        "_adapter": {"_adapter", "_engine", *SHARED},
        "_engine": {"_engine", *SHARED},
        "_migrate": {"_migrate", "_names"},  # so that the command starts without JAX
        # a user-facing helper: the public API (the package's lazy names) and _checks' messages
        "testing": {"testing", "brainpy_autograd", "_checks"},
        **{shared: set(SHARED) for shared in SHARED},
    }
    wrong = []
    for module, targets in import_graph().items():
        room = _room(module)
        for target in targets:
            if room in allowed and _room(target) not in allowed[room]:
                wrong.append(f"{module} imports {target}")
    assert not wrong, wrong


def test_the_tree_shows_the_three_subsystems():
    for room in SUBSYSTEMS:
        assert (PACKAGE / room / "__init__.py").is_file()
        assert list((PACKAGE / room).glob("*.md")), f"{room} has no README"


def _code_lines(node: ast.AST) -> int:
    """Lines of ``node`` without its docstring."""
    total = node.end_lineno - node.lineno + 1
    body = getattr(node, "body", [])
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        total -= body[0].end_lineno - body[0].lineno + 1
    return total


def test_no_piece_is_over_about_120_lines():
    # A docstring-heavy public function may pass the bar if its code is short.
    long = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            size = node.end_lineno - node.lineno + 1
            if size > MAX_LINES and (node.name.startswith("_") or _code_lines(node) > 40):
                long.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name} ({size})")
    assert not long, long


TESTS = Path(__file__).resolve().parents[1]
#: Test folders: one per room of the package, and ``package`` for what spans them all
#: (packaging, docs, structure, the lazy package, the private-name table).
TEST_ROOMS = {"adapter": "_adapter", "engine": "_engine", "migrate": "_migrate",
              "install": "_install", "testing": "testing", "package": None}


def _private_rooms_imported(path: Path) -> set[str]:
    """The rooms of the package whose modules a test file imports by name."""
    rooms = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        for name in names:
            parts = name.split(".")
            if parts[0] == "brainpy_autograd" and len(parts) > 1:
                rooms.add(parts[1])
    return rooms


def test_tests_sit_in_the_folder_of_their_room():
    """Every test file is in a room's folder, and imports no other room's modules (so a
    contributor who changes one room runs that folder)."""
    assert sorted(p.name for p in TESTS.glob("test_*.py")) == []
    files = sorted(TESTS.glob("*/test_*.py"))
    assert len(files) > 30
    wrong = []
    for path in files:
        folder = path.parent.name
        assert folder in TEST_ROOMS, f"{path}: not a room's folder ({sorted(TEST_ROOMS)})"
        if TEST_ROOMS[folder] is None:
            continue
        others = {r for r in _private_rooms_imported(path)  # private rooms: testing is public
                  if r.startswith("_") and r in TEST_ROOMS.values() and r != TEST_ROOMS[folder]}
        if others:
            wrong.append(f"{path.relative_to(TESTS)} imports {sorted(others)}")
    assert wrong == []
