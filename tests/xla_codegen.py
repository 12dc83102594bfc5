"""Cheap XLA CPU code generation for the test run (``tests/conftest.py`` calls it first).

The suite is compile-bound: most of its time is XLA compiling many small programs
(the interpreted path compiles each primitive it replays, the engine compiles whole
calls), not running them. XLA's CPU backend spends most of a small program's compile
in LLVM optimisation and its fusion emitters, which these programs do not need. With
:data:`FLAGS` a small program compiles in about half the time, and the suite takes
about a quarter less time on jax 0.8 and 0.10 (nothing measurable on jax 0.12, which
keeps two of the flags). The same programs then round differently in the last bits,
as under another compiler; every comparison in the suite (our transforms against
JAX's, compiled against interpreted) is made in one process, under the same flags on
both sides. CI runs ``tests-slow`` with XLA's defaults (``noxfile.py``): the engine's
differential fuzzer among them, so the tolerances are also tested under the code
generation users get. The flags reach every child process a test starts (it inherits the
environment), unless the test sets ``XLA_FLAGS`` itself. XLA's GPU compiler reads the
optimisation level too, so on a GPU the suite compiles at -O0 there as well.

Which of the flags an XLA knows changes between jaxlib releases, and XLA aborts the
process on a flag it does not know. So the flags are not chosen from a table of
versions: :func:`known_flags` asks the installed XLA, in a child process, and drops
each flag it names as unknown. The benchmarks, the demo and the docs build never
import this module: they run with XLA's defaults.

``BRAINPY_AUTOGRAD_TEST_XLA=default`` turns it off, for a run with XLA's default
code generation (any other value is refused). A flag already in ``XLA_FLAGS`` is kept
either way and wins: a flag of :data:`FLAGS` that you set yourself, with any value, is
not added. The probe costs each pytest run one child process that imports JAX (about
2 s; two on jax 0.12, which refuses one flag). The header of the run says which flags
were added.
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
_PROBE = "import jax; jax.devices()"  # XLA reads XLA_FLAGS when it starts its backend
#: What :func:`use_cheap_codegen` did, for the run's header.
chosen = "not chosen in this process (inherited from the process that started it)"


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


def _name(flag: str) -> str:
    return flag.split("=", 1)[0]


def switched_off() -> bool:
    """Whether :data:`SWITCH` asks for XLA's defaults (``default``, in any case); a value
    other than that or nothing is refused."""
    switch = os.environ.get(SWITCH, "")
    if switch.strip().lower() == "default":
        return True
    if switch.strip():
        raise ValueError(f"{SWITCH}={switch!r}: use {SWITCH}=default for XLA's default "
                         f"code generation, or leave it unset for the cheap one")
    return False


def use_cheap_codegen() -> None:
    """Add the flags that this XLA knows to ``XLA_FLAGS`` (before JAX starts its backend),
    except those the user set already."""
    global chosen
    if switched_off():
        chosen = f"XLA's defaults ({SWITCH}=default)"
        return
    if os.environ.get(_CHOSEN) == "1":
        return
    base = os.environ.get("XLA_FLAGS", "")
    yours = {_name(f) for f in base.split()}
    flags = known_flags(tuple(f for f in FLAGS if _name(f) not in yours), base)
    os.environ["XLA_FLAGS"] = " ".join([base, *flags]).strip()
    os.environ[_CHOSEN] = "1"
    chosen = (f"cheap, added to XLA_FLAGS: {' '.join(flags)}" if flags else
              "XLA's defaults (the probe kept no flag: see tests/xla_codegen.py)")
