"""Hidden checks for the Keras MNIST exercise: both splits, the loss, train_model, test accuracy.

Test accuracy is measured here, in NumPy, on the 10000 MNIST test digits: the sandbox gets
only the training subset, and its Keras loader returns an empty test split (keras_checks.probe).
"""

import math

import numpy as np
import pytest

from autograder.graders import keras_eval, mnist as data
from autograder.checks import CheckFailed, check
from autograder.graders.keras_checks import (NOT_TRAINED_HINT, check_images, check_labels, flat, loss_curve, loss_hint,
                                             plain, probe, shared_pipeline, trained_layers, unpack)


def _seed(rng) -> int:
    return int(rng.integers(2**31 - 1))


def _test_digits():
    """The 10000 MNIST test digits (they never enter the sandbox)."""
    try:
        return data.read_npz(data.ensure())[1]
    except data.DataError as error:
        pytest.fail(f"the grader needs MNIST: {error}", pytrace=False)


def test_keras_mnist_load_mnist_keeps_both_splits(student, rng, cfg):
    """load_mnist() prepares the test split like the training split and keeps integer labels"""
    (images, labels), (test_images, test_labels) = data.read_npz(data.SMALL_PATH)
    images, labels = images[:len(test_images)], labels[:len(test_images)]  # real digits, as many as the test split
    loaded = student.run(probe, "load", _seed(rng), images=student.put("images", images),
                         labels=student.put("labels", labels), test_images=student.put("test_images", test_images),
                         test_labels=student.put("test_labels", test_labels))
    (x_train, y_train), (x_test, y_test) = unpack(loaded)
    check_images(x_test, test_images, "x_test")
    check_labels(y_test, test_labels, "y_test")
    check_images(x_train, images, "x_train")
    check_labels(y_train, labels, "y_train")


_ACCURACY = {"accuracy", "acc", "sparsecategoricalaccuracy"}


def test_keras_mnist_compiled_for_integer_labels(student, rng):
    """build_model() compiles with a loss for integer labels, an optimizer and the accuracy metric"""
    description = student.run(probe, "build", _seed(rng))
    check(isinstance(description, dict) and description.get("compiled"),
          "build_model should return a compiled model: call model.compile(optimizer=..., loss=..., metrics=[...])")
    hint = loss_hint(description)
    check(hint is None, hint or "")
    check(description.get("optimizer") is not None, "compile the model with an optimizer, such as adam")
    metrics = {plain(metric) for metric in description.get("metrics") or []}
    check(metrics & _ACCURACY, "report the share of digits classified right: metrics=[\"accuracy\"]"
          + (" (categorical accuracy expects one-hot labels)" if "categoricalaccuracy" in metrics else ""))


def test_keras_mnist_train_model_fits_given_data(student, rng, cfg):
    """train_model(model, x, y, epochs, batch_size) fits the model it is given, quietly, and returns fit()'s History"""
    (images, labels), _ = data.read_npz(data.SMALL_PATH)
    images, labels = images[:cfg.fit_samples], labels[:cfg.fit_samples]
    # The grader builds the model here, so a mistake in build_model does not cost these points too.
    result = student.run(probe, "train_model", _seed(rng), images=student.put("images", images),
                         labels=student.put("labels", labels), epochs=cfg.fit_epochs,
                         batch_size=cfg.fit_batch_size)
    check(isinstance(result, dict) and result.get("changed"), NOT_TRAINED_HINT)
    losses = (result.get("history") or {}).get("loss")
    check(isinstance(losses, list) and result.get("returned") == "History",
          "train_model should return the History that model.fit returns")
    check(len(losses) == cfg.fit_epochs, "train_model should pass epochs on to model.fit")
    check(result.get("steps") == math.ceil(len(images) / cfg.fit_batch_size),
          "train_model should pass batch_size on to model.fit")
    printed = result.get("printed")
    check(printed == "", "train_model should fit quietly: pass verbose=0 to model.fit (a progress bar per epoch "
          "floods the grading log)", f"it printed {str(printed)[:80]!r}")


def test_keras_mnist_test_accuracy(student, shared, cfg, artifacts):
    """build_model() trained by train_model() within the budget classifies the MNIST test digits well"""
    (images, labels), _ = data.read_npz(data.SMALL_PATH)
    test_images, test_labels = _test_digits()
    # The public check's training, scored here on the 10000 test digits.
    result = shared_pipeline(student, shared, images, labels, epochs=cfg.epochs, batch_size=cfg.batch_size)
    layers = trained_layers(result)
    predictions = keras_eval.dense_stack_predict(layers, flat(test_images)).argmax(axis=1)
    accuracy = float(np.mean(predictions == test_labels))
    artifacts["keras"] = {"layers": layers, "test_pred": predictions, "test_accuracy": accuracy,
                          "history": result.get("history"), "train_samples": len(images), "epochs": cfg.epochs}
    tiers = sorted(((float(low), float(share)) for low, share in cfg.accuracy_tiers), reverse=True)
    if accuracy >= tiers[0][0]:
        return
    share = next((share for low, share in tiers if accuracy >= low), 0.0)
    raise CheckFailed(f"test accuracy {accuracy:.3f} earns {share:.0%} of these points (full marks from "
                      f"{tiers[0][0]:.2f}): check the optimizer, the loss and the hidden layer; {loss_curve(result)}",
                      fraction=share)
