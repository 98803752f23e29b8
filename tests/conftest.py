"""Fixtures for our own tests. What tests import by name (helpers, the toy course, the sandbox
modes) is in support.py, one importable module: tests/course/ has a conftest.py of its own, and
two modules both imported as `conftest` would be ambiguous."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import NO_NAMESPACES_ENV, REPO, TOY_CONFIG, TOY_SOLUTION, toy_repository

from autograder.config import load


@pytest.fixture(scope="session")
def no_namespaces() -> dict[str, str]:
    return NO_NAMESPACES_ENV


@pytest.fixture(scope="session")
def config():
    """The lesson's grading.toml, whatever lesson the repository holds."""
    return load(REPO / "grading.toml")


@pytest.fixture(scope="session")
def toy_config():
    """The toy course's grading.toml, loaded (tests/toy/)."""
    return load(TOY_CONFIG)


@pytest.fixture(scope="session")
def toy_repo(tmp_path_factory) -> Path:
    """A repository whose lesson is the toy course (support.toy_repository), shared by a session's
    tests: those that change it make their own with toy_repository(tmp_path)."""
    return toy_repository(tmp_path_factory.mktemp("toy-repo"))


@pytest.fixture(scope="session")
def solution_toy() -> str:
    return TOY_SOLUTION

