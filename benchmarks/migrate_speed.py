"""Speed of ``brainpy-autograd-migrate``: against libcst itself, at start-up, and with ``-j``.

Usage (from the repository root)::

    python benchmarks/migrate_speed.py            # 400 files, 3 rounds
    python benchmarks/migrate_speed.py --quick    # 60 files, 1 round (CI)
    python benchmarks/migrate_speed.py --tree DIR # -j timings on a tree of your own too

The generated tree mixes what a BrainPy project holds: model files that call
``bm.grad`` & co. (with legacy keywords, 2.2 positional forms, aliases),
BrainPy files without autodiff, and plain Python files. Timings, each in a
process of its own:

- libcst: ``libcst.parse_module`` and name resolution
  (``QualifiedNameProvider``) of every file, on one core;
- the migration: ``brainpy-autograd-migrate --check -j 1`` over the same tree;
  target (issue 11): at most 2x libcst's time;
- start-up: the whole command on one small file, wall time from the shell's
  point of view (``python -m brainpy_autograd.migrate --check FILE``); target
  (issue 18): under 1 s, which needs the command to start without JAX;
- ``-j``: the command's wall time with ``-j 1`` and ``-j N`` (N = the cores, at
  most 4) on the tree, and on ``--tree DIR`` if given (real files: fetched
  repositories, say).

Ratios and targets are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "migrate" / "golden_migrate"

_PLAIN = '''"""A helper module with no BrainPy in it."""
import numpy as np


def moving_average(x, n={n}):
    weights = np.ones(n) / n
    return np.convolve(x, weights, mode="valid")


class Recorder:
    def __init__(self):
        self.values = []

    def add(self, value):
        self.values.append(value)
        return len(self.values)
'''

_BRAINPY_NO_GRAD = '''"""A BrainPy simulation with no autodiff in it."""
import brainpy as bp
import brainpy.math as bm


class EINet(bp.DynSysGroup):
    def __init__(self, num={n}):
        super().__init__()
        self.E = bp.dyn.LifRef(num, V_rest=-60., V_th=-50., V_reset=-60., tau=20.)
        self.V = bm.Variable(bm.zeros(num))

    def update(self, inp):
        self.V.value = self.V + inp
        return self.E(inp)
'''


def make_tree(root: Path, n_files: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    models = [p.read_text() for p in sorted(GOLDEN.glob("*_before.py"))]
    for i in range(n_files):
        kind = i % 4
        if kind in (0, 1):
            text = models[rng.randrange(len(models))]
        elif kind == 2:
            text = _BRAINPY_NO_GRAD.format(n=rng.randrange(10, 1000))
        else:
            text = _PLAIN.format(n=rng.randrange(2, 9))
        sub = root / f"pkg{i % 10}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"module_{i:04d}.py").write_text(text)


_LIBCST = '''
import sys, time, pathlib
import libcst as cst
from libcst.metadata import MetadataWrapper, QualifiedNameProvider
files = sorted(pathlib.Path(sys.argv[1]).rglob("*.py"))
start = time.perf_counter()
for f in files:
    MetadataWrapper(cst.parse_module(f.read_bytes())).resolve(QualifiedNameProvider)
print(time.perf_counter() - start)
'''

_MIGRATE = '''
import sys, time
from brainpy_autograd import migrate
start = time.perf_counter()
migrate.main(["--check", "--quiet", "-j", "1", sys.argv[1]])
print(time.perf_counter() - start)
'''


def _timed(code: str, root: Path) -> float:
    out = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True,
                         text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def _wall(*args: str) -> float:
    """Wall time of the command in a fresh process, start-up included."""
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "brainpy_autograd.migrate", "--check",
                          "--quiet", *args], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if run.returncode not in (0, 1, 2) or "Traceback" in run.stderr:  # 0-2: the exit codes
        raise RuntimeError(f"the command failed ({run.returncode}):\n{run.stderr}")
    return wall


def startup(rounds: int) -> float:
    """Median wall time of the command on one small file."""
    with tempfile.TemporaryDirectory(prefix="bpa-migrate-one-") as directory:
        path = Path(directory) / "model.py"
        path.write_text((GOLDEN / "references_before.py").read_text())
        return statistics.median(_wall(str(path)) for _ in range(rounds))


def jobs(root: Path, rounds: int) -> list[tuple[int, float]]:
    """(jobs, median wall time) of the command on ``root`` with -j 1 and -j N."""
    wide = max(2, min(4, os.cpu_count() or 1))
    return [(j, statistics.median(_wall("-j", str(j), str(root)) for _ in range(rounds)))
            for j in (1, wide)]


def _count(root: Path) -> str:
    files = [p for p in root.rglob("*") if p.suffix in (".py", ".ipynb")]
    notebooks = sum(p.suffix == ".ipynb" for p in files)
    return f"{len(files)} files ({notebooks} notebooks)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--files", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--tree", type=Path, default=None,
                        help="a directory of real files to time -j on as well")
    args = parser.parse_args(argv)
    n_files = args.files or (60 if args.quick else 400)
    rounds = args.rounds or (1 if args.quick else 3)
    root = Path(tempfile.mkdtemp(prefix="bpa-migrate-bench-"))
    try:
        make_tree(root, n_files)
        libcst_times, migrate_times = [], []
        for _ in range(rounds):
            libcst_times.append(_timed(_LIBCST, root))
            migrate_times.append(_timed(_MIGRATE, root))
        parallel = jobs(root, rounds)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    a, b = statistics.median(libcst_times), statistics.median(migrate_times)
    print(f"{n_files} files, {rounds} round(s), medians: libcst parse+resolve {a:.2f} s, "
          f"migration {b:.2f} s; ratio {b / a:.2f} "
          f"({'ok' if b / a <= 2.0 else 'MISSED'}, target <= 2.0)")
    one = startup(3 if args.quick else 5)
    print(f"start-up: one small file, whole command {one:.2f} s wall "
          f"({'ok' if one < 1.0 else 'MISSED'}, target < 1 s)")
    trees = [(f"generated tree, {n_files} files", parallel)]
    if args.tree is not None:
        trees.append((f"{args.tree}, {_count(args.tree)}", jobs(args.tree, rounds)))
    for name, timings in trees:
        (_, serial), (wide, fast) = timings
        print(f"-j on {name}: -j 1 {serial:.2f} s, -j {wide} {fast:.2f} s wall "
              f"(speed-up {serial / fast:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
