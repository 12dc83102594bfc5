"""What a brainpy_autograd.testing.check_grads call costs, against jax.test_util.check_grads.

Usage:
    python benchmarks/check_grads_cost.py           # the measurement (a few minutes)
    python benchmarks/check_grads_cost.py --quick   # smoke run (small sizes, one round), CI
    python benchmarks/check_grads_cost.py --json out.json

For the MLP and the rate RNN of ``cases.py`` (the RNN's Python loop over time, as
BrainPy 2.x code is written), both run in one process, side by side, interleaved
within each round, in float64: ``check_grads`` on the stateful model (its
``grad_vars``: every weight) with modes ``("rev", "fwd")``, and
``jax.test_util.check_grads`` on the pure version of the same function, with respect
to the same weights, ``order=1, modes=("fwd", "rev")``. The target is ours/JAX <= 2.
Three costs are reported:

- **the first check in a fresh process** (JAX compiling its primitives for new
  shapes, tracing): each check alone in a child process of its own, the two
  alternating, the median over ``--first-rounds`` (default 3, quick 1). Until
  2026-12-05 both first checks ran in one process, ours first, so JAX's reused the
  primitives ours had compiled: the ratio came out about 1.5x too high;
- **later checks of the same function**: they use the transforms that the first one
  made (``check_grads`` keeps them while the function traces to the same program, as
  in a hypothesis property);
- **a new function object at each check**, in the same process: new transforms,
  traced every time (what each test of a pytest run pays after the first). Beside
  it, **the floor**: brainstate's own ``grad`` and ``jacfwd`` (the transforms that
  this package's call, and that the check must call once each), of a new function
  each time, with nothing else: ``grad`` with respect to the weights and ``jacfwd``
  of ``t -> loss(weights + t * direction)``, the weights moved as one flat array
  split into the leaves, as the check's forward mode does above 256 inputs. No
  check that calls these transforms can cost less than they do.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import brainstate
import jax
import jax.numpy as jnp
import jax.test_util

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases import build_mlp, build_rnn_python_loop  # noqa: E402

from brainpy_autograd.testing import check_grads  # noqa: E402

# Both checks in float64. Set after the imports: brainstate 0.5 turns the flag off when
# it is imported (cases.py imports it before brainpy_autograd, whose import would keep
# it), and until 2026-12-05 this line stood above them and the checks ran in float32.
jax.config.update("jax_enable_x64", True)

TARGET = 2.0


#: The workloads by name: ``quick -> Built``.
WORKLOADS = {
    "mlp": lambda quick: build_mlp("grad", quick),
    "rnn": lambda quick: build_rnn_python_loop("grad", quick, steps=10 if quick else 50),
}


def workload(name: str, quick: bool) -> Any:
    """The workload ``name``, built (a first check's child process builds only its own)."""
    built = WORKLOADS[name](quick)
    dtypes = {str(s.value.dtype) for s in built.params.values()}
    if dtypes != {"float64"}:
        raise RuntimeError(f"the benchmark measures float64 checks; the weights are {dtypes}")
    return built


def _ours(built: Any) -> None:
    check_grads(built.loss, built.args, grad_vars=built.params)


def _ours_new_function(built: Any) -> None:
    """The same check of a new function object: no transform kept from an earlier check."""
    check_grads(lambda *args: built.loss(*args), built.args, grad_vars=built.params)


def _floor(built: Any) -> None:
    """brainstate's ``grad`` and ``jacfwd`` of a new function, the weights put back."""
    params = built.params
    saved = {k: s.value for k, s in params.items()}
    try:
        brainstate.transform.grad(lambda *a: built.loss(*a), grad_states=params)(*built.args)

        # as the check moves its inputs: one flat array, split into the weights
        names = list(saved)
        sizes = [int(saved[k].size) for k in names]
        flat = jnp.concatenate([jnp.ravel(saved[k]) for k in names])

        def along(t: Any) -> Any:
            parts = jax.lax.split(flat + t * flat, sizes)  # along the weights themselves
            for k, part in zip(names, parts):
                params[k].value = part.reshape(saved[k].shape)
            return built.loss(*built.args)

        brainstate.transform.jacfwd(along)(jnp.zeros((), flat.dtype))
    finally:
        for k, s in params.items():
            s.value = saved[k]


def _jax(built: Any) -> None:
    values = {k: s.value for k, s in built.params.items()}
    jax.test_util.check_grads(lambda p: built.pure(p, *built.args), (values,), order=1,
                              modes=("fwd", "rev"))


def _timed(fn: Any, built: Any) -> float:
    start = time.perf_counter()
    fn(built)
    return time.perf_counter() - start


def first_check(who: str, name: str, quick: bool) -> float:
    """One check of ``name`` by ``who`` ("ours", "jax") in a fresh child process."""
    argv = [sys.executable, __file__, "--first-check", who, name, *(["--quick"] * quick)]
    out = subprocess.run(argv, capture_output=True, text=True, check=False)
    if out.returncode:
        raise RuntimeError(f"the child process timing {who}'s first check failed:\n"
                           f"{out.stderr[-3000:]}")
    return float(out.stdout.split()[-1])


def first_checks(name: str, quick: bool, rounds: int) -> dict[str, float]:
    """The median first check of each, alternating which runs first."""
    times: dict[str, list[float]] = {"ours": [], "jax": []}
    for r in range(rounds):
        for who in (("ours", "jax") if r % 2 == 0 else ("jax", "ours")):
            times[who].append(first_check(who, name, quick))
    return {who: statistics.median(t) for who, t in times.items()}


def measure(name: str, built: Any, rounds: int, first: dict[str, float]) -> dict[str, Any]:
    _ours(built)  # the first checks (timed in their own processes)
    _jax(built)
    _floor(built)  # its own first call compiles the primitives its along function uses
    times: dict[str, list[float]] = {"ours": [], "jax": [], "new": [], "floor": []}
    runs = (("ours", _ours), ("jax", _jax), ("new", _ours_new_function), ("floor", _floor))
    for r in range(rounds):
        for who, fn in (runs if r % 2 == 0 else runs[::-1]):
            times[who].append(_timed(fn, built))
    ours, theirs = statistics.median(times["ours"]), statistics.median(times["jax"])
    new, floor = statistics.median(times["new"]), statistics.median(times["floor"])
    ratios = {"first_ratio": first["ours"] / first["jax"], "ratio": ours / theirs,
              "new_function_ratio": new / theirs}
    return {"workload": name, "first_ours_s": first["ours"], "first_jax_s": first["jax"],
            "ours_s": ours, "jax_s": theirs, "rounds": rounds, "new_function_s": new,
            **ratios, "floor_s": floor, "floor_ratio": floor / theirs,
            "new_over_floor": new / floor, "ok": all(r <= TARGET for r in ratios.values())}


def table(results: list[dict[str, Any]]) -> str:
    lines = ["| workload | first check, each in a fresh process: ours / jax (s), ratio "
             "| later checks, median: ours / jax (s), ratio "
             "| a new function each check: ours (s), ratio "
             "| the floor, brainstate's grad + jacfwd alone (s), ratio; ours / floor "
             "| all <= 2 |",
             "|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['workload']} | {r['first_ours_s']:.2f} / {r['first_jax_s']:.2f}, "
                     f"{r['first_ratio']:.2f} | {r['ours_s']:.3f} / {r['jax_s']:.3f}, "
                     f"{r['ratio']:.2f} | {r['new_function_s']:.3f}, "
                     f"{r['new_function_ratio']:.2f} | {r['floor_s']:.3f}, "
                     f"{r['floor_ratio']:.2f}; {r['new_over_floor']:.2f} "
                     f"| {'ok' if r['ok'] else 'MISSED'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one round (CI)")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--first-rounds", type=int, default=None,
                        help="fresh processes per side for the first check (default 3, "
                             "quick 1)")
    parser.add_argument("--first-check", nargs=2, metavar=("WHO", "WORKLOAD"),
                        help=argparse.SUPPRESS)  # the child process of first_check
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    args = parser.parse_args(argv)
    if args.first_check is not None:
        who, name = args.first_check
        built = workload(name, args.quick)
        print(_timed(_ours if who == "ours" else _jax, built))
        return 0
    rounds = args.rounds or (1 if args.quick else 7)
    first_rounds = args.first_rounds or (1 if args.quick else 3)
    results = [measure(name, workload(name, args.quick), rounds,
                       first_checks(name, args.quick, first_rounds)) for name in WORKLOADS]
    print(table(results))
    if args.json is not None:
        import brainstate

        meta = {"date": time.strftime("%Y-%m-%d"), "machine": platform.machine(),
                "cpus": os.cpu_count(), "python": platform.python_version(),
                "jax": jax.__version__, "brainstate": brainstate.__version__,
                "quick": args.quick, "rounds": rounds, "first_rounds": first_rounds}
        args.json.write_text(json.dumps({"meta": meta, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
