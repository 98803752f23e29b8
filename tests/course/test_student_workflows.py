"""The student-path workflows (this repository's and the release's): actionlint-clean, and they run
make check, make report and the notebook's cells on Linux and macOS."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

from test_workflow import actionlint  # noqa: E402,F401 (the fixture)

from autograder import release  # noqa: E402


@pytest.fixture(scope="module")
def workflows(tmp_path_factory) -> dict[str, Path]:
    files = release.contents(instructor_repo="course/day2-instructor", instructor_ref="0123abcd")
    path = tmp_path_factory.mktemp("student") / ".github" / "workflows" / "student-path.yml"
    path.parent.mkdir(parents=True)
    path.write_bytes(files[".github/workflows/student-path.yml"])
    return {"release": path, "repository": REPO / ".github" / "workflows" / "student-path.yml"}


@pytest.mark.parametrize("which", ["release", "repository"])
def test_actionlint_accepts_the_student_path_workflow(actionlint, workflows, which):
    assert actionlint(workflows[which]) == []


@pytest.mark.parametrize("which", ["release", "repository"])
def test_it_runs_the_student_path_on_linux_and_macos(workflows, which):
    workflow = yaml.safe_load(workflows[which].read_text())
    job = workflow["jobs"]["student-path"]
    assert set(job["strategy"]["matrix"]["os"]) == {"ubuntu-latest", "macos-latest"}
    assert {"3.10", "3.13"} <= set(job["strategy"]["matrix"]["python"])
    commands = "\n".join(step.get("run", "") for step in job["steps"])
    assert "make check" in commands and "make report" in commands and "nbconvert --to notebook --execute" in commands
