"""The demo trains (the loss falls) and every docstring example runs as written."""

from __future__ import annotations

import doctest
import inspect

import pytest

import brainpy_autograd
from brainpy_autograd import demo
from brainpy_autograd._adapter import _api


def test_demo_loss_falls_and_shows_one_legacy_warning(capsys):
    last = demo.main(["--steps", "40"])
    out = capsys.readouterr().out
    assert out.count("LegacyArgumentWarning") == 1
    first = float(out.split("Loss fell from ")[1].split()[0])
    assert last < first / 5


@pytest.mark.parametrize("steps", [0, 3])
def test_demo_trains_exactly_the_steps_it_says(capsys, monkeypatch, steps):
    """``--steps N`` makes N updates (no more), and its last row, step N, shows the loss
    after them: both match N plain brainstate gradient steps from the same start."""
    import brainstate
    import numpy as np

    made = []

    class Recorded(demo.RateRNN):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(demo, "RateRNN", Recorded)
    last = demo.main(["--steps", str(steps), "--lr", "0.1"])
    out = capsys.readouterr().out
    assert f"Training for {steps} steps" in out
    rows = [line.split() for line in out.splitlines() if line.startswith("   ")]
    step, loss = [row for row in rows if len(row) == 2 and row[0].isdigit()][-1]
    assert int(step) == steps and float(loss) == pytest.approx(last, abs=1e-5)

    model = demo.RateRNN()  # the same seed, so the same start
    xs, targets = demo.make_task()
    params = model.train_vars()
    for _ in range(steps):
        grads = brainstate.transform.grad(model.loss, grad_states=params)(xs, targets)
        for name, state in params.items():
            state.value = state.value - 0.1 * grads[name]
    assert last == pytest.approx(float(model.loss(xs, targets)), rel=1e-4)
    trained = made[0]  # the demo's model (made[1] is the one above)
    for name, state in trained.train_vars().items():
        np.testing.assert_allclose(state.value, params[name].value, rtol=1e-4, atol=1e-6,
                                   err_msg=name)


@pytest.mark.parametrize("steps", ["-1", "-3"])
def test_the_demo_refuses_a_negative_step_count(capsys, steps):
    with pytest.raises(SystemExit) as info:
        demo.main(["--steps", steps])
    assert info.value.code == 2
    assert f"--steps must be 0 or more, got {steps}" in capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(brainpy_autograd.__all__))
def test_public_names_have_docstrings(name):
    obj = getattr(brainpy_autograd, name)
    assert obj.__doc__ and len(obj.__doc__.strip()) > 40


def _documented_parameters(doc: str) -> list[str] | None:
    """The names heading the entries of a NumPy-style Parameters section (None: no section)."""
    import re

    section = re.search(r"^Parameters\n-+\n(.*?)(?:\n\n[A-Z]\w+\n-+\n|\Z)", doc,
                        flags=re.S | re.M)
    if section is None:
        return None
    return [line.split(" : ")[0] for line in section.group(1).splitlines()
            if line and not line[0].isspace()]


_FUNCTIONS = sorted(n for n in brainpy_autograd.__all__
                    if inspect.isfunction(getattr(brainpy_autograd, n)))


@pytest.mark.parametrize("name", _FUNCTIONS)
def test_every_parameter_has_its_own_entry(name):
    """One entry per parameter, in the signature's order, so that the API page gives each
    parameter text of its own (numpydoc renders ``a, b : bool`` as one text on each)."""
    func = getattr(brainpy_autograd, name)
    params = list(inspect.signature(func).parameters)
    documented = _documented_parameters(inspect.getdoc(func) or "")
    if not params:
        assert documented is None, documented
    else:
        assert documented == params


@pytest.mark.parametrize("name", sorted(_api.TRANSFORMS))
def test_each_transform_links_the_return_layout_page(name):
    import pathlib

    doc = inspect.getdoc(_api.TRANSFORMS[name]) or ""
    returns = doc.split("Returns\n-------\n", 1)[1].split("\n\n", 1)[0]
    assert "<return-layout>`" in returns and "help(" not in returns
    page = pathlib.Path(__file__).resolve().parents[2] / "docs" / "return-layout.md"
    assert page.read_text().startswith("(return-layout)=\n# ")


def test_docstring_examples_run():
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(_api) if t.examples]
    assert len(tests) >= 5
    for test in tests:
        runner.run(test)
    assert runner.failures == 0, f"{runner.failures} docstring example(s) failed"


#: The README's tour, then the documentation pages, in the order a reader meets them
#: (docs/index.md's table of contents). docs/example.md is run by Sphinx's doctest builder.
DOCUMENTS = ["README.md", "docs/migration.md", "docs/return-layout.md", "docs/differences.md",
             "docs/migrate-command.md", "docs/speed.md", "docs/units.md", "docs/multidevice.md"]


def _readme_python_blocks():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2]
    return [block for doc in DOCUMENTS
            for block in re.findall(r"```python\n(.*?)```", (root / doc).read_text(), flags=re.S)]


def test_readme_python_examples_run_in_order(capsys):
    """The Python blocks of the README and the documentation pages, run top to bottom in
    one namespace as a reader would.

    A ``print(...)  # expected`` line must print what its comment says.
    """
    import importlib.util
    import textwrap
    import warnings

    import brainpy_autograd as bpa

    namespace: dict = {"__name__": "readme"}
    blocks = _readme_python_blocks()
    assert len(blocks) >= 4
    try:
        for index, block in enumerate(blocks):
            code = textwrap.dedent(block)
            if "install()" in code and importlib.util.find_spec("brainpy") is None:
                continue  # needs BrainPy 2.x; tested in test_install.py
            if "jax.distributed.initialize" in code:
                continue  # one process of a job; run as written by test_multiprocess.py
            with warnings.catch_warnings():
                exec(compile(code, f"README.md python block {index}", "exec"), namespace)
            out = capsys.readouterr().out
            for line in code.splitlines():
                if line.startswith("print(") and "#" in line:
                    assert line.split("#", 1)[1].strip() in out, f"block {index}: {line}"
    finally:
        bpa.uninstall()


def _anchor(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    import re

    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_every_public_name_is_in_the_api_reference():
    import pathlib
    import re

    api = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    # a directive may give its own signature: ``.. autoclass:: brainpy_autograd.X(...)``
    missing = [n for n in brainpy_autograd.__all__
               if not re.search(rf"brainpy_autograd\.{n}(\(.*\))?\n", api)]
    assert not missing, f"docs/api.md lacks {missing}"


@pytest.mark.parametrize("document", ["README.md", "CHANGELOG.md", "benchmarks/RESULTS.md",
                                      *[f"docs/{p}" for p in ("migration.md", "speed.md",
                                                              "migrate-command.md")]])
def test_links_and_paths_in_the_documents_resolve(document):
    """Every relative link, image and anchor, and every repository path written in
    backticks (`benchmarks/calls.py`), points at something the repository holds."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2]
    path = root / document
    text = path.read_text()
    prose = re.sub(r"```.*?```", "", text, flags=re.S)  # code blocks are commands, not links
    headings = {_anchor(h) for h in re.findall(r"^#+ (.*)$", text, flags=re.M)}
    missing = []
    for target in re.findall(r"\]\(([^)\s]+)\)", prose):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        file_part, _, anchor = target.partition("#")
        if file_part and not (path.parent / file_part).exists():
            missing.append(target)
        elif not file_part and anchor not in headings:
            missing.append(target)
    for code in re.findall(r"`([\w./-]+/[\w.-]+\.(?:py|md|png|toml|txt|yaml|yml))`", prose):
        if not (root / code).exists():
            missing.append(code)
    assert not missing, f"{document} points at what does not exist: {missing}"
