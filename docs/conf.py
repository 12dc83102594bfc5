"""Sphinx configuration for the brainpy_autograd documentation.

Build: ``pip install -e '.[docs]' && sphinx-build -W --keep-going -b html docs docs/_build/html``
(and ``-b doctest`` to run the examples). Pages are MyST Markdown; the API reference
is generated from the NumPy-style docstrings (autodoc + napoleon), so it cannot drift.
"""

from __future__ import annotations

import importlib.metadata

project = "brainpy_autograd"
author = "brainpy_autograd developers"
copyright = "2026, brainpy_autograd developers"
release = importlib.metadata.version("brainpy-autograd")
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "description"
# Types go onto the parameters a docstring documents; the internal constructor
# arguments of AutogradFunction (made by grad & co., never by hand) stay off the page.
autodoc_typehints_description_target = "documented_params"
napoleon_google_docstring = False
napoleon_numpy_docstring = True

# Examples (``>>>`` in docstrings and {doctest} blocks in pages) run with the
# doctest builder; outputs compare with whitespace normalised.
doctest_default_flags = 0
import doctest  # noqa: E402

doctest_default_flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS

html_theme = "sphinx_book_theme"
html_title = "brainpy_autograd"
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,
}
# No network at build time (CI reaches only package registries): no intersphinx.


def _show_every_keyword(app: object) -> None:
    """The transforms' ``typing.overload`` pairs end in ``**options: Unpack[Keywords]``
    (the option table's keyword-only options, spelled once for type checkers). autodoc
    shows overloads as written in the source, so put each of those options in their
    place, from the signature the option table derives (the one ``help()`` shows)."""
    import inspect

    from sphinx.pycode import ModuleAnalyzer

    from brainpy_autograd._adapter import _api

    analyzer = ModuleAnalyzer.for_module(_api.__name__)  # cached: autodoc reads this one
    analyzer.analyze()
    for name, overloads in analyzer.overloads.items():
        derived = inspect.signature(getattr(_api, name)).parameters
        for i, overload in enumerate(overloads):
            params = [p for p in overload.parameters.values() if p.kind is not p.VAR_KEYWORD]
            written = {p.name for p in params}
            params += [p for p in derived.values() if p.name not in written]
            overloads[i] = overload.replace(parameters=params)


def setup(app):  # noqa: ANN001, ANN201
    app.connect("builder-inited", _show_every_keyword)
