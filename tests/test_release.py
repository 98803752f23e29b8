"""The student release: nothing from a solution or a hidden grader in it, and its `make check` works.

Released from a repository whose lesson is the toy course (tests/toy/); the same leak checks on
this repository's own lesson are in tests/course/test_release_lesson.py."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import TOY, run_cli, toy_repository

from autograder import release as release_module
from autograder.config import check_graders, load
from autograder.grade import discover

MIN_LENGTH = 13  # solution lines shorter than this ("return x", "a = a.T") prove nothing either way


def _lines(path: Path) -> set[str]:
    return {line.strip() for line in path.read_text().splitlines()}


def public_sources(repo: Path) -> list[Path]:
    """Sources published on purpose, for telling a hidden grader's distinctive lines from shared code."""
    package = repo / "autograder"
    return sorted(package / name for name in release_module.engine_modules(package)) + sorted(
        (package / "graders" / "public").glob("*.py"))


def solution_lines(repo: Path) -> set[str]:
    """Stripped lines of every solution body that neither the released stubs (a TODO may quote one)
    nor the lesson (the lesson's own code, e.g. `output_error = actual_output - predicted_output`) contain."""
    secret = set()
    lesson = "".join(path.read_text() for path in sorted((repo / "lesson").glob("*.md")))
    for path in sorted((repo / "solutions").glob("*.py")):
        stub = (repo / "exercises" / path.name).read_text() + lesson
        inside = False
        for line in path.read_text().splitlines():
            text = line.strip()
            if text in ("### BEGIN SOLUTION", "### END SOLUTION"):
                inside = text == "### BEGIN SOLUTION"
            elif inside and len(text) >= MIN_LENGTH and text not in stub:
                secret.add(text)
    return secret


def hidden_grader_lines(repo: Path) -> set[str]:
    """Lines of the hidden graders that no public source contains (imports and short lines left out)."""
    public = "\n".join(path.read_text() for path in public_sources(repo))
    distinctive = set()
    for path in sorted((repo / "autograder" / "graders" / "hidden").glob("*.py")):
        for text in _lines(path):
            if len(text) >= 16 and not text.startswith(("import ", "from ")) and text not in public:
                distinctive.add(text)
    return distinctive


def hidden_test_names(repo: Path) -> set[str]:
    return {name for path in (repo / "autograder" / "graders" / "hidden").glob("*.py")
            for name in re.findall(r"^def (test_\w+)", path.read_text(), re.M)}


def released_texts(release: Path) -> dict[str, str]:
    # Binary files too (a dataset): a leak could hide anywhere, and ASCII survives decoding.
    return {path.relative_to(release).as_posix(): path.read_bytes().decode("utf-8", "replace")
            for path in release.rglob("*") if path.is_file()}


def _found_in(texts: dict[str, str], lines: set[str]) -> list[str]:
    return sorted(f"{name}: {line!r}" for name, text in texts.items() for line in lines if line in text)


def assert_no_solution_line(repo: Path, release: Path, generic: set[str] = frozenset()) -> None:
    """No distinctive line of repo's solutions in the release; the search finds a solution file planted in it."""
    secret = solution_lines(repo) - generic
    planted = {path.name: path.read_text() for path in (repo / "solutions").glob("*.py")}
    assert secret and _found_in(planted, secret), "the solutions should have distinctive lines to look for"
    leaks = _found_in(released_texts(release), secret)
    assert not leaks, "solution lines found in the release:\n" + "\n".join(leaks)


def assert_no_hidden_grader_line_or_name(repo: Path, release: Path) -> None:
    distinctive = hidden_grader_lines(repo)
    planted = {path.name: path.read_text() for path in (repo / "autograder" / "graders" / "hidden").glob("*.py")}
    assert distinctive and _found_in(planted, distinctive), "the hidden graders should have distinctive lines"
    texts = released_texts(release)
    leaks = _found_in(texts, distinctive) + _found_in(texts, hidden_test_names(repo))
    assert not leaks, "hidden grader content found in the release:\n" + "\n".join(leaks)


@pytest.fixture(scope="module")
def release(tmp_path_factory, toy_repo) -> Path:
    out = tmp_path_factory.mktemp("release") / "student-repo"
    done = run_cli("release", str(out), "--instructor-repo", "course/day2-instructor", "--instructor-ref", "v2026.1",
                   cwd=toy_repo)
    assert done.returncode == 0, done.stderr
    return out


def test_release_holds_the_student_files(release):
    files = set(released_texts(release))
    assert {"README.md", "Makefile", ".gitignore", "requirements.txt", "grading.toml", "lesson/toy.md",
            "exercises/toy.py", "exercises/words.py", ".github/workflows/grade.yml",
            "autograder/__main__.py", "autograder/child.py", "autograder/wire.py"} <= files
    assert not [name for name in files if name.startswith(("solutions/", "autograder/graders/hidden/", "tests/"))]
    assert not {f"autograder/{name}" for name in release_module.INSTRUCTOR_ONLY} & files
    assert {f"autograder/graders/public/{p.name}" for p in (TOY / "graders" / "public").glob("*.py")} <= files


def test_no_solution_line_appears_in_the_release(release, toy_repo):
    assert_no_solution_line(toy_repo, release)


def test_no_hidden_grader_line_or_name_appears_in_the_release(release, toy_repo):
    assert_no_hidden_grader_line_or_name(toy_repo, release)


def test_a_leaked_line_is_found(release, toy_repo, tmp_path):
    leaky = tmp_path / "leaky"
    shutil.copytree(release, leaky)
    (leaky / "notes.md").write_text((toy_repo / "solutions" / "toy.py").read_text()[-400:])
    with pytest.raises(AssertionError, match="solution lines found in the release"):
        assert_no_solution_line(toy_repo, leaky)
    (leaky / "notes.md").write_text("def test_mean_values(student, cfg, rng):\n")
    with pytest.raises(AssertionError, match="hidden grader content found"):
        assert_no_hidden_grader_line_or_name(toy_repo, leaky)


def test_released_config_lists_exactly_the_public_checks(release, toy_repo):
    config = load(release / "grading.toml")
    check_graders(config, discover(release / "autograder" / "graders"))  # raises on any mismatch
    text = (release / "grading.toml").read_text()
    assert "[grading]" not in text
    # standins are names (`make check` says which exercise another waits on); no solution comes with them
    assert config.exercises["predict"].standins == load(toy_repo / "grading.toml").exercises["predict"].standins
    assert config.exercises["predict"].check_timeout_s < config.exercises["predict"].timeout_s
    # hidden checks only: listed with no points and no checks, so `make check EX=mean` can say so
    assert config.hidden_only() == ("mean",) and config.exercises["mean"].max_score == 0
    for name, exercise in config.exercises.items():
        if name in config.hidden_only():
            continue
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
    config = load(student / "grading.toml")
    for exercise in (name for name in config.exercises if name not in config.hidden_only()):
        assert re.search(rf"{exercise}\s.*not implemented", done.stdout), f"{exercise} row missing:\n{done.stdout}"
    assert "hidden checks" in done.stdout

    shutil.copy(TOY / "solutions" / "toy.py", student / "exercises" / "toy.py")
    done = _make(student, "check", "EX=scale")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"scale\s.*passed", done.stdout), done.stdout


def test_make_help_lists_check_and_the_first_check_builds_a_venv(release):
    done = subprocess.run(["make", "-C", str(release), "help"], capture_output=True, text=True)
    assert done.returncode == 0 and re.search(r"^check\s+run the public checks", done.stdout, re.M), done.stdout
    dry = subprocess.run(["make", "-C", str(release), "-n", "check"], capture_output=True, text=True)
    assert "-m venv .venv" in dry.stdout and "pip install --progress-bar on -r requirements.txt" in dry.stdout, dry.stdout
    assert ".venv/bin/python -m autograder check exercises" in dry.stdout


def test_instructor_commands_are_not_in_the_release(release):
    done = subprocess.run([sys.executable, "-m", "autograder", "release", "elsewhere"], cwd=release,
                          capture_output=True, text=True)
    assert done.returncode == 2 and "is for instructors" in done.stderr and not (release / "elsewhere").exists()


def test_release_refuses_a_folder_that_is_not_a_release(tmp_path, toy_repo):
    (tmp_path / "notes.txt").write_text("mine")
    done = run_cli("release", str(tmp_path), "--instructor-repo", "a/b", "--instructor-ref", "v1", cwd=toy_repo)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "not an earlier release" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def _release(repo: Path, out: Path, ref: str) -> subprocess.CompletedProcess:
    return run_cli("release", str(out), "--instructor-repo", "a/b", "--instructor-ref", ref, cwd=repo)


def test_release_overwrites_an_earlier_release_and_keeps_what_was_added(tmp_path, toy_repo):
    out = tmp_path / "student"
    assert _release(toy_repo, out, "v1").returncode == 0
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (out / "autograder" / "graders" / "public" / "test_gone.py").write_text("stale")
    manifest = json.loads((out / release_module.MANIFEST).read_text())
    manifest["files"] += ["autograder/graders/public/test_gone.py", "../outside.txt"]
    (out / release_module.MANIFEST).write_text(json.dumps(manifest))
    (tmp_path / "outside.txt").write_text("not the release's to delete")

    assert _release(toy_repo, out, "v2").returncode == 0
    assert (out / ".git" / "HEAD").is_file() and (tmp_path / "outside.txt").is_file()
    assert not (out / "autograder" / "graders" / "public" / "test_gone.py").exists()
    assert (out / ".github/workflows/grade.yml").is_file() and (out / "exercises" / "toy.py").is_file()


def test_release_refuses_bad_instructor_ref(tmp_path, toy_repo):
    done = _release(toy_repo, tmp_path / "out", "v1; rm -rf /")
    assert done.returncode == 2 and "--instructor-ref" in done.stderr and not (tmp_path / "out").exists()


def test_a_data_file_beside_the_graders_ships_only_when_a_released_module_names_it(tmp_path):
    """A dataset named by a public grader ships; an instructor's hidden data is not."""
    copy = toy_repository(tmp_path / "course")
    graders = copy / "autograder" / "graders"
    (graders / "toy_inputs.csv").write_text("1,2,3\n")
    (graders / "public" / "test_scale.py").write_text((graders / "public" / "test_scale.py").read_text()
                                                      + '\nINPUTS = "toy_inputs.csv"  # a dataset the public checks read\n')
    (graders / "hidden_expected.json").write_text('{"answer": 42}')
    files = release_module.contents(repo=copy, instructor_repo="course/x", instructor_ref="v1")
    assert "autograder/graders/toy_inputs.csv" in files
    assert "autograder/graders/hidden_expected.json" not in files
