"""The option table drives the transforms: signatures, docs, checks, and a new option.

``_adapter/_option_table.py`` defines each option once. The typed overloads in
``_adapter/_api.py`` (for type checkers and IDEs) are the one thing written beside it,
so they are checked against it here; and a throwaway option added in a scratch copy
of the package shows that the three places ARCHITECTURE.md names are enough.
"""

from __future__ import annotations

import inspect
import os
import re
import shutil
import subprocess
import sys
import textwrap
import typing
from pathlib import Path

import pytest

from brainpy_autograd._adapter import _api, _docs, _option_table

NAMES = ("grad", "vector_grad", "jacrev", "jacfwd", "hessian")
TESTS = Path(__file__).resolve().parent  # this file's folder: the subprocess imports it
PACKAGE = Path(__file__).resolve().parents[2] / "brainpy_autograd"


def _annotation(value: object) -> str:
    return getattr(value, "__forward_arg__", value)  # type: ignore[return-value]


def overload_disagreements() -> list[str]:
    """Where an overload (its ``**options`` read as ``Keywords``) differs from the signature
    that the option table derives: name, kind, default or annotation of a parameter."""
    keywords = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY,
                                  annotation=_annotation(annotation))
                for name, annotation in _api.Keywords.__annotations__.items()]
    wrong = []
    for name in NAMES:
        derived = list(_option_table.signature_of(name).parameters.values())
        overloads = typing.get_overloads(getattr(_api, name))
        if len(overloads) != 2:
            wrong.append(f"{name}: {len(overloads)} overloads")
        for overload in overloads:
            written = [p for p in inspect.signature(overload).parameters.values()
                       if p.kind is not p.VAR_KEYWORD] + keywords
            for want, got in zip(derived, written, strict=False):
                same = (want.name, want.kind, _annotation(want.annotation)) == \
                       (got.name, got.kind, _annotation(got.annotation))
                if want.name == "func":  # None in one overload, a callable in the other
                    same = got.name == "func"
                elif got.name not in _api.Keywords.__annotations__:
                    same = same and got.default == want.default
                if not same:
                    wrong.append(f"{name}: {got} in an overload, {want} in the table")
            if len(written) != len(derived):
                wrong.append(f"{name}: {[p.name for p in written]} != {[p.name for p in derived]}")
    return wrong


def test_the_overloads_agree_with_the_option_table():
    assert overload_disagreements() == []


def test_keywords_are_the_keyword_only_options_of_every_transform():
    shared = [o.name for o in _option_table.OPTIONS
              if all(name in o.takes and o.name not in _option_table.POSITIONAL[name]
                     for name in NAMES)]
    assert list(_api.Keywords.__annotations__) == shared


@pytest.mark.parametrize("name", NAMES)
def test_each_parameter_entry_is_its_table_entry_filled(name):
    doc = inspect.getdoc(getattr(_api, name)) or ""
    flat = " ".join(doc.split())
    words = {"name": name, **_docs.WORDS[name]}
    for param in inspect.signature(getattr(_api, name)).parameters:
        entry = _docs.filldoc(inspect.cleandoc(_option_table.BY_NAME[param].doc), words)
        assert " ".join(entry.split()) in flat, param
    assert "%(" not in doc


def test_the_public_module_writes_no_parameter_text():
    source = (PACKAGE / "_adapter" / "_api.py").read_text()
    assert not re.search(r"^\s+\w+ : .*\n", source, flags=re.M)
    assert "Parameters\n" not in source and "TypeError\n" not in source


def test_filldoc_indents_a_fragment_as_its_field():
    doc = "Summary.\n\n    %(part)s\n    after %(word)s."
    assert _docs.filldoc(doc, {"part": "a\n  b", "word": "w"}) == \
        "Summary.\n\n    a\n      b\n    after w."


# ------------------------------------------------------------- a throwaway option

_ENTRY = '''
    Option("negate", False, "bool", """
        negate : bool, default False
            Negate the %(results)s (a throwaway option of tests/adapter/test_option_table.py).
        """, check=check_flag),
'''
_EFFECT = '''    if options.values["negate"]:
        func = (lambda f: lambda *a, **k: -f(*a, **k))(func)
'''


def _scratch_copy(tmp_path: Path, *, keywords: bool) -> Path:
    """A copy of the package with option ``negate`` added in the three places."""
    root = tmp_path / ("with_keywords" if keywords else "without_keywords")
    shutil.copytree(PACKAGE, root / "brainpy_autograd",
                    ignore=shutil.ignore_patterns("__pycache__"))
    adapter = root / "brainpy_autograd" / "_adapter"

    def edit(module: str, anchor: str, new: str, *, before: bool = False) -> None:
        path = adapter / module
        text = path.read_text()
        assert text.count(anchor) == 1, (module, anchor)
        path.write_text(text.replace(anchor, new + anchor if before else anchor + new))

    edit("_option_table.py", "\n)\n\nBY_NAME", _ENTRY.rstrip("\n"), before=True)  # 1: the table
    if keywords:
        edit("_api.py", "    reduce_axes: Any\n", "    negate: bool\n")  # 2: for type checkers
    edit("_backend.py", "    checks = TraceChecks(", _EFFECT, before=True)  # 3: its effect
    return root


_CHECK = textwrap.dedent('''
    import inspect, pydoc, sys
    import jax.numpy as jnp
    import brainpy_autograd as bpa
    assert bpa.__file__.startswith(sys.argv[1]), bpa.__file__
    for name in ("grad", "vector_grad", "jacrev", "jacfwd", "hessian"):
        p = inspect.signature(getattr(bpa, name)).parameters["negate"]
        assert p.kind is p.KEYWORD_ONLY and p.default is False, p
    assert "Negate the Hessian (a throwaway" in " ".join(inspect.getdoc(bpa.hessian).split())
    assert "negate : bool, default False" in pydoc.render_doc(bpa.grad, renderer=pydoc.plaintext)
    try:
        bpa.grad(jnp.sum, negate="yes")
    except TypeError as err:
        assert str(err) == "grad(): negate must be True or False, got a str ('yes').", err
    else:
        raise AssertionError("negate='yes' was accepted")
    f = lambda x: jnp.sum(x ** 2)
    assert bpa.grad(f)(jnp.array([1.0, 2.0])).tolist() == [2.0, 4.0]
    assert bpa.grad(f, negate=True)(jnp.array([1.0, 2.0])).tolist() == [-2.0, -4.0]
    assert "negate=True" in repr(bpa.grad(f, negate=True))
    sys.path.insert(0, sys.argv[2])
    from test_option_table import overload_disagreements
    print("DISAGREE", overload_disagreements())
''')


def _run_scratch(root: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(root), "JAX_PLATFORMS": "cpu"}
    done = subprocess.run([sys.executable, "-c", _CHECK, str(root), str(TESTS)], env=env,
                          capture_output=True, text=True, timeout=300, cwd=root)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_a_new_option_needs_three_places(tmp_path):
    """Accepted (in every signature), checked, documented in help(), shown in a repr and
    in effect, with the overloads still agreeing with the table; without its line in
    ``Keywords`` the agreement check names it."""
    assert "DISAGREE []" in _run_scratch(_scratch_copy(tmp_path, keywords=True))
    missing = _run_scratch(_scratch_copy(tmp_path, keywords=False))
    assert "negate" in missing.split("DISAGREE", 1)[1]
