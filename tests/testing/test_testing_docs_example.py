"""The worked pytest file of docs/testing.md passes, run by pytest as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "test_your_gradients.py"


def test_the_documented_pytest_file_passes(tmp_path):
    """In a subprocess, from an empty directory (hypothesis writes its database there),
    with the repository's pytest settings (warnings are errors)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(EXAMPLE)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "8 passed" in run.stdout, run.stdout[-2000:]


def test_the_page_includes_the_file_as_it_is():
    page = (ROOT / "docs" / "testing.md").read_text()
    assert "```{literalinclude} examples/test_your_gradients.py" in page


def test_the_pages_property_snippets_run_as_written(tmp_path):
    """The snippets of "A hypothesis property", in order, in a pytest file of their own
    with a small model as the page's ``model`` and ``xs``, run by pytest in a fresh
    process: outside this suite, whose hypothesis profiles switch the deadline off."""
    import re

    page = (ROOT / "docs" / "testing.md").read_text()
    section = page.split("## A hypothesis property", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 2, blocks
    head = (
        "import time\n"
        "import brainstate\n"
        "import jax.numpy as jnp\n\n\n"
        "class Model:\n"
        "    # its first call takes 0.3 s, as a real model's first trace takes seconds\n"
        "    def __init__(self):\n"
        "        self.w = brainstate.ParamState(jnp.array([0.5, -1.0, 2.0]))\n"
        "        self.calls = 0\n\n"
        "    def loss(self, xs):\n"
        "        self.calls += 1\n"
        "        if self.calls == 1:\n"
        "            time.sleep(0.3)\n"
        "        return jnp.sum(jnp.tanh(self.w.value * xs) ** 2)\n\n\n"
        "xs = jnp.array([0.3, 0.2, -0.1])\n")
    body = "".join("model = Model()\n" + block + "\n" for block in blocks)
    (tmp_path / "test_page_snippets.py").write_text(head + body)
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "test_page_snippets.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "2 passed" in run.stdout, run.stdout[-2000:]
