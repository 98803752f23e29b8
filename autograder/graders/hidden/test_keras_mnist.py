"""Hidden checks for the Keras MNIST exercise: load_mnist judged on real digits, test accuracy on MNIST.

Test accuracy is measured here, in NumPy, on the 10000 MNIST test digits: the sandbox gets
only the training subset, and its Keras loader returns an empty test split (keras_checks.probe).
Hints here are fixed text: a number computed from what the child sent would carry it out.
"""

import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.graders import mnist as data
from autograder.graders.keras_checks import check_loaded, shared_load, shared_pipeline, trained_predictions


def _test_digits():
    """The 10000 MNIST test digits (they never enter the sandbox)."""
    try:
        return data.read_npz(data.ensure())[1]
    except data.DataError as error:
        pytest.fail(f"the grader needs MNIST: {error}", pytrace=False)


def test_keras_mnist_load_mnist_keeps_both_splits(student, shared, rng, cfg):
    """load_mnist() prepares real digits of both splits, at MNIST's own sizes, and keeps integer labels"""
    # The public check's call (one load per child, at MNIST's own sizes where the code needs them),
    # judged on its real digits.
    loaded, blocks, rows, real, sizes = shared_load(student, shared, rng, cfg.load_samples)
    check_loaded(loaded, blocks, rows, real, sizes)


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
