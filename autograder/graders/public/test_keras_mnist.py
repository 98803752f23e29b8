"""Public checks for load_mnist, build_model and train_model (the Keras MNIST exercise).

They run offline: random images and digits of the committed subset (mnist_small.npz), repeated
to MNIST's own shapes (60000 and 10000 images), stand in for MNIST in load_mnist; the training
check trains on the subset's 6000 digits and scores the trained weights here on its 200 test
digits. Every clause of the docstrings is tried here; the hidden checks judge load_mnist's real
digits and the same training on the full test set (keras_checks.shared_load, shared_pipeline).
"""

import numpy as np

from autograder.checks import check
from autograder.graders import mnist as data
from autograder.graders.keras_checks import (PIXELS, check_architecture, check_compiled, check_loaded,
                                             check_train_model, probe, shared_load, shared_pipeline,
                                             trained_predictions)


def _seed(rng) -> int:
    return int(rng.integers(2**31 - 1))


def test_keras_mnist_load_mnist_flattens_and_scales(student, shared, rng, cfg):
    """load_mnist() turns each 28 x 28 uint8 image of both splits into a float32 row of 784 values in [0, 1]"""
    loaded, blocks, rows, _, sizes = shared_load(student, shared, rng, cfg.load_samples)
    check_loaded(loaded, blocks, rows, [np.ones(len(picked), bool) for picked in rows], sizes)


def _inputs(rng, n=32):
    return rng.random((n, PIXELS), dtype=np.float32), rng.integers(0, 10, n)


def _built(student, shared, rng):
    """build_model(H) for a random H, with its outputs, compiled loss and metrics on random inputs: one call
    per child, which the architecture check and the compile check judge."""
    if "keras_build" not in shared:
        hidden_units = int(rng.integers(20, 100))
        inputs, targets = rng.random((32, PIXELS), dtype=np.float32), rng.integers(0, 10, 32)
        answer = student.run(probe, "build", _seed(rng), hidden_units=hidden_units, inputs=inputs, targets=targets)
        shared["keras_build"] = answer, inputs, targets, hidden_units
    return shared["keras_build"]


def test_keras_mnist_build_model_architecture(student, shared, rng):
    """build_model(H) is compiled and maps 784 inputs through a Dense layer of H units to a 10-way softmax"""
    answer, inputs, _, hidden_units = _built(student, shared, rng)
    check_architecture(answer, inputs, hidden_units)


def test_keras_mnist_compiled_for_integer_labels(student, shared, rng):
    """build_model() compiles with the loss for integer labels (from_logits=False), an optimizer and accuracy"""
    answer, inputs, targets, _ = _built(student, shared, rng)
    check_compiled(answer, inputs, targets)


def test_keras_mnist_train_model_fits_given_data(student, rng, cfg):
    """train_model(model, x, y, epochs, batch_size) fits the model it is given, quietly, and returns fit()'s History"""
    (images, labels), _ = data.read_npz(data.SMALL_PATH)
    pick = int(rng.integers(len(images)))
    # Copies of one digit: however fit() shuffles them, each step is the same SGD step, which the grader
    # replays. The grader's model, so a mistake in build_model does not cost these points too.
    initial = [rng.normal(0, 0.01, (PIXELS, 10)).astype(np.float32), np.zeros(10, np.float32)]
    samples = np.repeat(images[pick:pick + 1], cfg.fit_samples, axis=0)
    result = student.run(probe, "train_model", _seed(rng), images=student.put("images", samples),
                         labels=student.put("labels", np.repeat(labels[pick:pick + 1], cfg.fit_samples)),
                         epochs=cfg.fit_epochs, batch_size=cfg.fit_batch_size, initial=initial,
                         learning_rate=cfg.fit_learning_rate)
    check_train_model(result, initial, images[pick], int(labels[pick]), learning_rate=cfg.fit_learning_rate,
                      samples=cfg.fit_samples, epochs=cfg.fit_epochs, batch_size=cfg.fit_batch_size)


def test_keras_mnist_trains_on_small_subset(student, shared, rng, cfg, artifacts):
    """build_model() trained by train_model() on the 6000 digits of the small subset classifies 200 unseen ones well"""
    (images, labels), (test_images, test_labels) = data.read_npz(data.SMALL_PATH)
    result = shared_pipeline(student, shared, rng, images, labels, epochs=cfg.epochs, batch_size=cfg.batch_size)
    predictions = trained_predictions(result, test_images, shared)
    accuracy = float(np.mean(predictions == test_labels))
    # Kept for the feedback page of `make check`; the hidden full-data grader replaces it.
    artifacts["keras"] = {"test_pred": predictions, "test_accuracy": accuracy}
    check(accuracy >= cfg.check_accuracy,
          f"after {cfg.epochs} epoch(s) on {len(images)} digits the model should classify at least "
          f"{cfg.check_accuracy:.0%} of 200 unseen digits: check the loss, the optimizer and the hidden layer",
          f"accuracy {accuracy:.3f} on the 200 test digits")
