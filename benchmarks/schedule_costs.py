"""What the schedule's cost model says, against what the costs are on this machine.

Usage (from the repository root)::

    python benchmarks/schedule_costs.py            # every workload, a fresh process each
    python benchmarks/schedule_costs.py --quick    # small sizes (CI's smoke run)

For each workload (``cases.py``'s, and the Python-loop RNN at several lengths)
it traces brainpy_autograd's program and measures, in one fresh process:

- brainstate's interpreted call (``compiled=False``), median of 3 after the first;
- a replay of the traced program (the calls before the switch), median of 3;
- lowering and compiling the program (the switch call's extra cost);

and prints them beside the schedule's estimates (``_engine/_schedule.py``), the
call the schedule compiles at, and what that costs against interpreting: the
ratio of (first call + replays + compile) to brainstate's (first call +
interpreted calls) at the switch call. The constants of the schedule were set
from this script's output on the reference machine (RESULTS.md, "Schedule").
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORKLOADS = [("tiny", "grad"), ("tiny", "hessian"), ("mlp", "grad"), ("mlp", "jacrev"),
             ("rnn10", "grad"), ("rnn30", "grad"), ("rnn100", "grad"), ("rnn300", "grad"),
             ("rnn_for_loop", "grad"), ("snn", "grad")]


def _median_time(fn: Any, n: int = 3) -> float:
    import jax

    times = []
    for _ in range(n):
        start = time.perf_counter()
        jax.block_until_ready(fn())
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _child(name: str, kind: str, quick: bool) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    import cases
    import jax

    import brainpy_autograd as bpa
    from brainpy_autograd._engine import _schedule
    from brainpy_autograd._engine._program import Program

    if name.startswith("rnn") and name[3:].isdigit():
        built = cases.build_rnn_python_loop(kind, quick, steps=int(name[3:]) // (5 if quick else 1))
    else:
        built = getattr(cases, f"build_{name}")(kind, quick)
    t = getattr(bpa, kind)(built.loss, grad_vars=built.params, compiled=False)
    first = _median_time(lambda: t(*built.args), 1)
    interpreted = _median_time(lambda: t(*built.args))
    backend = t._backends[t._resolve(built.args, {})]
    program = Program(backend, built.args, {}, ())
    leaves = jax.tree.leaves((built.args, {}))
    replay = _median_time(lambda: program.replay(leaves))
    start = time.perf_counter()
    program.compile(leaves)
    compile_s = time.perf_counter() - start
    compiled = _median_time(lambda: program.run(leaves), 10)
    facts = program.facts
    n = _schedule.compile_call(facts)
    assert n is not None
    ours = first + (n - 1) * replay + compile_s  # (first call: about brainstate's)
    theirs = first + (n - 1) * interpreted
    return {
        "workload": f"{name} {kind}", "equations": facts.equations, "top": facts.top_level,
        "loops": facts.loops, "interpreted": interpreted, "replay": replay,
        "replay_estimate": _schedule.replay_seconds(facts), "compile": compile_s,
        "compile_estimate": _schedule.compile_seconds(facts), "compiled": compiled,
        "switch_call": n, "ratio_at_switch": ours / theirs,
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        print(json.dumps(_child(argv[1], argv[2], argv[3] == "1")))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (CI)")
    args = parser.parse_args(argv)
    workloads = WORKLOADS[:3] if args.quick else WORKLOADS
    print("| workload | equations (top, loops) | brainstate call | replay (estimate) "
          "| compile (estimate) | compiled call | schedule compiles at | ours / brainstate "
          "there |")
    print("|---|---|---|---|---|---|---|---|")
    for name, kind in workloads:
        out = subprocess.run([sys.executable, __file__, "--child", name, kind,
                              str(int(args.quick))], capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(out.stderr)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"| {r['workload']} | {r['equations']} ({r['top']}, {r['loops']}) | "
              f"{r['interpreted'] * 1e3:.1f} ms | {r['replay'] * 1e3:.2f} ms "
              f"({r['replay_estimate'] * 1e3:.2f}) | {r['compile']:.2f} s "
              f"({r['compile_estimate']:.2f}) | {r['compiled'] * 1e3:.3f} ms | "
              f"{r['switch_call']} | {r['ratio_at_switch']:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
