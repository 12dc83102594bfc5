"""The rewrite rules, one module each; importing this package registers them all.

Each module is named after its :class:`~brainpy_autograd._migrate._registry.Rule`
and registers its callbacks with ``register(node type, rule)``; the order in which
they run on the same node is the order of ``Rule``, where each member says why it
stands there. A new rule is a new module here, a new ``Rule`` member, and a golden
pair ``tests/migrate/golden_migrate/<rule>_before.py``/``_after.py``.

>>> from brainpy_autograd._migrate import rules
>>> rules.ALL[0].__name__.rsplit(".", 1)[-1]
'aliases'
"""

from __future__ import annotations

from . import (
    aliases,
    alignment,
    from_imports,
    grad_vars,
    import_placement,
    legacy_keywords,
    positional,
    references,
)

__all__ = ["ALL"]

#: every rule's module, in the order of ``Rule``
ALL = (aliases, from_imports, references, alignment, legacy_keywords, positional, grad_vars,
       import_placement)
