"""CI's environments and checks as nox sessions: ``nox -l`` lists them, ``nox -s NAME`` runs one."""

# Run one locally with `nox -s NAME`, e.g. `nox -s "tests(py311-oldest)"`; `-r` reuses its
# environment from the last run. `bash .ci/run` runs them all, in two nox processes side
# by side (see the comments there).
#
# The version matrix (ENVIRONMENTS): each environment is a fresh venv with its pins
# installed first, then the package.
#   py311-latest   Python 3.11, the newest brainstate/jax that resolve there (0.5.x)
#   py311-oldest   Python 3.11, the lower bounds pyproject.toml declares, pinned
#   py312-brainpy  Python 3.12, brainstate 0.6.x, the newest jax, BrainPy 2.9
#   py313-brainpy  the same on Python 3.13, where the suite runs against the built wheel
#                  (session `wheel`), not the checkout
# In the first three, session `tests` runs the README's test command,
# `pip install -e '.[test]' && python -m pytest -n auto`, which leaves out the tests marked `slow`
# (addopts in pyproject.toml); `tests-slow` runs those in py311-oldest, and `wheel` runs
# the whole suite, slow tests included, against the wheel. The hypothesis properties
# explore with the full `ci` counts in py311-latest (and with compiled evaluation off in
# `properties-interpreted`); the other environments run them with fewer examples
# (profile `ci-matrix`), since there they check the stack, not the programs.

from __future__ import annotations

import filecmp
import os
import shlex
import shutil
import tarfile
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"  # requires= between sessions
# uv builds and fills the environments where it is installed (`.ci/run` installs
# nox[uv]): the same pins in seconds instead of a minute or two per session; plain
# venv + pip otherwise. The README's own commands still run with pip (session tests).
nox.options.default_venv_backend = "uv|venv"
# uv writes no bytecode unless told to, and `.ci/run` sets PYTHONDONTWRITEBYTECODE=1
# (nothing written into the checkout): every Python process a session starts (each
# xdist worker, each test that runs a script) would then compile jax, brainstate and
# BrainPy from source. Importing them took 11 s that way on py312, 4 s from bytecode
# (2026-12-05, 2-core CPU). So uv compiles the bytecode once, when it installs.
os.environ.setdefault("UV_COMPILE_BYTECODE", "1")
# a Python that is not there fails its session (nox would otherwise skip it, or download one)
nox.options.error_on_missing_interpreters = True
nox.options.download_python = "never"

ROOT = Path(__file__).resolve().parent
#: The sdist and the wheel, as a release would upload them (session ``release``).
DIST = ROOT / ".nox" / "_dist"

#: The README's test command (its second command, after the venv is made).
README_TESTS = ("pip install -e '.[test]'", "python -m pytest -n auto")

#: name: (Python, pins installed before the package). Keep pyproject.toml's lower
#: bounds and ``py311-oldest`` equal.
ENVIRONMENTS = {
    "py311-latest": ("3.11", []),
    # and the lower bounds of the extras users install: migrate (libcst, tqdm), testing
    # (hypothesis); brainunit 0.5.2 (units) is what brainstate 0.5.0 brings
    "py311-oldest": ("3.11", ["brainstate==0.5.0", "jax==0.8.0", "jaxlib==0.8.0",
                              "numpy==2.0.2", "libcst==1.1.0", "tqdm==4.66.0",
                              "hypothesis==6.100.0"]),
    "py312-brainpy": ("3.12", ["brainstate>=0.6,<0.7", "brainpy==2.9.*", "jax"]),
    "py313-brainpy": ("3.13", ["brainstate>=0.6,<0.7", "brainpy==2.9.*", "jax"]),
}
#: What each environment prints once it is built: the versions it resolved.
VERSIONS = ("import sys, importlib.metadata as m; print('python', sys.version.split()[0], "
            "*(f'{d} {m.version(d)}' for d in ('brainstate', 'jax', 'brainpy') "
            "if __import__('importlib.util').util.find_spec(d)))")


def _python(env: str) -> str:
    return ENVIRONMENTS[env][0]


#: The hypothesis profile of the environments other than py311-latest, which explores
#: with the full ``ci`` counts: fewer examples, the same derandomized properties
#: (tests/conftest.py).
#: A profile you set yourself (``BRAINPY_AUTOGRAD_PROFILE=thorough nox ...``) wins.
MATRIX_PROFILE = {"BRAINPY_AUTOGRAD_PROFILE":
                  os.environ.get("BRAINPY_AUTOGRAD_PROFILE") or "ci-matrix"}


def _fresh(session: nox.Session, env: str) -> None:
    """The environment ``env``'s pins, installed first (with a current pip in the venv:
    the README's commands use it)."""
    session.install("-q", "--upgrade", "pip")
    pins = ENVIRONMENTS[env][1]
    if pins:
        session.install("-q", *pins)


def _readme_tests(session: nox.Session, env: str) -> None:
    """The README's test command, word for word (arguments after ``--`` go to pytest).

    In py311-latest its ``pip install`` resolves everything in a fresh venv, as on a
    new machine; elsewhere the session's installer has put the dependencies in first,
    so pip finds them there and only installs the package.
    """
    install, test = (shlex.split(command) for command in README_TESTS)
    if env != "py311-latest":
        session.install("-q", "-e", ".[test]")
    session.run(*install[:2], "-q", *install[2:])
    session.run(*test, *session.posargs,
                env={} if env == "py311-latest" else MATRIX_PROFILE)


@nox.session
@nox.parametrize(
    "python,env",
    [(_python(env), env) for env in ("py311-latest", "py311-oldest", "py312-brainpy")],
    ids=["py311-latest", "py311-oldest", "py312-brainpy"],
)
def tests(session: nox.Session, env: str) -> None:
    """The README's test command in one environment of the matrix (slow tests left out)."""
    _fresh(session, env)
    _readme_tests(session, env)
    session.run("python", "-c", VERSIONS)
    if env == "py311-oldest":  # the README's pip install kept every pin
        pins = dict(pin.split("==") for pin in ENVIRONMENTS[env][1])
        session.run("python", "-c", f"import importlib.metadata as m; pins = {pins!r}; "
                    "got = {d: m.version(d) for d in pins}; assert got == pins, got")


@nox.session(python=_python("py311-oldest"), name="tests-slow")
def tests_slow(session: nox.Session) -> None:
    """The tests marked ``slow`` (several processes, long runs), in py311-oldest.

    With ``wheel``, which runs them on the newest stack, they cover both ends of the matrix.
    They run with XLA's default code generation (the other sessions' runs use the cheap
    one, tests/xla_codegen.py): the engine's differential fuzzer among them compares
    compiled and interpreted calls as users' programs are compiled.
    """
    _fresh(session, "py311-oldest")
    session.install("-q", "-e", ".[test]")
    session.run("python", "-m", "pytest", "-m", "slow", *session.posargs,
                env={"BRAINPY_AUTOGRAD_TEST_XLA": "default"})


@nox.session(python=_python("py311-latest"), name="properties-interpreted")
def properties_interpreted(session: nox.Session) -> None:
    """The property suite (marker ``properties``) again, compiled evaluation off.

    So both evaluation paths are checked against JAX (BRAINPY_AUTOGRAD_COMPILED=0).
    """
    _fresh(session, "py311-latest")
    session.install("-q", "-e", ".[test]")
    session.run("python", "-m", "pytest", "-q", "-n", "auto", "-m", "properties",
                *session.posargs,
                env={"BRAINPY_AUTOGRAD_COMPILED": "0"})


@nox.session(python=_python("py311-latest"))
def lint(session: nox.Session) -> None:
    """ruff on the tree and mypy on the package (py311-latest, so mypy sees jax's types)."""
    _fresh(session, "py311-latest")
    session.install("-q", "-e", ".[dev]")
    session.run("ruff", "check", ".")
    session.run("mypy")


@nox.session(python=_python("py311-latest"))
def docs(session: nox.Session) -> None:
    """The documentation site: built with warnings as errors, and its examples run."""
    _fresh(session, "py311-latest")
    session.install("-q", "-e", ".[docs]")  # what the README and Read the Docs install
    out = Path(session.create_tmp()).resolve()
    for builder in ("html", "doctest"):
        session.run("sphinx-build", "-W", "--keep-going", "-q", "-b", builder, "docs",
                    str(out / f"docs-{builder}"))


@nox.session(python=_python("py311-latest"))
def release(session: nox.Session) -> None:
    """Release files: sdist and wheel built, twine check --strict, CITATION.cff validated.

    The wheel is built from the sdist (so a file the sdist lacks is missing from both),
    into .nox/_dist, where session ``wheel`` finds them.
    """
    session.install("-q", "--upgrade", "pip")
    session.install("-q", "build>=1.2", "twine>=6", "cffconvert>=2")
    shutil.rmtree(DIST, ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", str(DIST), ".")
    session.run("twine", "check", "--strict", *map(str, sorted(DIST.iterdir())))
    session.run("cffconvert", "--validate", "-i", "CITATION.cff")


@nox.session(python=_python("py313-brainpy"), requires=["release"])
def wheel(session: nox.Session) -> None:
    """The whole suite, slow tests too, against the built wheel in py313-brainpy.

    The unpacked sdist's tests run from an empty working directory, with the wheel and
    its test extra installed: no source tree is on sys.path, so a module or data file
    the wheel lacks fails the run, and BRAINPY_AUTOGRAD_EXPECT_INSTALLED=1 makes
    tests/conftest.py stop the run if brainpy_autograd was imported from anywhere but
    site-packages.
    """
    _fresh(session, "py313-brainpy")
    (wheel_file,) = DIST.glob("*.whl")
    (sdist,) = DIST.glob("*.tar.gz")
    session.install("-q", f"{wheel_file}[test]")
    session.run("python", "-c", VERSIONS)
    tmp = Path(session.create_tmp()).resolve()
    src, work = tmp / "sdist", tmp / "work"
    for folder in (src, work):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp, filter="data")
    (unpacked,) = (p for p in tmp.iterdir() if p.name.startswith("brainpy_autograd-"))
    unpacked.rename(src / "tree")
    with session.chdir(work):
        # the default run over every core (as the README's command), then the slow
        # tests one at a time: they start processes and load the machine themselves
        for marks in (["-n", "auto", "-m", "not slow"], ["-m", "slow"]):
            session.run("python", "-m", "pytest", *marks, str(src / "tree" / "tests"),
                        *session.posargs,
                        env={"BRAINPY_AUTOGRAD_EXPECT_INSTALLED": "1", **MATRIX_PROFILE})


@nox.session(python=_python("py311-latest"), name="migrate-nojax")
def migrate_nojax(session: nox.Session) -> None:
    """The migration command without JAX: libcst and tqdm only (a pre-commit environment).

    The package itself goes in with --no-deps. It must import no JAX, and turn the golden
    "before" files into the "after" ones (exit 1: findings remain for a person).
    """
    session.install("-q", "--upgrade", "pip")
    session.install("-q", "libcst>=1.1", "tqdm>=4.66")
    session.install("-q", "--no-deps", ".")
    session.run("python", "-c", "import importlib.util as u; assert u.find_spec('jax') is None "
                "and u.find_spec('brainstate') is None, 'jax or brainstate is installed'")
    session.run("python", "-c",
                "import sys, brainpy_autograd.migrate; assert 'jax' not in sys.modules")
    befores = sorted(ROOT.glob("tests/**/golden_migrate/*_before.py"))
    if not befores:
        session.error("no golden files (tests/**/golden_migrate/*_before.py)")
    work = Path(session.create_tmp()).resolve() / "migrate-nojax-work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    for before in befores:
        shutil.copyfile(before, work / before.name.replace("_before.py", ".py"))
    # exit 1 and nothing else: --check finds what is left, the rewrite leaves findings
    session.run("brainpy-autograd-migrate", "--check", "--quiet", str(work),
                success_codes=[1], silent=True)
    session.run("brainpy-autograd-migrate", "--quiet", str(work), success_codes=[1],
                silent=True)
    differ = [before.name for before in befores
              if not filecmp.cmp(work / before.name.replace("_before.py", ".py"),
                                 before.with_name(before.name.replace("_before", "_after")),
                                 shallow=False)]
    if differ:
        session.error(f"migrated without JAX, these differ from their _after files: {differ}")
    session.log(f"golden files migrated without JAX: {len(befores)} files")


@nox.session(python=_python("py312-brainpy"))
def benchmarks(session: nox.Session) -> None:
    """The benchmarks' --quick smoke runs in py312-brainpy (nothing about speed asserted)."""
    _fresh(session, "py312-brainpy")
    session.install("-q", "-e", ".[test]")
    out = Path(session.create_tmp()).resolve()
    session.run("python", "benchmarks/run.py", "--quick", "--json",
                str(out / "benchmark-quick.json"))
    session.run("python", "benchmarks/calls.py", "--quick", "--json",
                str(out / "calls-quick.json"))
    session.run("python", "benchmarks/migrate_speed.py", "--quick")
    session.run("python", "benchmarks/check_grads_cost.py", "--quick", "--json",
                str(out / "check-grads-quick.json"))
