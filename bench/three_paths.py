"""The same three submissions through the three grading paths: per-exercise scores and wall time.

    .venv/bin/python bench/three_paths.py

Submissions: the reference, the shipped stubs, and the reference with the sign inside
sigmoid's exp flipped. Paths: `python -m autograder grade` (what `make grade` runs),
Gradescope's run_autograder in a laid-out /autograder tree, and `nbgrader autograde` on the
generated course. All six exercises, Keras included. Prints a Markdown table.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder import gradescope, notebook  # noqa: E402
from autograder.config import load  # noqa: E402
from autograder.results import scores_by_exercise  # noqa: E402

PY = sys.executable
SIGN = ("-np.asarray(x", "np.asarray(x")


def timed(command: list[str], **kwargs) -> float:
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise SystemExit(f"{command[:4]} failed: {done.stderr[-2000:]}")
    return time.monotonic() - started


def submissions(root: Path) -> dict[str, Path]:
    folders = {"reference": REPO / "solutions", "stubs": REPO / "exercises"}
    mistake = root / "mistake"
    mistake.mkdir()
    shutil.copy(REPO / "solutions" / "mnist_keras.py", mistake)
    (mistake / "mlp.py").write_text((REPO / "solutions" / "mlp.py").read_text().replace(*SIGN, 1))
    return {**folders, "mistake": mistake}


def cli_path(subs: dict[str, Path], root: Path) -> dict[str, tuple[dict, float]]:
    out = {}
    for name, folder in subs.items():
        results = root / f"cli-{name}.json"
        seconds = timed([PY, "-m", "autograder", "grade", str(folder), "--results", str(results)], cwd=REPO)
        out[name] = (scores_by_exercise(json.loads(results.read_text())), seconds)
    return out


def gradescope_path(subs: dict[str, Path], root: Path) -> dict[str, tuple[dict, float]]:
    archive = root / "autograder.zip"
    timed([PY, "-m", "autograder", "gradescope", str(archive)], cwd=REPO)
    out = {}
    for name, folder in subs.items():
        tree = gradescope.lay_out(archive, root / f"gs-{name}")
        shutil.copytree(folder, tree / "submission")
        (tree / "submission_metadata.json").write_text(json.dumps({"created_at": "2026-01-01T00:00:00+00:00",
                                                                   "assignment": {"due_date": "2026-01-02T00:00:00+00:00"}}))
        seconds = timed([str(tree / "run_autograder")], cwd=tree,
                        env={**os.environ, "AUTOGRADER_ROOT": str(tree), "AUTOGRADER_PYTHON": PY})
        out[name] = (scores_by_exercise(json.loads((tree / "results" / "results.json").read_text())), seconds)
    return out


def nbgrader_path(subs: dict[str, Path], root: Path) -> dict[str, tuple[dict, float]]:
    course = root / "course"
    shutil.copytree(notebook.COURSE, course, ignore=shutil.ignore_patterns(
        "release", "submitted", "autograded", "feedback", "gradebook.db", "grades.csv"))
    env = {**os.environ, "AUTOGRADER_REPO": str(REPO)}
    nbgrader = [PY, "-m", "nbgrader"]
    timed([*nbgrader, "generate_assignment", "day2_mlp", "--force"], cwd=course, env=env)
    released = nbformat.read(course / "release" / "day2_mlp" / "day2_mlp.ipynb", as_version=4)
    source = nbformat.read(notebook.notebook_path(), as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
               if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    plan = {"reference": answers, "stubs": {},
            "mistake": {**answers, "mlp-sigmoid": answers["mlp-sigmoid"].replace(*SIGN, 1)}}
    out = {}
    for name in subs:
        submission = copy.deepcopy(released)
        for cell in submission.cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id in plan[name]:
                cell.source = plan[name][grade_id]
        folder = course / "submitted" / name / "day2_mlp"
        folder.mkdir(parents=True)
        nbformat.write(submission, folder / "day2_mlp.ipynb")
        seconds = timed([*nbgrader, "autograde", "day2_mlp", "--student", name], cwd=course, env=env)
        graded = nbformat.read(course / "autograded" / name / "day2_mlp" / "day2_mlp.ipynb", as_version=4)
        found = {}
        for cell in graded.cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
            if grade_id.startswith("test-"):
                text = "".join(o.get("data", {}).get("text/plain", "") for o in cell.get("outputs", [])
                               if o.get("output_type") == "execute_result")
                found[grade_id.removeprefix("test-")] = float(text) if text else 0.0
        out[name] = (found, seconds)
    return out


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="three-paths-"))
    subs = submissions(root)
    paths = {"make grade": cli_path(subs, root), "run_autograder": gradescope_path(subs, root),
             "nbgrader autograde": nbgrader_path(subs, root)}
    EXERCISES = list(load(REPO / "grading.toml").exercises)
    print("| submission | path | " + " | ".join(EXERCISES) + " | total | wall s |")
    print("| --- | --- | " + " | ".join("---:" for _ in EXERCISES) + " | ---: | ---: |")
    for name in subs:
        for path, results in paths.items():
            found, seconds = results[name]
            cells = [f"{found.get(e, 0):g}" for e in EXERCISES]
            print(f"| {name} | {path} | " + " | ".join(cells) + f" | {sum(found.values()):g} | {seconds:.1f} |")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
