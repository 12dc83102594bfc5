"""The pre-commit hook this repository ships (.pre-commit-hooks.yaml), checked against
pre-commit's own schema for hook manifests, and what it runs checked to be the command."""

from __future__ import annotations

from pathlib import Path

import pytest

MANIFEST = Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml"


def test_the_manifest_is_valid_for_pre_commit():
    clientlib = pytest.importorskip("pre_commit.clientlib")
    hooks = clientlib.load_manifest(str(MANIFEST))  # raises on anything pre-commit rejects
    assert [h["id"] for h in hooks] == ["brainpy-autograd-migrate"]
    hook = hooks[0]
    assert hook["entry"] == "brainpy-autograd-migrate --check"
    assert hook["language"] == "python"
    assert sorted(hook["types_or"]) == ["jupyter", "python"]
    # the command needs libcst (it says so and exits 2 without it)
    assert any(d.startswith("libcst") for d in hook["additional_dependencies"])


def test_the_hooks_entry_is_the_packages_console_script():
    import tomllib

    scripts = tomllib.loads((MANIFEST.parent / "pyproject.toml").read_text())["project"][
        "scripts"]
    assert "brainpy-autograd-migrate" in scripts
    assert MANIFEST.read_text().count("entry: brainpy-autograd-migrate --check") == 1
