"""Measuring helpers for bench/run.py: a frozen copy of the repository, timed commands, medians.

Every measurement runs on a snapshot of the repository (autograder/, solutions/, exercises/,
grading.toml, nbgrader/; data/ linked), so edits made elsewhere during the run cannot change
what is measured, and "cold" can delete that copy's __pycache__ without touching the tree.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
NUMPY = ("sigmoid", "sigmoid_derivative", "forward", "backward", "train_xor")
KERAS = ("keras_mnist",)
COPIED = ("autograder", "solutions", "exercises", "nbgrader", "bench", "tests")


def snapshot(root: Path | None = None) -> Path:
    """A copy of what grading needs, in a fresh temporary folder (data/ is linked, not copied)."""
    root = Path(root or tempfile.mkdtemp(prefix="bench-"))
    for name in COPIED:
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns(
            "__pycache__", "release", "submitted", "autograded", "feedback", "gradebook.db", "*.csv"))
    shutil.copy(REPO / "grading.toml", root / "grading.toml")
    (root / "data").symlink_to(REPO / "data")
    return root


def clear_bytecode(root: Path) -> None:
    """What "cold" means here: our own code (autograder/, graders, solutions/) is compiled afresh.
    The interpreter's and site-packages' bytecode stay (as after `pip install`), as does the OS
    file cache: we cannot drop it on a shared machine."""
    for folder in root.rglob("__pycache__"):
        shutil.rmtree(folder, ignore_errors=True)


def environment(*, sandbox: bool = True, **extra: str) -> dict[str, str]:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0", **extra}
    env.pop("AUTOGRADER_SANDBOX", None)
    if not sandbox:
        env["AUTOGRADER_SANDBOX"] = "dropped"  # no namespaces, as in a Docker container
    return env


@dataclass
class Run:
    seconds: float
    stdout: str
    stderr: str
    code: int


def run(command: list[str], cwd: Path, env: dict | None = None, timeout: float = 900, check: bool = True) -> Run:
    started = time.monotonic()
    done = subprocess.run(command, cwd=cwd, env=env or environment(), capture_output=True, text=True,
                          timeout=timeout)
    seconds = time.monotonic() - started
    if check and done.returncode not in (0, 1):  # `check` exits 1 when a public check fails
        raise RuntimeError(f"{' '.join(map(str, command))} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return Run(seconds, done.stdout, done.stderr, done.returncode)


def engine(root: Path, *args: str, sandbox: bool = True, **kwargs) -> Run:
    return run([PY, "-m", "autograder", *args], cwd=root, env=environment(sandbox=sandbox), **kwargs)


def grade(root: Path, submission: Path, only, results: Path, *, sandbox: bool = True) -> tuple[float, dict]:
    """Wall seconds of `python -m autograder grade`, and its results.json."""
    done = engine(root, "grade", str(submission), "--results", str(results), "--only", ",".join(only),
                  sandbox=sandbox)
    return done.seconds, json.loads(results.read_text())


def median(values) -> float:
    return statistics.median(values) if values else float("nan")


def spread(values) -> str:
    """'1.23 s (1.10-1.40, n=5)'"""
    if not values:
        return "n/a"
    return f"{median(values):.2f} s ({min(values):.2f}-{max(values):.2f}, n={len(values)})"


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "n/a"


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{model or platform.processor()} x {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}"


def versions() -> str:
    from importlib.metadata import version

    parts = [f"Python {platform.python_version()}"]
    for name in ("numpy", "pytest", "nbgrader", "tensorflow-cpu", "keras"):
        try:
            parts.append(f"{name} {version(name)}")
        except Exception:
            pass
    bwrap = shutil.which("bwrap")
    if bwrap:
        text = subprocess.run([bwrap, "--version"], capture_output=True, text=True).stdout.strip()
        parts.append(text or "bubblewrap")
    return ", ".join(parts)
