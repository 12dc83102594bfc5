"""The "first call" benchmark: a fresh transform's first calls against brainstate's.

Usage (from the repository root)::

    python benchmarks/first_call.py            # 7 rounds per workload, prints the table
    python benchmarks/first_call.py --quick    # smoke run (small sizes, 2 rounds), used by CI
    python benchmarks/first_call.py --json out.json

In one process, for the 8-layer MLP and the 100-step rate RNN (``cases.py``), each
round makes a *fresh* ``brainstate.transform.grad`` and a fresh
``brainpy_autograd.grad`` (default path) of the same model and times their first
``K`` calls (default 3), in alternating order, side by side. Round 0 is the cold
start (JAX's primitive caches empty for whichever runs first) and is reported
apart; the medians are over rounds 1..R. Reported, never asserted (issue 22):

- the first call: ours / brainstate's, target <= 1.05;
- the cumulative time after k = 1..K calls: ours / brainstate's, target <= 1.05;
- the steady state: a compiled call of ours against ``jax.jit(jax.grad(pure))``,
  interleaved, medians of 200 calls each, target <= 1.2.

(The cumulative ratio over 200 calls, each implementation in a fresh process, is
``calls.py``'s; ``jax.jit``'s steady state is there too.)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def build_workload(name: str, quick: bool) -> Any:
    """The benchmark's model ``name`` (``rnn`` or ``mlp``), built by ``cases.py``."""
    from cases import build_mlp, build_rnn_python_loop

    if name == "rnn":
        return build_rnn_python_loop("grad", quick, steps=20 if quick else 100)
    return build_mlp("grad", quick)


def _first_calls(impl: str, built: Any, k: int) -> list[float]:
    import brainstate
    import jax

    import brainpy_autograd as bpa

    if impl == "brainstate":
        t = brainstate.transform.grad(built.loss, grad_states=built.params)
    else:
        t = bpa.grad(built.loss, grad_vars=built.params)
    times = []
    for _ in range(k):
        start = time.perf_counter()
        jax.block_until_ready(t(*built.args))
        times.append(time.perf_counter() - start)
    return times


def steady_ratio(built: Any, calls: int) -> float:
    """Median compiled call of ours over the median ``jax.jit`` call, interleaved."""
    import jax

    import brainpy_autograd as bpa

    jitted = jax.jit(jax.grad(built.pure))
    ours = bpa.grad(built.loss, grad_vars=built.params)

    def theirs() -> Any:
        return jitted({n: s.value for n, s in built.params.items()}, *built.args)

    with bpa.compiled_calls(compile_at=1):
        for _ in range(3):
            jax.block_until_ready(ours(*built.args))
            jax.block_until_ready(theirs())
        assert ours.call_stats().compiled >= 2
        times: dict[str, list[float]] = {"ours": [], "jit": []}
        for _ in range(calls):
            for name, call in (("ours", lambda: ours(*built.args)), ("jit", theirs)):
                start = time.perf_counter()
                jax.block_until_ready(call())
                times[name].append(time.perf_counter() - start)
    return statistics.median(times["ours"]) / statistics.median(times["jit"])


def measure(workload: str, rounds: int, k: int, quick: bool) -> dict[str, Any]:
    built = build_workload(workload, quick)
    impls = ["brainstate", "brainpy_autograd"]
    samples: dict[str, list[list[float]]] = {i: [] for i in impls}
    for r in range(rounds + 1):
        for impl in impls if r % 2 == 0 else impls[::-1]:
            samples[impl].append(_first_calls(impl, built, k))
    warm = {i: s[1:] for i, s in samples.items()}
    cumulative = []
    for n in range(1, k + 1):
        ratios = [sum(o[:n]) / sum(b[:n])
                  for o, b in zip(warm["brainpy_autograd"], warm["brainstate"])]
        cumulative.append(statistics.median(ratios))
    first = {i: statistics.median(s[0] for s in warm[i]) for i in impls}
    return {"workload": workload, "rounds": rounds, "k": k,
            "steady_ratio_to_jit": steady_ratio(built, 20 if quick else 200),
            "cold_first_s": {i: samples[i][0][0] for i in impls},
            "first_s": first, "first_ratio": cumulative[0],
            "cumulative_ratio": cumulative}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--calls", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    ns = parser.parse_args(argv)
    rounds = ns.rounds if ns.rounds is not None else (2 if ns.quick else 7)
    results = [measure(w, rounds, ns.calls, ns.quick) for w in ("mlp", "rnn")]
    print("| workload | brainstate first call | ours | ratio (target <= 1.05) "
          "| cumulative ratio at k = 1..K | steady, ours / jax.jit (target <= 1.2) |")
    print("|---|---|---|---|---|---|")
    for r in results:
        cum = ", ".join(f"{c:.3f}" for c in r["cumulative_ratio"])
        print(f"| {r['workload']} | {r['first_s']['brainstate'] * 1e3:.1f} ms "
              f"| {r['first_s']['brainpy_autograd'] * 1e3:.1f} ms | {r['first_ratio']:.3f} "
              f"| {cum} | {r['steady_ratio_to_jit']:.2f} |")
    if ns.json is not None:
        ns.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
