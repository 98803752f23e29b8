"""What a grade depends on, as digests: grade-all's skip key and the reasons a regrade gives.

A grade is a function of the submission's bytes and of five things on the instructor's side,
each digested on its own so that a regrade can say which one changed:

    engine      the autograder package's files (its graders folder aside)
    graders     the graders folder grading.toml names ([grading] graders, wherever it is: every
                file in it, data included) and the reference solutions
    config      grading.toml's bytes
    data        the data folder beside grading.toml and beside the engine (data/, e.g. MNIST)

Every digest frames each name and each content with its length, so no two different sets of
files (a file whose bytes spell another file's name, say) feed the hash the same bytes.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
REPO = PACKAGE.parent
SOLUTIONS = REPO / "solutions"
PARTS = ("engine", "graders", "config", "data")  # what a regrade names as its reason, beside "submission"


def feed(sha, *chunks: bytes) -> None:
    """Each chunk with its length in front: the sequence can be read back, so it cannot collide."""
    for chunk in chunks:
        sha.update(len(chunk).to_bytes(8, "big"))
        sha.update(chunk)


def files_digest(files: dict[str, bytes]) -> str:
    """sha256 of {name: bytes}, names included (a submission's files, as intake read them)."""
    sha = hashlib.sha256()
    for name in sorted(files):
        feed(sha, name.encode("utf-8", "surrogateescape"), files[name])
    return sha.hexdigest()


def _tree(sha, label: str, root: Path, *, skip: Path | None = None) -> None:
    """Every file below root (links to files read as the file; links to folders not followed)."""
    if not root.is_dir():
        feed(sha, f"{label}: none".encode())
        return
    base = root.resolve()
    found = []
    for folder, folders, names in os.walk(base):
        here = Path(folder)
        folders[:] = sorted(name for name in folders if name != "__pycache__"
                            and (skip is None or (here / name).resolve() != skip))
        found += [here / name for name in names if not name.endswith(".pyc")]
    for path in sorted(found):
        try:
            data = path.read_bytes()
        except OSError as error:  # a dangling link, a FIFO: its state is part of the tree
            data = f"unreadable: {error.strerror}".encode()
        feed(sha, f"{label}/{path.relative_to(base).as_posix()}".encode("utf-8", "surrogateescape"), data)


def _graders_folder(config_path: Path) -> Path:
    from .config import _graders_folder

    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    try:
        grading = tomllib.loads(Path(config_path).read_text()).get("grading", {})
    except (OSError, ValueError):
        grading = {}
    return _graders_folder(Path(config_path), grading if isinstance(grading, dict) else {}).resolve()


def parts(config_path: Path, *, package: Path = PACKAGE, solutions: Path = SOLUTIONS) -> dict[str, str]:
    """{part: sha256} for each of PARTS (see the module docstring)."""
    config_path = Path(config_path)
    graders = _graders_folder(config_path)
    found = {}
    for part in PARTS:
        sha = hashlib.sha256()
        if part == "engine":
            _tree(sha, "engine", package, skip=graders)
        elif part == "graders":
            _tree(sha, "graders", graders)
            _tree(sha, "solutions", solutions)
        elif part == "config":
            feed(sha, config_path.read_bytes())
        else:
            folders = sorted({(config_path.resolve().parent / "data").resolve(), (package.parent / "data").resolve()})
            for number, folder in enumerate(folders):
                _tree(sha, f"data{number}", folder)
        found[part] = sha.hexdigest()
    return found


def combined(found: dict[str, str]) -> str:
    """One digest of every part (the gradebook's grader_digest column, results.json's grader_digest)."""
    sha = hashlib.sha256()
    for part in PARTS:
        feed(sha, part.encode(), found[part].encode())
    return sha.hexdigest()


def grader_digest(config_path: Path, **where) -> str:
    return combined(parts(config_path, **where))
