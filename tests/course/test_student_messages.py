"""What `make check` says when a student's code hits a time limit or tries the network at import."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _check(folder: Path, only: str, env: dict | None = None) -> str:
    done = subprocess.run([sys.executable, "-m", "autograder", "check", str(folder), "--only", only], cwd=REPO,
                          capture_output=True, text=True, timeout=600, env={**os.environ, **(env or {})})
    assert done.returncode == 1, done.stdout + done.stderr
    return " ".join(done.stdout.split())  # the table's lines are wrapped at 80 columns


def test_a_timeout_says_took_longer_not_crashed(tmp_path):
    folder = tmp_path / "loop"
    shutil.copytree(REPO / "exercises", folder)
    source = (folder / "mlp.py").read_text()
    (folder / "mlp.py").write_text(source.replace('raise NotImplementedError("sigmoid is not implemented yet")',
                                                  "while True:\n        pass", 1))
    said = _check(folder, "sigmoid")
    assert "your code took longer than the 5 s time limit" in said and "crashed" not in said, said


def test_top_level_code_that_reaches_for_the_network_is_named_as_the_cause(tmp_path):
    folder = tmp_path / "network"
    shutil.copytree(REPO / "exercises", folder)
    source = (folder / "mnist_keras.py").read_text()
    trial = "\nimport urllib.request\nurllib.request.urlopen('https://storage.googleapis.com/mnist.npz', timeout=5)\n"
    (folder / "mnist_keras.py").write_text(source + trial)
    said = _check(folder, "keras_mnist")
    assert "mnist_keras.py does not import" in said, said
    assert "The top-level code of a file runs when the checks import it, and checks run offline" in said, said
