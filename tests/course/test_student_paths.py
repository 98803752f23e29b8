"""A student's commands never refuse for want of a sandbox, in the course repository or a release;
only grades of record keep their rule. Plus first contact: `make help`, plain pytest."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

from support import NO_NAMESPACES_ENV  # noqa: E402


@pytest.fixture(scope="module")
def student(tmp_path_factory) -> Path:
    sys.path.insert(0, str(REPO))
    from autograder.release import release

    repo = tmp_path_factory.mktemp("release") / "student"
    release(repo)
    return repo


@pytest.fixture(scope="module")
def hidden_python(tmp_path_factory) -> Path:
    """This venv's interpreter as seen from a folder no other user may enter (pyenv or uv under /root):
    a venv whose python and site-packages are links to ours, inside a 0700 folder."""
    private = tmp_path_factory.mktemp("private")
    private.chmod(0o700)
    venv = private / "venv"
    (venv / "bin").mkdir(parents=True)
    shutil.copy(Path(sys.prefix) / "pyvenv.cfg", venv / "pyvenv.cfg")
    os.symlink(os.path.realpath(sys.executable), venv / "bin" / "python")
    purelib = Path(sysconfig.get_paths()["purelib"])
    (venv / purelib.relative_to(sys.prefix)).parent.mkdir(parents=True)
    os.symlink(purelib, venv / purelib.relative_to(sys.prefix))
    return venv / "bin" / "python"


root_only = pytest.mark.skipif(os.geteuid() != 0, reason="the fallback from dropping root needs root")


@root_only
def test_root_without_namespaces_checks_and_reports_where_no_other_uid_reaches_python(student, hidden_python, tmp_path):
    env = {**os.environ, **NO_NAMESPACES_ENV}
    check = subprocess.run([str(hidden_python), "-m", "autograder", "check", "exercises", "--only", "sigmoid"],
                           cwd=student, env=env, capture_output=True, text=True, timeout=600)
    said = " ".join(check.stdout.split())
    assert check.returncode == 1 and "Public checks: 0 / " in said, check.stdout + check.stderr
    assert "this Python is in a folder other users cannot enter" in said and "as root" not in said, said
    report = subprocess.run([str(hidden_python), "-m", "autograder", "grade", "exercises", "--feedback", "--only",
                             "sigmoid", "--results", str(tmp_path / "r.json"), "--report", str(tmp_path / "r.html")],
                            cwd=student, env=env, capture_output=True, text=True, timeout=600)
    assert report.returncode == 0 and (tmp_path / "r.html").is_file(), report.stdout + report.stderr
    # A grade of record keeps its rule: it says what to fix instead of grading unconfined.
    record = subprocess.run([str(hidden_python), "-m", "autograder", "grade", "exercises", "--only", "sigmoid",
                             "--results", str(tmp_path / "g.json")],
                            cwd=student, env=env, capture_output=True, text=True, timeout=600)
    assert record.returncode == 3 and "is not searchable by other users" in record.stderr, record.stderr


def test_make_report_on_a_laptop_needs_no_flag(student):
    env = {**os.environ, "AUTOGRADER_SANDBOX": "none"}
    done = subprocess.run(["make", "report", f"PY={sys.executable}"], cwd=student, env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "plain process" in done.stdout and "open out/report.html" in done.stdout, done.stdout
    assert "plain process" in (student / "out" / "report.html").read_text()


def test_make_help_shows_values_not_variable_names(student):
    done = subprocess.run(["make", "help", "OUT=feedback"], cwd=student, capture_output=True, text=True)
    assert done.returncode == 0 and "$(" not in done.stdout, done.stdout
    assert re.search(r"^report\s+write feedback/report\.html", done.stdout, re.M), done.stdout
    assert re.search(r"^notebook\s+open \S+\.ipynb in Jupyter", done.stdout, re.M), done.stdout
    done = subprocess.run(["make", "help"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0 and "$(" not in done.stdout, done.stdout


def test_plain_pytest_in_a_release_says_to_run_make_check(student):
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider"], cwd=student,
                          capture_output=True, text=True, timeout=120)
    lines = done.stdout.splitlines()
    assert "fixture 'student' not found" not in done.stdout and " error" not in done.stdout, done.stdout
    assert sum("make check" in line for line in lines) == 1, done.stdout


def test_a_native_windows_make_gets_one_line(student):
    done = subprocess.run(["make", "check", "OS=Windows_NT"], cwd=student, capture_output=True, text=True)
    assert done.returncode != 0 and len(done.stderr.strip().splitlines()) == 1 and "WSL" in done.stderr, done.stderr
    windows = "import sys; sys.platform = 'win32'; from autograder.cli import main; raise SystemExit(main(['check']))"
    done = subprocess.run([sys.executable, "-c", windows], cwd=student, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1 and "use WSL" in done.stderr, done.stderr


# What macOS does differently, as far as this process can show it: sys.platform, and a kernel that
# refuses RLIMIT_AS (setrlimit fails with EINVAL there, in the child between fork and exec too).
MACOS = """
import resource, sys, sysconfig
sysconfig.get_config_vars()  # read now: the file it reads is named after the real platform
sys.platform = "darwin"
_setrlimit = resource.setrlimit
def setrlimit(kind, limits):
    if kind == resource.RLIMIT_AS:
        raise ValueError("current limit exceeds maximum limit")
    return _setrlimit(kind, limits)
resource.setrlimit = setrlimit
from autograder.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def test_check_and_report_run_where_only_posix_is_there(student, tmp_path):
    shutil.copy(REPO / "solutions" / "mlp.py", student / "exercises" / "mlp.py")
    check = subprocess.run([sys.executable, "-c", MACOS, "check", "exercises", "--only", "sigmoid,train_xor"],
                           cwd=student, capture_output=True, text=True, timeout=600)
    said = " ".join(check.stdout.split())
    assert check.returncode == 0 and "Public checks: " in said, check.stdout + check.stderr
    assert "plain process with time limits (no sandbox for it on macOS)" in said, said
    report = subprocess.run([sys.executable, "-c", MACOS, "grade", "exercises", "--feedback", "--only", "train_xor",
                             "--results", str(tmp_path / "r.json"), "--report", str(tmp_path / "r.html")],
                            cwd=student, capture_output=True, text=True, timeout=600)
    assert report.returncode == 0 and 'alt="XOR decision boundary"' in (tmp_path / "r.html").read_text(), \
        report.stdout + report.stderr
