"""autograder.zip laid out as Gradescope does, and run_autograder run there on three submissions.
The zip is built from a repository whose lesson is the toy course (tests/toy/)."""

import json
import os
import stat
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from support import requires_root_dropping
from support import TOY_SOLUTION, TOY_STUB, WORDS_SOLUTION, WORDS_STUB, exercise_scores, grade, run_cli

from autograder import gradescope
from autograder.grade import UsageError

EXERCISES = "scale,predict,mean,fit,shout"  # every exercise of the toy course
DUE = datetime(2026, 3, 1, 23, 59, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def archive(tmp_path_factory, toy_repo) -> Path:
    path = tmp_path_factory.mktemp("zip") / "autograder.zip"
    done = run_cli("gradescope", str(path), "--late-penalty", "0.1", cwd=toy_repo)
    assert done.returncode == 0, done.stderr
    return path


def layout(archive: Path, root: Path, submission: dict, submitted: datetime | None = None) -> Path:
    """The /autograder tree under root: source/ unpacked with its modes, run_autograder copied, a submission."""
    gradescope.lay_out(archive, root)
    for name, content in submission.items():
        path = root / "submission" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            path.symlink_to(content)
        else:
            path.write_text(content)
    (root / "submission").mkdir(exist_ok=True)
    metadata = {"created_at": (submitted or DUE - timedelta(hours=1)).isoformat(),
                "assignment": {"due_date": DUE.isoformat(), "late_due_date": None, "title": "Toy course"},
                "users": [{"email": "student@example.com", "id": 1, "name": "A Student"}]}
    (root / "submission_metadata.json").write_text(json.dumps(metadata))
    return root


def run_autograder(root: Path, **env: str) -> dict:
    done = subprocess.run([str(root / "run_autograder")], cwd=root, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable,
                               "AUTOGRADER_ONLY": EXERCISES, **env})
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_zip_has_gradescope_files_at_its_root_and_the_full_grader(archive, tmp_path):
    with zipfile.ZipFile(archive) as unpacked:
        modes = {info.filename: stat.S_IMODE(info.external_attr >> 16) for info in unpacked.infolist()}
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755
    assert {"grading.toml", "requirements.txt", "solutions/toy.py", "solutions/words.py", "autograder/gradescope.py",
            "autograder/graders/hidden/test_predict.py"} <= set(modes)
    assert not [name for name in modes if "__pycache__" in name or name.startswith(("tests/", "exercises/"))]

    root = layout(archive, tmp_path, {})
    skipped = {"AUTOGRADER_ROOT": str(root), "AUTOGRADER_SKIP_APT": "1", "AUTOGRADER_SKIP_PIP": "1",
               "AUTOGRADER_SKIP_DATA": "1"}
    done = subprocess.run(["bash", str(root / "source" / "setup.sh")], capture_output=True, text=True,
                          env={**os.environ, **skipped})
    assert done.returncode == 0, done.stderr


def test_reference_nested_and_oddly_named_scores_full_marks_less_the_late_penalty(archive, tmp_path, toy_repo):
    root = layout(archive, tmp_path / "root", {"Week 1/work/Toy (1).py": TOY_SOLUTION, "Week 1/notes.txt": "hello",
                                               "words.py": WORDS_SOLUTION}, submitted=DUE + timedelta(hours=30))
    results = run_autograder(root)
    failed = [(t["name"], t["output"]) for t in results["tests"] if t["status"] != "passed"]
    assert results["tests"] and not failed, failed
    total = sum(t["max_score"] for t in results["tests"])
    assert sum(t["score"] for t in results["tests"]) == total
    assert results["score"] == pytest.approx(0.8 * total)  # 30 hours late: two started days at 10%
    assert "Graded Week 1/work/Toy (1).py as toy.py" in results["output"] and "reduced by 20%" in results["output"]

    # The same scores as `make grade` gives the same code: one engine, one seed per content.
    (tmp_path / "direct").mkdir()
    (tmp_path / "direct" / "toy.py").write_text(TOY_SOLUTION)
    (tmp_path / "direct" / "words.py").write_text(WORDS_SOLUTION)
    direct = grade(tmp_path / "direct", tmp_path / "direct.json", "--only", EXERCISES, cwd=toy_repo)
    assert exercise_scores(results) == exercise_scores(direct)
    assert results["extra_data"]["seed"] == direct["extra_data"]["seed"]


def test_stubs_score_zero_and_a_link_to_the_reference_is_not_followed(archive, tmp_path):
    root = tmp_path / "root"
    # A link named exactly toy.py, pointing at the reference inside the grader: never read.
    root = layout(archive, root, {"toy.py": root / "source" / "solutions" / "toy.py", "exercises/toy.py": TOY_STUB,
                                  "words.py": WORDS_STUB})
    results = run_autograder(root)
    assert results["score"] == 0 and results["tests"]
    assert all("not implemented yet" in t["output"] for t in results["tests"]), results["tests"]
    assert "toy.py is a symbolic link (submit the file itself): not graded" in results["output"]
    assert "Graded exercises/toy.py as toy.py" in results["output"]


@requires_root_dropping
def test_hostile_submission_cannot_leave_its_own_results(archive, tmp_path, no_namespaces):
    root = tmp_path / "root"
    fake = {"score": 1000, "tests": [], "output": "full marks!"}
    hostile = (
        "import json, os\n"
        f"os.makedirs({str(root / 'results')!r}, exist_ok=True)\n"
        f"json.dump({fake!r}, open({str(root / 'results' / 'results.json')!r}, 'w'))\n"
        f"open({str(root / 'hostile_ran')!r}, 'w').close()\n"
        "os._exit(0)\n")
    root = layout(archive, root, {"toy.py": hostile, "words.py": hostile})
    # As in Gradescope's containers: no namespaces, root; the child runs as a uid of its own.
    results = run_autograder(root, **no_namespaces)
    assert not (root / "hostile_ran").exists()
    assert results["score"] == 0 and results["tests"] and "full marks" not in results["output"]
    assert results["extra_data"]["sandbox_layers"]["mode"] == "dropped"
    assert all(t["score"] == 0 and "PermissionError" in t["output"] for t in results["tests"] if t["tags"][1] == "public")


def test_without_any_sandbox_gradescope_refuses_to_grade(archive, tmp_path):
    root = layout(archive, tmp_path / "root", {"toy.py": TOY_SOLUTION, "words.py": WORDS_SOLUTION})
    results = run_autograder(root, AUTOGRADER_SANDBOX="none")
    assert results["score"] == 0 and results["tests"] == [] and "no sandbox here" in results["output"]
    allowed = run_autograder(root, AUTOGRADER_SANDBOX="none", AUTOGRADER_ALLOW_UNSANDBOXED="1")
    assert allowed["score"] > 0 and "NOT SANDBOXED" in allowed["output"]


def test_late_penalty_rules_and_extensions():
    metadata = {"created_at": (DUE + timedelta(hours=25)).isoformat(), "assignment": {"due_date": DUE.isoformat()},
                "users": [{"name": "A"}]}
    assert gradescope.late_penalty(metadata, "0")[0] == 0
    assert gradescope.late_penalty(metadata, "0.1")[0] == pytest.approx(0.2)
    assert gradescope.late_penalty(metadata, "0.1/day")[0] == pytest.approx(0.2)
    assert gradescope.late_penalty(metadata, "0.01/hour")[0] == pytest.approx(0.25)
    assert gradescope.late_penalty(metadata, "0.9/day")[0] == 1.0
    extended = {**metadata, "users": [{"name": "A", "assignment": {"due_date": (DUE + timedelta(days=2)).isoformat()}}]}
    assert gradescope.late_penalty(extended, "0.1") == (0.0, "")
    assert gradescope.late_penalty({}, "0.1") == (0.0, "")  # no metadata (a local run): no penalty
    for bad in ("ten percent", "-0.1", "2", "0.1/week"):
        with pytest.raises(UsageError):
            gradescope.parse_rule(bad)
