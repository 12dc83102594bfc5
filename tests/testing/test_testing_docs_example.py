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
