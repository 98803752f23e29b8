"""Gradescope: build autograder.zip, and grade one submission inside Gradescope's container.

`make gradescope` writes autograder.zip with Gradescope's two required files at its root,
setup.sh and run_autograder, beside the grader itself: this package with its hidden graders,
solutions/ (the reference code that stands in for exercises a test does not grade),
grading.toml and requirements.txt. Gradescope unpacks it to $AUTOGRADER_ROOT/source, runs
setup.sh once while building the image (Python packages, bubblewrap, and the course's set-up
steps: grading.toml's [setup], its Debian packages written into setup.sh here), and for each
submission runs $AUTOGRADER_ROOT/run_autograder, which calls main() here. AUTOGRADER_ROOT is
/autograder unless the environment says otherwise (tests lay the tree out in a temporary folder).

run() trusts nothing in the submission but the bytes of its exercise files:
1. it takes them in with intake.read(), the rule every path uses (odd names and nested
   folders accepted with a note; links, FIFOs and oversized files refused with a note);
2. grades those bytes with the engine (sandboxed child; Gradescope's containers have no
   namespaces, so the child drops root for its own uid: sandbox.py), and refuses to grade
   without a sandbox unless AUTOGRADER_ALLOW_UNSANDBOXED=1;
3. applies the late-penalty hook;
4. writes results/results.json last, after every child is dead, replacing whatever is there:
   the children cannot write to results/ (checked before grading), and nothing the
   submission wrote decides what run_autograder reports.

Late-penalty hook: GRADING_LATE_PENALTY (baked into run_autograder by
`python -m autograder gradescope autograder.zip --late-penalty 0.1`; the environment wins)
is "0" for none, "0.1" or "0.1/day" for 10% of the score per started day after the student's
due date (their extension's, if submission_metadata.json lists one), or "0.02/hour"; the
share is capped at 100%. The penalty scales the top-level score, which Gradescope shows
instead of the sum of the tests; each test keeps its own score, and the output and extra_data
say what was taken and why. For another policy, replace late_penalty() below: it receives
submission_metadata.json as a dict and returns (share of the score to take away, message).

AUTOGRADER_ONLY=ex1,ex2 grades only those exercises (for tests and debugging).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sys
import time
import traceback
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

from . import deadlines
from .config import load
from .errors import UsageError

PACKAGE = Path(__file__).resolve().parent
SOURCE = PACKAGE.parent  # /autograder/source in the container, the repository when building
TEMPLATES = PACKAGE / "templates" / "gradescope"
_RULE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:/\s*(day|hour))?\s*")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the same sources give the same zip


# -- building the zip ------------------------------------------------------------------------

def build(zip_path: Path, *, repo: Path = SOURCE, config_path: Path | None = None, late_penalty: str = "0") -> Path:
    """Write autograder.zip for Gradescope; return its path."""
    parse_rule(late_penalty)
    config_path = Path(config_path or repo / "grading.toml")
    config = load(config_path)  # never ship a config the engine would reject
    entries = [("setup.sh", (TEMPLATES / "setup.sh").read_text()
                .replace("@SETUP_PACKAGES@", " ".join(config.system_packages)).encode(), 0o755),
               ("run_autograder", (TEMPLATES / "run_autograder").read_text()
                .replace("@LATE_PENALTY@", late_penalty.strip()).encode(), 0o755)]
    for path in sorted((repo / "autograder").rglob("*")):
        relative = path.relative_to(repo)
        if path.is_file() and "__pycache__" not in relative.parts and "templates" not in relative.parts:
            entries.append((relative.as_posix(), path.read_bytes(), 0o644))
    entries += [(f"solutions/{path.name}", path.read_bytes(), 0o644)
                for path in sorted((repo / "solutions").glob("*.py"))]
    entries += [("grading.toml", config_path.read_bytes(), 0o644),
                ("requirements.txt", (repo / "requirements.txt").read_bytes(), 0o644)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name, _ZIP_TIME)
            info.external_attr = (0o100000 | mode) << 16  # a regular file with these permissions
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    zip_path = Path(zip_path)
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    temporary = zip_path.with_name(f".{zip_path.name}.tmp")
    temporary.write_bytes(buffer.getvalue())
    os.replace(temporary, zip_path)
    return zip_path


# -- inside the container ----------------------------------------------------------------------

def lay_out(archive: Path, root: Path) -> Path:
    """Unpack autograder.zip the way Gradescope does: root/source, root/run_autograder, root/results.

    For trying a zip before uploading it (and for our tests): add root/submission and
    root/submission_metadata.json, then run root/run_autograder with AUTOGRADER_ROOT=root.
    """
    with zipfile.ZipFile(archive) as unpacked:
        for info in unpacked.infolist():
            target = root / "source" / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(unpacked.read(info))
            target.chmod((info.external_attr >> 16) & 0o7777)
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "results").mkdir(exist_ok=True)
    return root


def main() -> int:
    root = Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    only = [name.strip() for name in os.environ.get("AUTOGRADER_ONLY", "").split(",") if name.strip()]
    return run(root, only=only, late_penalty=os.environ.get("GRADING_LATE_PENALTY", "0"))


def run(root: Path, *, only: list[str] | None = None, late_penalty: str = "0") -> int:
    """Grade root/submission into root/results/results.json; 0 once that file is written."""
    from .grade import grade
    from .results import gradescope

    root = Path(root)
    started = time.monotonic()
    try:
        parse_rule(late_penalty)
    except UsageError as error:  # an instructor's typo must not cost every student their grade
        print(f"GRADING_LATE_PENALTY ignored: {error}")
        late_penalty = "0"
    try:
        results_folder = root / "results"
        results_folder.mkdir(parents=True, exist_ok=True)
        report = grade(root / "submission", config=load(SOURCE / "grading.toml"), only=only or [],
                       protect=(results_folder,), allow_unsandboxed=os.environ.get("AUTOGRADER_ALLOW_UNSANDBOXED") == "1")
        results = gradescope(report)
        penalise(results, read_metadata(root), late_penalty)
    except Exception as error:  # the student still gets a results file, the instructor the traceback
        traceback.print_exc()
        results = {"score": 0.0, "execution_time": round(time.monotonic() - started, 3), "tests": [],
                   "output": "The autograder could not grade this submission "
                             f"({type(error).__name__}: {str(error)[:300]}). Please tell your instructor."}
    write_results(root / "results" / "results.json", results)
    print(f"score {results['score']:g}: {results['output']}")
    return 0


def write_results(path: Path, results: dict) -> None:
    """Write results.json, replacing a file, link or folder the submission may have put there."""
    from .results import write_json

    folder = path.parent
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        folder.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    write_json(path, results)  # a temporary file renamed over the old entry, never written through it


# -- late penalty ------------------------------------------------------------------------------

def read_metadata(root: Path) -> dict:
    try:
        metadata = json.loads((root / "submission_metadata.json").read_text())
    except (OSError, ValueError):
        return {}
    return metadata if isinstance(metadata, dict) else {}


def parse_rule(rule: str) -> tuple[float, str]:
    """(share per unit, "day" or "hour") from GRADING_LATE_PENALTY's text."""
    match = _RULE.fullmatch(rule or "0")
    if not match or float(match.group(1)) > 1:
        raise UsageError(f"late penalty '{rule}' is not a share of the score per day or hour, "
                         "like 0.1, 0.1/day or 0.02/hour (0 for none)")
    return float(match.group(1)), match.group(2) or "day"


def late_penalty(metadata: dict, rule: str) -> tuple[float, str]:
    """The share of the score a late submission loses, and the sentence that tells the student why."""
    rate, unit = parse_rule(rule)
    submitted = _time(metadata.get("created_at"))
    due = _due_date(metadata)
    if rate == 0 or submitted is None or due is None or submitted <= due:
        return 0.0, ""
    late = submitted - due
    share = deadlines.penalty(deadlines.late_units(submitted, due, unit), rate)  # grade-all's rule too
    return share, (f"Submitted {_describe(late)} after the due date: the score is reduced by {share:.0%} "
                   f"({rate:.0%} per started {unit}).")


def penalise(results: dict, metadata: dict, rule: str) -> None:
    share, message = late_penalty(metadata, rule)
    if share <= 0:
        return
    total = sum(test["score"] for test in results["tests"])
    results["score"] = round(total * (1 - share), 6)
    results["output"] = f"{message}\n{results['output']}".strip()
    results.setdefault("extra_data", {})["late_penalty"] = {"share": share, "score_before": total}


def _due_date(metadata: dict) -> datetime | None:
    # An extension shows up as a per-user assignment due date; a group gets the latest one.
    users = metadata.get("users") if isinstance(metadata.get("users"), list) else []
    personal = [_time((user.get("assignment") or {}).get("due_date")) for user in users if isinstance(user, dict)]
    personal = [due for due in personal if due is not None]
    if personal:
        return max(personal)
    assignment = metadata.get("assignment")
    return _time(assignment.get("due_date")) if isinstance(assignment, dict) else None


def _time(text) -> datetime | None:
    return deadlines.parse_time(text)  # None without a zone: comparing naive and aware times would be a guess


def _describe(late: timedelta) -> str:
    hours = late.total_seconds() / 3600
    return f"{hours:.1f} hours" if hours < 48 else f"{hours / 24:.1f} days"


if __name__ == "__main__":
    sys.exit(main())
