"""Seeds never decide a grade: every correct variant we have earns one score, full marks, under
many run seeds (the seed picks the hidden inputs, the train_xor seeds and the random networks)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from support import REPO  # noqa: E402

NUMPY = ("sigmoid", "sigmoid_derivative", "forward", "backward", "train_xor")
SEEDS = range(1, 11)
VARIANTS = sorted(path.parent for path in (REPO / "tests" / "course" / "variants").glob("*/mlp.py"))

_GRADE = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from autograder.config import load
from autograder.grade import grade
config, out = load(Path(sys.argv[1]) / "grading.toml"), {}
for seed in json.loads(sys.argv[4]):
    report = grade(Path(sys.argv[2]), config=config, only=sys.argv[3].split(","), seed=seed)
    out[seed] = [[t.exercise, t.name, t.score, t.message[:200]] for t in report.tests if t.score < t.max_score]
print(json.dumps(out))
"""


@pytest.mark.parametrize("variant", VARIANTS, ids=[path.name for path in VARIANTS])
def test_a_correct_variant_earns_full_marks_under_every_seed(variant):
    done = subprocess.run([sys.executable, "-c", _GRADE, str(REPO), str(variant), ",".join(NUMPY),
                           json.dumps(list(SEEDS))], capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-2000:]
    lost = {seed: checks for seed, checks in json.loads(done.stdout.splitlines()[-1]).items() if checks}
    assert not lost, lost
