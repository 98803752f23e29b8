"""`make check` and grading agree: for any file, every public check has the same outcome in both.

Each corpus we have is run through `check` (no reference, check_timeout_s, dependents "waiting") and
through `grade-all` (the reference standing in where an exercise's prerequisite failed). A public
check that passes in one passes in the other; one that `make check` reports as waiting on a broken
prerequisite is the only exception (grading stands the reference in for it, and says so).
Corpora: tests/course/variants, tests/course/mistakes, tests/course/train_xor, every other mlp.py under
tests/course/realcode (the real-code corpus), and this lesson's hostile corpus (tests/course/hostile: attacks
on mlp.py, appended to the reference).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from support import REPO, grade_folders  # noqa: E402
from mistakes import MISTAKES  # noqa: E402

NUMPY = ("sigmoid", "sigmoid_derivative", "forward", "backward", "train_xor")
COURSE = Path(__file__).resolve().parent
REFERENCE = (REPO / "solutions" / "mlp.py").read_text()
# The engine's attacks (tests/hostile/) that name no exercise: they go after the process, whatever it grades.
GENERIC = ("background_process", "exit_at_import", "fake_results", "huge_output", "reach_grader")


def _corpus(kind: str) -> dict[str, str]:
    """{submission name: its mlp.py} for one corpus."""
    if kind == "variants":
        return {path.parent.name: path.read_text() for path in sorted((COURSE / "variants").glob("*/mlp.py"))}
    if kind == "mistakes":
        return {f"m{number:02d}": mistake.source() for number, mistake in enumerate(MISTAKES)}
    if kind == "course":
        found = {f"xor-{path.stem}": REFERENCE + "\n\n" + path.read_text()
                 for path in sorted((COURSE / "train_xor").glob("*.py"))}
        found.update({f"real-{path.parent.name}": path.read_text()
                      for path in sorted((COURSE / "realcode").rglob("mlp.py"))})
        return found
    hostile = sorted((COURSE / "hostile").glob("*.py"))
    hostile += [REPO / "tests" / "hostile" / f"{name}.py" for name in GENERIC]
    return {path.stem: REFERENCE + "\n\n" + path.read_text() for path in hostile}



_CHECK = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from autograder.config import load
from autograder.grade import grade
config, out = load(Path(sys.argv[1]) / "grading.toml"), {}
for folder in sorted(Path(sys.argv[2]).iterdir()):
    report = grade(folder, config=config, only=sys.argv[3].split(","), check=True)
    out[folder.name] = {f"{t.exercise}: {t.title}": t.status for t in report.tests}
print(json.dumps(out))
"""


def _check_all(folder: Path) -> dict[str, dict[str, str]]:
    """{submission: {check name as results.json gives it: status}} from `check` on each submission."""
    done = subprocess.run([sys.executable, "-c", _CHECK, str(REPO), str(folder), ",".join(NUMPY)],
                          capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize("kind", ["variants", "mistakes", "course", "hostile"])
def test_every_public_check_has_the_same_outcome_in_check_and_grade(tmp_path, kind):
    files = _corpus(kind)
    assert files, f"the {kind} corpus is empty"
    for name, source in files.items():
        (tmp_path / "subs" / name).mkdir(parents=True)
        (tmp_path / "subs" / name / "mlp.py").write_text(source)
    checked = _check_all(tmp_path / "subs")
    graded = grade_folders(tmp_path / "subs", tmp_path / "out", "--only", ",".join(NUMPY))
    differ = []
    for name in files:
        grades = {t["name"]: t["status"] for t in graded[name]["tests"] if t["tags"][1] == "public"}
        assert set(checked[name]) == set(grades), name
        for check, status in checked[name].items():
            if status != "waiting" and (status == "passed") != (grades[check] == "passed"):
                differ.append((name, check, status, grades[check]))
    assert not differ, differ
