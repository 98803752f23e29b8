"""Which accuracy tier four known Keras models reach under a training budget, over several seeds.

    .venv/bin/python bench/keras_tiers.py --budget 30000:2:128 --seeds 0,1,2,3,4
    .venv/bin/python bench/keras_tiers.py --budget 4000:1:32 --budget 6000:1:64 --balanced
    .venv/bin/python bench/keras_tiers.py --course      # grading.toml's budget and tiers (make bench)

A budget is SAMPLES:EPOCHS:BATCH. SAMPLES is the first N training digits of data/mnist.npz, or
with --balanced a class-balanced subset of N digits (N/10 per digit, drawn by mnist.build_small
with its seed 0, so the subset is the same for every training seed). The models: the reference
(solutions/mnist_keras.py, 128 hidden units), the same with 32 units, the reference compiled with
SGD at rate 0.01, and the reference untrained. Each is built after clear_session() and
set_random_seed(seed), trained with one intra- and one inter-op thread like the grader, and
scored with keras_eval on all 10000 test digits. Prints one Markdown table per budget: accuracy
min/mean/max over the seeds, the share of the points the min and max earn under --tiers, the
smallest distance of any seed's accuracy from a tier threshold, and the median fit seconds;
one progress line per seed on stderr. --course takes the budget and the tiers from grading.toml
([exercise.keras_mnist] epochs, batch_size, accuracy_tiers) and trains on the training digits of
autograder/graders/mnist_small.npz, as the grader does. --shuffled shuffles the pixels and the
digits by permutations drawn per seed, as the grader does (keras_checks.secrets), and maps the
predictions back.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from autograder.graders import keras_eval, mnist as data  # noqa: E402  (NumPy only: no TF import yet)

TIERS = [[0.92, 1.0], [0.88, 0.75], [0.80, 0.5], [0.5, 0.25]]  # grading.toml [exercise.keras_mnist]
MODELS = ("reference", "32-unit", "SGD 0.01", "untrained")


def share(accuracy, tiers):
    """The share of the points accuracy earns: the first tier (highest low first) it reaches."""
    return next((s for low, s in sorted(tiers, reverse=True) if accuracy >= low), 0.0)


def flat(images):  # (N, 28, 28) uint8 -> (N, 784) float32 in [0, 1], as the grader feeds it
    return images.reshape(len(images), -1).astype("float32") / 255.0


def training_set(x, y, samples, balanced):
    """The first `samples` digits, or a class-balanced draw of samples/10 per digit via build_small."""
    if not balanced:
        return x[:samples], y[:samples]
    with tempfile.TemporaryDirectory() as tmp:
        (xs, ys), _ = data.read_npz(data.build_small(data.ensure(), Path(tmp) / "subset.npz",
                                                     per_class_train=samples // 10, per_class_test=0))
    return xs, ys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", action="append", default=[], help="SAMPLES:EPOCHS:BATCH, repeatable")
    parser.add_argument("--shuffled", action="store_true", help="train and score on pixels and digits shuffled "
                        "by permutations drawn per seed, as the grader does")
    parser.add_argument("--course", action="store_true", help="grading.toml's budget and tiers, on mnist_small.npz")
    parser.add_argument("--seeds", default="0,1,2,3,4", help="comma-separated training seeds")
    parser.add_argument("--balanced", action="store_true", help="class-balanced subset instead of the first N")
    parser.add_argument("--tiers", type=json.loads, default=TIERS, help="JSON [[low, share], ...]")
    args = parser.parse_args(argv)
    if args.course:
        from autograder.config import load

        section = load(REPO_ROOT / "grading.toml").exercises["keras_mnist"]
        samples = len(data.read_npz(data.SMALL_PATH)[0][1])
        args.budget, args.tiers = [f"{samples}:{section.epochs}:{section.batch_size}"], section.accuracy_tiers
    if not args.budget:
        parser.error("give --budget SAMPLES:EPOCHS:BATCH (repeatable) or --course")
    budgets, seeds = [tuple(int(v) for v in b.split(":")) for b in args.budget], [int(s) for s in args.seeds.split(",")]

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # both must be set before TensorFlow is imported
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    import keras
    import tensorflow as tf

    from solutions import mnist_keras as ref

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)

    def build(name):
        model = ref.build_model(32 if name == "32-unit" else 128)
        if name == "SGD 0.01":  # same weights as the reference for a seed: compiling draws no random numbers
            model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    (x_all, y_all), (test_images, y_test) = data.read_npz(data.ensure())
    x_test, thresholds = flat(test_images), [low for low, _ in args.tiers]
    for samples, epochs, batch in budgets:
        images, y = training_set(x_all, y_all, samples, args.balanced)
        x = flat(images)
        acc, fit_s = ({name: [] for name in MODELS} for _ in range(2))
        for seed in seeds:
            pixels, digits = np.arange(784), np.arange(10)
            if args.shuffled:
                secret = np.random.default_rng(seed + 1000)
                pixels, digits = secret.permutation(784), secret.permutation(10)
            for name in MODELS:
                keras.backend.clear_session()
                keras.utils.set_random_seed(seed)
                model = build(name)
                if name != "untrained":
                    start = time.perf_counter()
                    ref.train_model(model, x[:, pixels], digits[y], epochs=epochs, batch_size=batch)
                    fit_s[name].append(time.perf_counter() - start)
                layers = [{"kernel": layer.kernel.numpy(), "bias": layer.bias.numpy(),
                           "activation": layer.activation.__name__} for layer in model.layers]
                acc[name].append(keras_eval.accuracy(layers, x_test[:, pixels], digits[y_test]))
            print(f"{samples}:{epochs}:{batch} seed {seed}: "
                  + ", ".join(f"{n} {acc[n][-1]:.4f}" for n in MODELS)
                  + f"; reference fit {fit_s['reference'][-1]:.2f} s", file=sys.stderr, flush=True)

        kind = "class-balanced" if args.balanced else "first"
        print(f"\n### {samples}:{epochs}:{batch} ({kind} {len(y)} digits, {epochs} epoch(s), batch {batch}; "
              f"seeds {args.seeds}) - reference fit median {statistics.median(fit_s['reference']):.2f} s\n")
        print("| model | min | mean | max | share at min | share at max | margin | fit s (median) |")
        print("|---|---|---|---|---|---|---|---|")
        for name in MODELS:
            a = np.array(acc[name])
            margin = min(abs(v - t) for v in a for t in thresholds)
            fit = f"{statistics.median(fit_s[name]):.2f}" if fit_s[name] else "-"
            print(f"| {name} | {a.min():.4f} | {a.mean():.4f} | {a.max():.4f} | {share(a.min(), args.tiers):.2f} "
                  f"| {share(a.max(), args.tiers):.2f} | {margin:.4f} | {fit} |")
        print(f"\nmargin: smallest |accuracy - threshold| over the seeds, thresholds {thresholds}.", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
