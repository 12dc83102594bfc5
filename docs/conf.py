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
