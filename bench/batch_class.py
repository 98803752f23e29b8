"""A synthetic class through grade-all: one run with --jobs 2, then the same class as N shards
run one after another (each --jobs 2, as N machines would) and their merge.

    .venv/bin/python bench/batch_class.py WORKDIR [--students 200] [--shards 4] [--only EX,...] [--shards-only]
                                              [--run-shards K] [--first-shard F]

The class mixes correct submissions (the reference, the correct variants in tests/course/variants),
mistaken ones (one known NumPy mistake from tests/course/mistakes, or one Keras mistake) and broken
ones (a syntax error, an exit at import, the released stubs, an empty folder, Keras only).
Prints one JSON line: wall times, per-shard times, the status counts, and whether the merged
output equals the unsharded one byte for byte (every file but times.json). --shards-only skips the
unsharded run (the shards one after another are what one machine takes; the slowest shard and the
merge, what N machines take) and so the comparison. --run-shards K grades only the first K of
the N shards (with --shards-only): a measured sample of the class, for a machine without the hours;
--first-shard F starts that sample at shard F, so a class can be measured in several sittings
(the shards' seconds add up; their outputs are merged only when one run grades all of them).
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "course"))

from mistakes import MISTAKES  # noqa: E402

KERAS_MISTAKES = [
    ('.astype("float32") / 255.0', '.astype("float32")'),
    ('loss="sparse_categorical_crossentropy"', 'loss="mse"'),
    ('keras.layers.Dense(10, activation="softmax")', 'keras.layers.Dense(1, activation="softmax")'),
    ("return model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=0)",
     "return keras.callbacks.History()"),
]


def build(folder: Path, students: int) -> None:
    mlp, keras = (ROOT / "solutions" / "mlp.py").read_text(), (ROOT / "solutions" / "mnist_keras.py").read_text()
    variants = sorted(path for path in (ROOT / "tests" / "course" / "variants").iterdir() if (path / "mlp.py").is_file())
    broken = [
        {"mlp.py": "def sigmoid(x:\n", "mnist_keras.py": keras},
        {"mlp.py": "raise SystemExit(0)\n" + mlp, "mnist_keras.py": keras},
        {name: (ROOT / "exercises" / name).read_text() for name in ("mlp.py", "mnist_keras.py")},
        {},
        {"mnist_keras.py": keras},
    ]
    for i in range(students):
        kind = i % 10
        if kind < 4:  # correct
            files = {"mlp.py": (variants[i % len(variants)] / "mlp.py").read_text() if kind == 3 else mlp,
                     "mnist_keras.py": keras}
        elif kind < 7:  # one NumPy mistake
            files = {"mlp.py": MISTAKES[i % len(MISTAKES)].source(), "mnist_keras.py": keras}
        elif kind < 8:  # one Keras mistake
            old, new = KERAS_MISTAKES[i % len(KERAS_MISTAKES)]
            files = {"mlp.py": mlp, "mnist_keras.py": keras.replace(old, new)}
        else:  # broken
            files = broken[(i // 10 * 2 + kind - 8) % len(broken)]  # kind 8 or 9: every broken kind in turn
        student = folder / f"student-{i:03d}"
        student.mkdir(parents=True)
        for name, text in files.items():
            (student / name).write_text(text)


def grade_all(*args: str) -> float:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "autograder", "grade-all", *args], cwd=ROOT, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise SystemExit(f"grade-all {' '.join(args)} failed: {done.stderr[-2000:]}")
    return round(time.monotonic() - started, 1)


def tree(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != "times.json"}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--only", default="")
    parser.add_argument("--shards-only", action="store_true")
    parser.add_argument("--run-shards", type=int, default=0, help="grade only the first K shards (needs --shards-only)")
    parser.add_argument("--first-shard", type=int, default=1, help="the first shard --run-shards grades")
    args = parser.parse_args(argv)
    shutil.rmtree(args.workdir, ignore_errors=True)
    build(args.workdir / "class", args.students)
    only = ["--only", args.only] if args.only else []
    whole = None
    if not args.shards_only:
        whole = grade_all(str(args.workdir / "class"), "--out", str(args.workdir / "out"), "--jobs", "2", *only)
        print(json.dumps({"unsharded_s": whole}), flush=True)
    shards = []
    ran = args.run_shards if args.shards_only and args.run_shards else args.shards
    first = args.first_shard if args.shards_only else 1
    if not 1 <= first <= args.shards - ran + 1:
        raise SystemExit(f"--first-shard {first} with --run-shards {ran}: the shards are 1 to {args.shards}")
    for k in range(first, first + ran):
        shards.append(grade_all(str(args.workdir / "class"), "--out", str(args.workdir / f"shard{k}"), "--jobs", "2",
                                "--shard", f"{k}/{args.shards}", *only))
        print(json.dumps({"shard": k, "seconds": shards[-1]}), flush=True)
    merge, rows = None, []
    if ran == args.shards:
        merge = grade_all("--merge", *(str(args.workdir / f"shard{k}") for k in range(1, ran + 1)),
                          "--out", str(args.workdir / "merged"))
        rows = json.loads((args.workdir / ("merged" if args.shards_only else "out") / "batch.json").read_text())["rows"]
        one = tree(args.workdir / "merged" if args.shards_only else args.workdir / "out")
        merged = tree(args.workdir / "merged")
    else:  # a sample of the shards: nothing to merge (--merge needs all of them)
        for k in range(first, first + ran):
            rows += json.loads((args.workdir / f"shard{k}" / "batch.json").read_text())["rows"]
        one = merged = {}
    print(json.dumps({
        "students": args.students, "shards": args.shards, "shards_run": ran, "first_shard": first,
        "graded": len(rows), "unsharded_s": whole, "shard_s": shards, "shards_total_s": round(sum(shards), 1),
        "slowest_shard_s": max(shards), "merge_s": merge,
        "statuses": dict(collections.Counter(row["status"] for row in rows)),
        "identical": None if args.shards_only or ran < args.shards else one == merged, "differing_files": sorted(k for k in one.keys() | merged.keys()
                                                             if one.get(k) != merged.get(k))[:20]}))


if __name__ == "__main__":
    main()
