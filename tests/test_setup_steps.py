"""The course's set-up steps: grading.toml's [setup], run by autograder.prepare (and so by `make data`,
Gradescope's setup.sh, the Kubernetes image and the class workflow); the engine names no dataset."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support import REPO

from autograder import gradescope
from autograder.config import ConfigError, load

STEP = '''import pathlib, sys
folder = pathlib.Path("data")
folder.mkdir(exist_ok=True)
with open(folder / "steps.txt", "a") as log:
    log.write(__name__ + " " + sys.argv[0].rsplit("/", 1)[-1] + "\\n")
'''


def course(root: Path, setup: str) -> Path:
    """A course with no exercises, two set-up modules of its own and this [setup] table."""
    (root / "graders").mkdir(parents=True)
    (root / "steps").mkdir()
    (root / "steps" / "__init__.py").write_text("")
    (root / "steps" / "first.py").write_text(STEP)
    (root / "steps" / "second.py").write_text(STEP + "raise SystemExit(int(pathlib.Path('fail').exists()) * 7)\n")
    (root / "grading.toml").write_text(f'[grading]\ngraders = "graders"\n\n[setup]\n{setup}\n')
    return root / "grading.toml"


def prepare(config: Path, *args: str) -> subprocess.CompletedProcess:
    # PYTHONPATH: the engine from this repository, the course's modules from its own folder (the cwd).
    return subprocess.run([sys.executable, "-m", "autograder.prepare", "--config", str(config), *args],
                          cwd=config.parent, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{REPO}:{config.parent}"})


@pytest.mark.parametrize("setup, message", [
    ('module = ["x"]', "unknown key 'setup.module' (known: modules, system_packages)"),
    ('modules = "steps.first"', "'setup.modules' must be list"),
    ('modules = ["steps/first.py"]', "'setup.modules' entry 'steps/first.py' is not a module name"),
    ('system_packages = ["npm; rm -rf /"]',
     "'setup.system_packages' entry 'npm; rm -rf /' is not a Debian package name"),
    ("system_packages = [3]", "'setup.system_packages' must be str"),
])
def test_a_wrong_setup_table_is_a_one_line_error(tmp_path, setup, message):
    with pytest.raises(ConfigError) as raised:
        load(course(tmp_path, setup))
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_prepare_runs_the_declared_modules_in_order_from_the_course_folder(tmp_path):
    config = course(tmp_path, 'modules = ["steps.second", "steps.first"]\nsystem_packages = ["npm", "libgomp1"]')
    done = prepare(config)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "data" / "steps.txt").read_text() == "__main__ second.py\n__main__ first.py\n"
    assert done.stdout.splitlines() == ["set-up: python -m steps.second", "set-up: python -m steps.first"]
    assert prepare(config, "--packages").stdout == "npm libgomp1\n"


def test_a_failing_step_stops_the_rest_and_says_which(tmp_path):
    config = course(tmp_path, 'modules = ["steps.second", "steps.first"]')
    (tmp_path / "fail").write_text("")
    done = prepare(config)
    assert done.returncode == 7
    assert done.stderr.strip() == ("error: set-up step `python -m steps.second` failed (exit 7); "
                                   "its output above says why")
    assert (tmp_path / "data" / "steps.txt").read_text() == "__main__ second.py\n"


def test_no_setup_table_is_nothing_to_do(tmp_path):
    (tmp_path / "graders").mkdir()
    (tmp_path / "grading.toml").write_text('[grading]\ngraders = "graders"\n')
    done = prepare(tmp_path / "grading.toml")
    assert done.returncode == 0 and "nothing to set up" in done.stdout
    assert prepare(tmp_path / "grading.toml", "--packages").stdout == "\n"


def test_the_gradescope_setup_sh_installs_and_runs_what_the_course_declares(tmp_path):
    archive = gradescope.build(tmp_path / "autograder.zip")
    with zipfile.ZipFile(archive) as unpacked:
        setup = unpacked.read("setup.sh").decode()
    packages = " ".join(load(REPO / "grading.toml").system_packages)
    assert f"apt-get install -y -qq bubblewrap python3-venv python3-pip {packages}\n" in setup
    assert "-m autograder.prepare" in setup and "@SETUP_PACKAGES@" not in setup


def test_the_engine_and_its_runners_name_no_dataset():
    files = [*sorted((REPO / "autograder").glob("*.py")), *sorted((REPO / "autograder" / "templates").rglob("*")),
             *sorted((REPO / "runners").rglob("*")), REPO / "Makefile"]
    named = [f"{path.relative_to(REPO)}:{number}" for path in files if path.is_file()
             for number, line in enumerate(path.read_text().splitlines(), start=1) if re.search("mnist", line, re.I)]
    assert not named, named


def test_missing_lists_only_the_packages_this_machine_lacks(tmp_path):
    # sh is a command everywhere; the other name is no package at all.
    config = course(tmp_path, 'system_packages = ["sh", "no-such-package-h25b"]')
    assert prepare(config, "--packages", "--missing").stdout == "no-such-package-h25b\n"
    assert prepare(config, "--packages").stdout == "sh no-such-package-h25b\n"
