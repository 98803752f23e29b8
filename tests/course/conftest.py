"""Fixtures of this lesson's tests: its reference solutions' text."""

import pytest
from support import REPO


@pytest.fixture(scope="session")
def solution_mlp() -> str:
    return (REPO / "solutions" / "mlp.py").read_text()


@pytest.fixture(scope="session")
def solution_keras() -> str:
    return (REPO / "solutions" / "mnist_keras.py").read_text()
