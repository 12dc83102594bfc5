"""Cheap XLA CPU code generation for the test run (``tests/conftest.py`` calls it first).

The suite is compile-bound: most of its time is XLA compiling many small programs
(the interpreted path compiles each primitive it replays, the engine compiles whole
calls), not running them. XLA's CPU backend spends most of a small program's compile
in LLVM optimisation and its fusion emitters, which these programs do not need. With
:data:`FLAGS` a small program compiles in about half the time, and the suite runs
about a third faster; the results are the same programs' results, so every comparison
in the suite (our transforms against JAX's, compiled against interpreted) is made
under the same flags on both sides.

Which of the flags an XLA knows changes between jaxlib releases, and XLA aborts the
process on a flag it does not know. So the flags are not chosen from a table of
versions: :func:`known_flags` asks the installed XLA, in a child process, and drops
each flag it names as unknown. The benchmarks, the demo and the docs build never
import this module: they run with XLA's defaults.

``BRAINPY_AUTOGRAD_TEST_XLA=default`` turns it off, for a run with XLA's default
code generation; flags already in ``XLA_FLAGS`` are kept either way.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

#: Cheap code generation for small programs: LLVM at -O0, one codegen unit, and the
#: classic emitters (the flag XLA's newer releases no longer know is dropped there).
FLAGS = (
    "--xla_backend_optimization_level=0",
    "--xla_cpu_parallel_codegen_split_count=1",
    "--xla_cpu_use_fusion_emitters=false",
)
#: ``default``: leave XLA's code generation as it is.
SWITCH = "BRAINPY_AUTOGRAD_TEST_XLA"
#: Set once the flags are chosen, so that xdist's workers (which inherit the
#: environment) do not ask XLA again.
_CHOSEN = "BRAINPY_AUTOGRAD_TEST_XLA_CHOSEN"
_UNKNOWN = re.compile(r"Unknown flags? in XLA_FLAGS: (\S+)")
_PROBE = "import jax.numpy as jnp; jnp.zeros(2).block_until_ready()"


def known_flags(flags: tuple[str, ...], base: str = "") -> tuple[str, ...]:
    """``flags`` less those the installed XLA does not know (asked in a child process).

    ``base`` is what ``XLA_FLAGS`` already holds; it is passed along unchanged. A probe
    that fails for any other reason gives ``()``: the run then keeps XLA's defaults.
    """
    kept = list(flags)
    while kept:
        env = dict(os.environ, XLA_FLAGS=" ".join([base, *kept]).strip(),
                   JAX_PLATFORMS="cpu")
        try:
            run = subprocess.run([sys.executable, "-c", _PROBE], env=env,
                                 capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.SubprocessError):
            return ()
        if run.returncode == 0:
            return tuple(kept)
        unknown = _UNKNOWN.search(run.stderr)
        if unknown is None or unknown.group(1) not in kept:
            return ()
        kept.remove(unknown.group(1))
    return ()


def use_cheap_codegen() -> None:
    """Add the flags that this XLA knows to ``XLA_FLAGS`` (before JAX starts its backend)."""
    if os.environ.get(SWITCH) == "default" or os.environ.get(_CHOSEN) == "1":
        return
    base = os.environ.get("XLA_FLAGS", "")
    flags = known_flags(FLAGS, base)
    os.environ["XLA_FLAGS"] = " ".join([base, *flags]).strip()
    os.environ[_CHOSEN] = "1"
