"""What a grade depends on, as digests: grade-all's skip key and the reasons a regrade gives.

A grade is a function of the submission's bytes and of five things on the instructor's side,
each digested on its own so that a regrade can say which one changed:

    engine      the autograder package's files (its graders folder aside)
    graders     the graders folder grading.toml names ([grading] graders, wherever it is: every
                file in it, data included) and the reference solutions
    config      grading.toml's bytes
    data        the data folder beside grading.toml and beside the engine (data/, what the
                course's set-up steps build)

Every digest frames each name and each content with its length, so no two different sets of
files (a file whose bytes spell another file's name, say) feed the hash the same bytes. A file
of LARGE bytes or more is fed as its own sha256, cached while its inode and times are unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
REPO = PACKAGE.parent
SOLUTIONS = REPO / "solutions"
PARTS = ("engine", "graders", "config", "data")
LARGE = 1 << 20  # files this large are hashed once and their digest cached (see _Cache)
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "autograder" / "file-digests.json"  # what a regrade names as its reason, beside "submission"


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
    cache = _Cache()
    for path in sorted(found):
        try:
            info = path.stat()
            # A kind byte first: a small file whose bytes spell a large one's digest feeds other bytes.
            data = b"H" + cache.digest(path, info) if info.st_size >= LARGE else b"C" + path.read_bytes()
        except OSError as error:  # a dangling link, a FIFO: its state is part of the tree
            data = f"unreadable: {error.strerror}".encode()
        feed(sha, f"{label}/{path.relative_to(base).as_posix()}".encode("utf-8", "surrogateescape"), data)
    cache.save()


class _Cache:
    """sha256 of large files (a 55 MB data set: 0.1-0.3 s to hash), kept in CACHE by the file's device,
    inode, size, modification and change times: a write to the file, or a file renamed over it,
    changes its change time (ctime), which no program can set back; then it is hashed again."""

    def __init__(self):
        try:
            self.known = json.loads(CACHE.read_text())
            assert isinstance(self.known, dict)
        except (OSError, ValueError, AssertionError):
            self.known = {}
        self.dirty = False

    def digest(self, path: Path, info: os.stat_result) -> bytes:
        key = f"{path.resolve()}|{info.st_dev}|{info.st_ino}|{info.st_size}|{info.st_mtime_ns}|{info.st_ctime_ns}"
        if isinstance(self.known.get(key), str):
            return self.known[key].encode()
        sha = hashlib.sha256()
        with open(path, "rb") as stream:
            while chunk := stream.read(1 << 22):
                sha.update(chunk)
        self.known[key], self.dirty = sha.hexdigest(), True
        return self.known[key].encode()

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            from .results import write_atomic

            write_atomic(CACHE, json.dumps(dict(list(self.known.items())[-200:]), indent=0))
        except OSError:
            pass  # no cache: hashed again next time


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
