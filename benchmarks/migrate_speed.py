"""Speed of ``brainpy-autograd-migrate`` against libcst itself, on a generated tree.

Usage (from the repository root)::

    python benchmarks/migrate_speed.py            # 400 files, 3 rounds
    python benchmarks/migrate_speed.py --quick    # 60 files, 1 round (CI)

The tree mixes what a BrainPy project holds: model files that call
``bm.grad`` & co. (with legacy keywords, 2.2 positional forms, aliases),
BrainPy files without autodiff, and plain Python files. Two timings, one process
each, both on one core:

- libcst: ``libcst.parse_module`` and name resolution
  (``QualifiedNameProvider``) of every file;
- the migration: ``brainpy-autograd-migrate --check -j 1`` over the same tree.

Target (issue 11): the migration takes at most 2x libcst's time. The ratio is
printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "golden_migrate"

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--files", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=None)
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
    finally:
        shutil.rmtree(root, ignore_errors=True)
    a, b = statistics.median(libcst_times), statistics.median(migrate_times)
    print(f"{n_files} files, {rounds} round(s), medians: libcst parse+resolve {a:.2f} s, "
          f"migration {b:.2f} s; ratio {b / a:.2f} "
          f"({'ok' if b / a <= 2.0 else 'MISSED'}, target <= 2.0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
