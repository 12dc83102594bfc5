"""What a release carries: the license, the citation metadata, and which copy is tested."""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

import helpers
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_license_is_the_apache_2_text_that_pyproject_names():
    assert PYPROJECT["license"] == "Apache-2.0"
    text = (ROOT / "LICENSE").read_text()
    assert text.split()[:4] == ["Apache", "License", "Version", "2.0,"]
    assert "END OF TERMS AND CONDITIONS" in text
    assert PYPROJECT["license-files"] == ["LICENSE", "NOTICE"]
    assert "Copyright 2026 brainpy_autograd developers" in (ROOT / "NOTICE").read_text()


@pytest.mark.parametrize("name", ["LICENSE", "NOTICE"])
def test_the_installed_distribution_carries_the_license_files(name):
    """In the wheel (and an editable install): ``*.dist-info/licenses/``, as PEP 639 says."""
    dist = importlib.metadata.distribution("brainpy-autograd")
    assert name in (dist.metadata.get_all("License-File") or []), (
        "the installed metadata names no license file: reinstall (pip install -e .)")
    shipped = [f for f in dist.files or [] if f.parts[-2:] == ("licenses", name)]
    assert len(shipped) == 1
    assert Path(str(dist.locate_file(shipped[0]))).read_text() == (ROOT / name).read_text()


def test_citation_file_is_cff_1_2_and_cites_this_version():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0"
    assert citation["version"] == PYPROJECT["version"]
    assert citation["license"] == PYPROJECT["license"]
    assert citation["title"].startswith("brainpy_autograd")
    assert citation["authors"] and citation["message"]
    brainpy = citation["references"][0]
    assert brainpy["doi"] == "10.7554/eLife.86365" and brainpy["journal"] == "eLife"


@pytest.mark.parametrize(("package", "problem"), [
    ("src/brainpy_autograd/__init__.py", "inside the source tree"),
    ("venv/lib/site-packages/brainpy_autograd/__init__.py", None),
    ("elsewhere/brainpy_autograd/__init__.py", "not a site-packages directory"),
])
def test_installed_copy_guard(tmp_path, package, problem):
    """CI's wheel run (BRAINPY_AUTOGRAD_EXPECT_INSTALLED=1) stops unless the package
    comes from site-packages, outside the tree the tests run from."""
    found = helpers.not_an_installed_copy(str(tmp_path / package), tmp_path / "src",
                                          [str(tmp_path / "venv/lib/site-packages")])
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_the_sdist_ships_every_local_file_the_readme_links():
    """The sdist's tests check the README's links; a linked file it lacks (ARCHITECTURE.md
    was one, review of issue 19) would fail them in the wheel's CI step."""
    import re

    include = tomllib.loads((ROOT / "pyproject.toml").read_text())[
        "tool"]["hatch"]["build"]["targets"]["sdist"]["include"]
    readme = (ROOT / "README.md").read_text()
    linked = {m.split("#")[0] for m in re.findall(r"\]\(([^)\s]+)\)", readme)
              if "://" not in m and not m.startswith("#")}
    assert linked, "the README links no local file"
    missing = [path for path in sorted(linked)
               if (ROOT / path).exists() and path.split("/")[0] not in include]
    assert not missing, f"add to [tool.hatch.build.targets.sdist] include: {missing}"
