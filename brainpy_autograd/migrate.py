"""``brainpy-autograd-migrate``: rewrite BrainPy 2.x autodiff call sites to brainpy_autograd.

Usage::

    brainpy-autograd-migrate [--check | --diff] [--quiet] [-j N] PATH [PATH ...]
    python -m brainpy_autograd.migrate ...

Finds every call of ``grad``, ``vector_grad``, ``functional_vector_grad``,
``jacobian``, ``jacrev``, ``jacfwd`` and ``hessian`` from ``brainpy.math``
(however imported, BrainPy's internal ``brainpy._src.math`` paths included) in
the given files and directories (``*.py`` and the code cells of ``*.ipynb``,
walked recursively), rewrites them to brainpy_autograd without the legacy
keywords, and reports with ``file:line:column`` (``file.ipynb:cell N:line:column``
in notebooks) what it leaves for a person. By default files are rewritten in
place (atomically, only those that change); ``--check`` writes nothing and
``--diff`` prints a unified diff and writes nothing. Running it twice changes
nothing the second time. The added ``import brainpy_autograd`` goes right
after the brainpy import it stands for, so nothing that ran before brainpy was
imported (setting ``JAX_PLATFORM_NAME``, ``sys.path``) runs after it.

Encodings and line endings (LF, CRLF, CR) are kept; notebooks are written back
in their own JSON layout. Symbolic links are followed: the file a link points
to is rewritten in place (the link stays a link), and a file reached through
several paths is migrated once; a read-only file, or one with several hard
links, is reported and left as it is. Only regular files are read. A file that cannot
be read, parsed or written is reported and left untouched, and the run goes on.
``-j N`` spreads large trees over N processes (default: the number of cores).

Exit status, the same with ``--check``, ``--diff`` or neither:

- 0: nothing to do (when writing: every change was written) and no finding left;
- 1: a finding remains for a person, or with ``--check``/``--diff`` a file would
  be rewritten;
- 2: could not run on something: wrong usage, a missing dependency, a missing
  path, a file that is not regular or could not be read, parsed or written.

Needs the ``migrate`` extra (libcst and tqdm): ``pip install '.[migrate]'`` in a
clone of the repository (``pip install 'brainpy-autograd[migrate]'`` once
brainpy_autograd is on PyPI, which it is not yet), and neither JAX nor
brainstate: this module does not import them.
The implementation lives in :mod:`brainpy_autograd._migrate`.
"""

from __future__ import annotations

import sys

from ._migrate._cli import EXIT_CODES, PROGRESS_THRESHOLD, main

__all__ = ["main", "EXIT_CODES", "PROGRESS_THRESHOLD"]

if __name__ == "__main__":
    sys.exit(main())
