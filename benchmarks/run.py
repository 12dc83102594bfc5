"""Side-by-side benchmark of brainpy_autograd, brainstate, brainpy.math and plain JAX.

Usage (from the repository root)::

    python benchmarks/run.py            # full run: table on stdout, JSON in benchmarks/
    python benchmarks/run.py --quick    # smoke run (small sizes, 2 rounds), used by CI
    python benchmarks/run.py --from-json results.json --markdown section.md  # report again

Every registered case (``cases.py``) is run for ``grad`` and a Jacobian or
Hessian transform, by every importable implementation, in one process:

- ``brainpy_autograd``: the default (repeated un-jitted calls run compiled);
- ``brainpy_autograd[interp]``: ``compiled=False``, the adapter alone over brainstate;
- ``brainstate``: ``brainstate.transform.<kind>`` called directly;
- ``brainpy.math``: BrainPy 2.9's ``bm.<kind>``, when BrainPy is installed;
- ``jax``: ``jax.<kind>`` of the equivalent pure function.

Modes: ``first`` (a fresh transform's first un-jitted call: trace, and for
brainpy_autograd nothing compiled yet), ``first-jit`` (first call under
``brainstate.transform.jit`` / ``jax.jit``: trace + compile), ``eager`` (steady
un-jitted call) and ``jit`` (steady call under ``brainstate.transform.jit`` /
``jax.jit``). Implementations are interleaved within each round so that drift
of a shared machine hits them alike; the table shows the median over rounds,
the spread (interquartile range / median) and ratios against brainstate and
JAX taken from this same run. Nothing is asserted: the targets are reported.

The pieces: ``cases.py`` (the workloads), ``harness.py`` (implementations and
timing), ``programs.py`` (compiled-program comparison), ``targets.py`` (the
targets and their thresholds), ``report.py`` (table, markdown, JSON); this
file only runs them.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
import report  # noqa: E402
from cases import CASES  # noqa: E402
from programs import compare_programs  # noqa: E402


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, 2 rounds (CI)")
    parser.add_argument("--rounds", type=int,
                        help="rounds of steady-state calls (default 7, quick 2)")
    parser.add_argument("--first-rounds", type=int,
                        help="rounds of first calls, each a fresh trace/compile "
                             "(default 3, quick 1)")
    parser.add_argument("--cases", nargs="*", help="only these cases")
    parser.add_argument("--modes", nargs="*", choices=harness.MODES, help="only these modes")
    parser.add_argument("--json", type=Path, help="where to write the JSON results")
    parser.add_argument("--markdown", type=Path,
                        help="also write the results as a markdown section (RESULTS.md)")
    parser.add_argument("--from-json", type=Path,
                        help="do not run: report (and --markdown) an earlier run's JSON")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Measure every selected case, transform and mode; compare the compiled programs."""
    rounds = args.rounds or (2 if args.quick else 7)
    first_rounds = args.first_rounds or (1 if args.quick else 3)
    budget = 0.01 if args.quick else 0.25  # seconds of calls per round and implementation
    impls = harness.available_implementations()
    env = harness.environment()
    print("brainpy_autograd benchmark  " + "  ".join(f"{k}={v}" for k, v in env.items()))
    results: dict[str, Any] = {"environment": env, "quick": args.quick, "rows": [],
                               "programs": {}}
    start = time.perf_counter()
    for case in CASES:
        if args.cases and case.name not in args.cases:
            continue
        for kind in case.kinds:
            for mode in args.modes or harness.MODES:
                samples = harness.measure(case, kind, mode, impls, rounds, first_rounds,
                                          budget, args.quick)
                results["rows"].append({
                    "case": case.name, "kind": kind, "mode": mode,
                    "stats": {i: harness.summarise(s) for i, s in samples.items()}})
                print(f"  {case.name} {kind} {mode}: done ({time.perf_counter() - start:.0f} s)",
                      file=sys.stderr)
        results["programs"][case.name] = compare_programs(case, args.quick)
    peak = harness.device_peak_bytes()
    if peak is not None:
        results["device_peak_bytes"] = peak
    results["seconds"] = time.perf_counter() - start
    return results


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse(argv)
    if args.from_json:
        results = report.load(args.from_json)
    else:
        results = run(args)
        path = args.json or Path(__file__).resolve().parent / (
            f"results-{results['environment']['backend']}{'-quick' if args.quick else ''}.json")
        report.save(results, path)
    print()
    print("\n".join(report.console(results)))
    if not args.from_json:
        print(f"\nTotal time {results['seconds']:.0f} s\nJSON written to {path}")
    if args.markdown:
        args.markdown.write_text(report.markdown(results))
        print(f"Markdown written to {args.markdown}")
    return results


if __name__ == "__main__":
    main()
