"""Hidden checks for the Keras MNIST exercise: load_mnist on real digits, test accuracy on MNIST.

Test accuracy is measured here, in NumPy, on the 10000 MNIST test digits: the sandbox gets
only the training subset, and its Keras loader returns an empty test split (keras_checks.probe).
Hints here are fixed text: a number computed from what the child sent would carry it out.
"""

import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.graders import mnist as data
from autograder.graders.keras_checks import (check_images, check_labels, load_rows, probe, shared_pipeline,
                                             trained_predictions, unpack)

SIZES = (60000, 10000)


def _seed(rng) -> int:
    return int(rng.integers(2**31 - 1))


def _test_digits():
    """The 10000 MNIST test digits (they never enter the sandbox)."""
    try:
        return data.read_npz(data.ensure())[1]
    except data.DataError as error:
        pytest.fail(f"the grader needs MNIST: {error}", pytrace=False)


def test_keras_mnist_load_mnist_keeps_both_splits(student, rng, cfg):
    """load_mnist() prepares real digits of both splits, at MNIST's own sizes, and keeps integer labels"""
    (images, labels), (test_images, test_labels) = data.read_npz(data.SMALL_PATH)
    blocks = [(images[:len(test_images)], labels[:len(test_images)]), (test_images, test_labels)]
    rows = load_rows(rng, SIZES)
    loaded = student.run(probe, "load", _seed(rng), images=student.put("images", blocks[0][0]),
                         labels=student.put("labels", blocks[0][1]),
                         test_images=student.put("test_images", blocks[1][0]),
                         test_labels=student.put("test_labels", blocks[1][1]), sizes=SIZES, rows=rows)
    for (x, y), (block_x, block_y), size, picked, split in zip(unpack(loaded), blocks, SIZES, rows, ("train", "test")):
        check_images(x, block_x, size, picked, f"x_{split}")
        check_labels(y, block_y, size, picked, f"y_{split}")


def test_keras_mnist_test_accuracy(student, shared, rng, cfg, artifacts):
    """build_model() trained by train_model() within the budget classifies the MNIST test digits well"""
    (images, labels), _ = data.read_npz(data.SMALL_PATH)
    test_images, test_labels = _test_digits()
    # The public check's training, scored here on the 10000 test digits.
    result = shared_pipeline(student, shared, rng, images, labels, epochs=cfg.epochs, batch_size=cfg.batch_size)
    predictions = trained_predictions(result, test_images, shared)
    accuracy = float(np.mean(predictions == test_labels))
    artifacts["keras"] = {"test_pred": predictions, "test_accuracy": accuracy, "train_samples": len(images),
                          "epochs": cfg.epochs}
    tiers = sorted(((float(low), float(share)) for low, share in cfg.accuracy_tiers), reverse=True)
    if accuracy >= tiers[0][0]:
        return
    share = next((share for low, share in tiers if accuracy >= low), 0.0)
    raise CheckFailed(f"the test accuracy is below {tiers[0][0]:.2f}, where full marks start: check the optimizer, "
                      "the loss and the hidden layer", fraction=share)
