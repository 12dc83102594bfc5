"""The migration tool behind ``brainpy-autograd-migrate`` (entry: :mod:`brainpy_autograd.migrate`).

Its rooms, and what flows between them:

- ``_cli``: the command line, the exit codes, printing;
- ``_files``: which files a run looks at (regular files only), reading them,
  and atomic writes;
- ``_job``: one file, start to end (read, rewrite a module or a notebook, diff);
- ``_workers``: ``-j N``, the jobs spread over processes;
- ``_notebook`` and ``_nbjson``: notebooks' code cells as one module, and writing
  the notebook back in its own JSON layout;
- ``_pass``, ``_context``, ``_registry`` and ``rules/``: the single libcst pass, what
  the rules share in it, the ordered list of rules, and one module per rule.

Nothing here imports JAX or brainstate: the name tables come from
:mod:`brainpy_autograd._names`. See ``ARCHITECTURE.md`` in this folder.

>>> from brainpy_autograd._migrate import migrate_source
>>> migrate_source("import numpy\\n").changes
0
"""

from __future__ import annotations

from ._context import Finding
from ._pass import Outcome, migrate_source, worth_parsing

__all__ = ["Finding", "Outcome", "migrate_source", "worth_parsing"]
