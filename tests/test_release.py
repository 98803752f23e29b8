"""The student release: nothing from a solution or a hidden grader in it, and its `make check` works."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, copy_of_repository, run_cli

from autograder import release as release_module
from autograder.config import check_graders, load
from autograder.grade import UsageError, discover

MIN_LENGTH = 13  # solution lines shorter than this ("return x", "a = a.T") prove nothing either way
# Solution lines that also occur, by coincidence, in engine code we publish on purpose and that
# say nothing about the answer. Each entry was reviewed. (Lines of the lesson's own code are
# not secret at all: every student gets the lesson; solution_lines() leaves them out.)
GENERIC = {
    "return losses",  # report.py
    "a = np.asarray(a, dtype=float)",  # oracle.py: input conversion
    "rng = np.random.default_rng(seed)",  # graders/mnist.py: seeded sampling
}
# Sources published on purpose, for telling a hidden grader's distinctive lines from shared code.
PUBLIC_SOURCES = sorted(REPO / "autograder" / name for name in release_module.engine_modules()) + sorted(
    (REPO / "autograder" / "graders" / "public").glob("*.py"))


def _lines(path: Path) -> set[str]:
    return {line.strip() for line in path.read_text().splitlines()}


def solution_lines() -> set[str]:
    """Stripped lines of every solution body that neither the released stubs (a TODO may quote one)
    nor the lesson (the lesson's own code, e.g. `output_error = actual_output - predicted_output`) contain."""
    secret = set()
    lesson = "".join(path.read_text() for path in sorted((REPO / "lesson").glob("*.md")))
    for path in sorted((REPO / "solutions").glob("*.py")):
        stub = (REPO / "exercises" / path.name).read_text() + lesson
        inside = False
        for line in path.read_text().splitlines():
            text = line.strip()
            if text in ("### BEGIN SOLUTION", "### END SOLUTION"):
                inside = text == "### BEGIN SOLUTION"
            elif inside and len(text) >= MIN_LENGTH and text not in stub:
                secret.add(text)
    return secret


def hidden_grader_lines() -> set[str]:
    """Lines of the hidden graders that no public source contains (imports and short lines left out)."""
    public = "\n".join(path.read_text() for path in PUBLIC_SOURCES)
    distinctive = set()
    for path in sorted((REPO / "autograder" / "graders" / "hidden").glob("*.py")):
        for text in _lines(path):
            if len(text) >= 16 and not text.startswith(("import ", "from ")) and text not in public:
                distinctive.add(text)
    return distinctive


def hidden_test_names() -> set[str]:
    return {name for path in (REPO / "autograder" / "graders" / "hidden").glob("*.py")
            for name in re.findall(r"^def (test_\w+)", path.read_text(), re.M)}


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "student-repo"
    done = run_cli("release", str(out), "--instructor-repo", "course/day2-instructor", "--instructor-ref", "v2026.1")
    assert done.returncode == 0, done.stderr
    return out


def released_texts(release: Path) -> dict[str, str]:
    # Binary files too (mnist_small.npz): a leak could hide anywhere, and ASCII survives decoding.
    return {path.relative_to(release).as_posix(): path.read_bytes().decode("utf-8", "replace")
            for path in release.rglob("*") if path.is_file()}


def _found_in(texts: dict[str, str], lines: set[str]) -> list[str]:
    return sorted(f"{name}: {line!r}" for name, text in texts.items() for line in lines if line in text)


def test_release_holds_the_student_files(release):
    files = set(released_texts(release))
    assert {"README.md", "Makefile", ".gitignore", "requirements.txt", "grading.toml", "lesson/day2_mlp.md",
            "exercises/mlp.py", "exercises/mnist_keras.py", ".github/workflows/grade.yml", "day2_mlp.ipynb",
            "autograder/__main__.py", "autograder/child.py", "autograder/wire.py"} <= files
    assert not [name for name in files if name.startswith(("solutions/", "autograder/graders/hidden/", "tests/"))]
    assert not {f"autograder/{name}" for name in release_module.INSTRUCTOR_ONLY} & files
    assert {f"autograder/graders/public/{p.name}" for p in (REPO / "autograder/graders/public").glob("*.py")} <= files


def test_no_solution_line_appears_in_the_release(release):
    secret = solution_lines()
    assert len(secret) >= 30, "the solutions should have plenty of distinctive lines to look for"
    leaks = _found_in(released_texts(release), secret - GENERIC)
    assert not leaks, "solution lines found in the release:\n" + "\n".join(leaks)


def test_no_hidden_grader_line_or_name_appears_in_the_release(release):
    distinctive = hidden_grader_lines()
    assert len(distinctive) >= 50, "the hidden graders should have plenty of distinctive lines to look for"
    texts = released_texts(release)
    leaks = _found_in(texts, distinctive) + _found_in(texts, hidden_test_names())
    assert not leaks, "hidden grader content found in the release:\n" + "\n".join(leaks)


def test_released_config_lists_exactly_the_public_checks(release):
    config = load(release / "grading.toml")
    check_graders(config, discover(release / "autograder" / "graders"))  # raises on any mismatch
    text = (release / "grading.toml").read_text()
    assert "[grading]" not in text
    # standins are names (`make check` says which exercise another waits on); no solution comes with them
    assert config.exercises["forward"].standins == load(REPO / "grading.toml").exercises["forward"].standins
    assert config.exercises["forward"].check_timeout_s < config.exercises["forward"].timeout_s
    for name, exercise in config.exercises.items():
        grader = (release / "autograder" / "graders" / "public" / f"test_{name}.py").read_text()
        for key in exercise.params:
            assert f"cfg.{key}" in grader, f"{name}.params.{key} is used by no public check: not for students"


def test_nothing_names_the_instructor_repository_or_a_secret(release):
    texts = "".join(released_texts(release).values())
    assert "course/day2-instructor" not in texts and "v2026.1" not in texts and "@INSTRUCTOR" not in texts
    assert "secrets." not in texts and "DEPLOY_KEY" not in texts


def _make(folder: Path, *args: str) -> subprocess.CompletedProcess:
    # The release must run on its own: this repository is not on the path, only its interpreter is used.
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "MAKEFLAGS")}
    return subprocess.run(["make", "-C", str(folder), *args, f"PY={sys.executable}"], capture_output=True,
                          text=True, timeout=600, env=env)


def test_make_check_runs_on_the_stubs_then_passes_a_solved_exercise(release, tmp_path):
    student = tmp_path / "student"
    shutil.copytree(release, student)
    where = subprocess.run([sys.executable, "-c", "import autograder; print(autograder.__file__)"], cwd=student,
                           capture_output=True, text=True)
    assert where.stdout.strip() == str(student / "autograder" / "__init__.py")

    done = _make(student, "check")
    assert done.returncode != 0, "the stubs must not pass"
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    for exercise in load(student / "grading.toml").exercises:
        assert re.search(rf"{exercise}\s.*not implemented", done.stdout), f"{exercise} row missing:\n{done.stdout}"
    assert "hidden checks" in done.stdout

    shutil.copy(REPO / "solutions" / "mlp.py", student / "exercises" / "mlp.py")
    done = _make(student, "check", "EX=sigmoid")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"sigmoid\s.*passed", done.stdout), done.stdout


def test_make_help_lists_check_and_the_first_check_builds_a_venv(release):
    done = subprocess.run(["make", "-C", str(release), "help"], capture_output=True, text=True)
    assert done.returncode == 0 and re.search(r"^check\s+run the public checks", done.stdout, re.M), done.stdout
    dry = subprocess.run(["make", "-C", str(release), "-n", "check"], capture_output=True, text=True)
    assert "-m venv .venv" in dry.stdout and "pip install --progress-bar on -r requirements.txt" in dry.stdout, dry.stdout
    assert ".venv/bin/python -m autograder check exercises" in dry.stdout


def test_no_analytic_backward_pass_is_released(release):
    # mistakes.py writes out a correct backward() to derive wrong ones from: hidden graders only.
    assert not (release / "autograder" / "mistakes.py").exists()
    assert "backward_mistakes" not in "\n".join(released_texts(release).values())


def test_instructor_commands_are_not_in_the_release(release):
    done = subprocess.run([sys.executable, "-m", "autograder", "release", "elsewhere"], cwd=release,
                          capture_output=True, text=True)
    assert done.returncode == 2 and "is for instructors" in done.stderr and not (release / "elsewhere").exists()


def test_release_refuses_a_folder_that_is_not_a_release(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    done = run_cli("release", str(tmp_path), "--instructor-repo", "a/b", "--instructor-ref", "v1")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "not an earlier release" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_release_overwrites_an_earlier_release_and_keeps_what_was_added(tmp_path):
    out = tmp_path / "student"
    release_module.release(out, instructor_repo="a/b", instructor_ref="v1")
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (out / "autograder" / "graders" / "public" / "test_gone.py").write_text("stale")
    manifest = json.loads((out / release_module.MANIFEST).read_text())
    manifest["files"] += ["autograder/graders/public/test_gone.py", "../outside.txt"]
    (out / release_module.MANIFEST).write_text(json.dumps(manifest))
    (tmp_path / "outside.txt").write_text("not the release's to delete")

    release_module.release(out, instructor_repo="a/b", instructor_ref="v2")
    assert (out / ".git" / "HEAD").is_file() and (tmp_path / "outside.txt").is_file()
    assert not (out / "autograder" / "graders" / "public" / "test_gone.py").exists()
    assert (out / ".github/workflows/grade.yml").is_file() and (out / "day2_mlp.ipynb").is_file()


def test_release_refuses_bad_instructor_ref(tmp_path):
    with pytest.raises(UsageError, match="--instructor-ref"):
        release_module.release(tmp_path / "out", instructor_repo="a/b", instructor_ref="v1; rm -rf /")


def test_a_data_file_beside_the_graders_ships_only_when_a_released_module_names_it(tmp_path):
    """mnist_small.npz is named by the released graders/mnist.py; an instructor's hidden data is not."""
    copy = copy_of_repository(tmp_path / "course")
    (copy / "autograder" / "graders" / "hidden_expected.json").write_text('{"answer": 42}')
    files = release_module.contents(repo=copy, instructor_repo="course/x", instructor_ref="v1")
    assert "autograder/graders/mnist_small.npz" in files
    assert "autograder/graders/hidden_expected.json" not in files
