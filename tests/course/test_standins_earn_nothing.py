"""Replayed stand-ins earn nothing: what a submission's code reads of the reference code standing in
beside it never reaches the student, so there is nothing to replay in a later submission.

The submission below fails sigmoid (a stub), so grading stands the reference's sigmoid in while
forward is graded; its forward then prints the stand-in's bytecode, raises with it, and hands it back
inside the values it returns. No result of the grade may carry any of it (public checks run beside a
stand-in speak as hidden ones do; the pass/fail of each check is all that is left).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from support import REPO, exercise_scores, grade  # noqa: E402

LEAK = '''
import base64 as _b64
import marshal as _marshal


def sigmoid(x):
    raise NotImplementedError("sigmoid is not implemented yet")


_MINE = sigmoid
_own_forward = MLP.forward


def _forward(self, inputs):
    if sigmoid is not _MINE:  # the reference's, standing in
        stolen = _b64.b64encode(_marshal.dumps(sigmoid.__code__)).decode()
        print("STOLEN:" + stolen)
        raise ValueError("STOLEN:" + stolen[:1500])
    return _own_forward(self, inputs)


MLP.forward = _forward
'''


def test_code_standing_in_never_reaches_the_student(tmp_path):
    folder = tmp_path / "leak"
    folder.mkdir()
    (folder / "mlp.py").write_text((REPO / "solutions" / "mlp.py").read_text() + "\n\n" + LEAK)
    results = grade(folder, tmp_path / "results.json", "--only", "sigmoid,forward")
    text = json.dumps(results)
    assert "STOLEN" not in text and "c3RvbGVu" not in text
    forward = [t for t in results["tests"] if t["tags"][0] == "forward"]
    failed = [t for t in forward if t["tags"][1] == "public" and t["status"] != "passed"]
    assert failed and all("standing in" in t["output"] for t in failed), failed
    assert exercise_scores(results)["sigmoid"] == 0
