"""One version: ``autograd_mini.__version__`` is the source, setup.cfg reads it, and the installed
metadata and the changelog agree with it."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import autograd_mini

ROOT = Path(__file__).resolve().parent.parent


def test_version_is_a_release_number():
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?(\.dev\d+)?", autograd_mini.__version__)


def test_setup_cfg_reads_the_version_from_the_package():
    assert "version = attr: autograd_mini.__version__" in (ROOT / "setup.cfg").read_text(encoding="utf-8")


def test_installed_metadata_has_the_same_version():
    installed = metadata.version("autograd_mini")
    assert installed == autograd_mini.__version__, (
        f"the installed metadata says {installed}, autograd_mini.__version__ says "
        f"{autograd_mini.__version__}: reinstall (pip install -e .)")


def test_the_changelog_has_a_section_for_the_version():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{autograd_mini.__version__}] - " in changelog
    assert "## [Unreleased]" in changelog
