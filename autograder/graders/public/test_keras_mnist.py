"""Public checks for load_mnist, build_model and train_model (the Keras MNIST exercise).

They run offline: random images stand in for MNIST in load_mnist, and the training check uses
the committed subset (mnist_small.npz), scoring the trained weights here on its 200 test digits.
The hidden accuracy check judges the same training (keras_checks.shared_pipeline).
"""

import numpy as np

from autograder.graders import keras_eval, mnist as data
from autograder.checks import check
from autograder.graders.keras_checks import (check_architecture, check_images, check_labels, flat, loss_curve, probe,
                                             shared_pipeline, trained_layers, unpack)


def _seed(rng) -> int:
    return int(rng.integers(2**31 - 1))


def test_keras_mnist_load_mnist_flattens_and_scales(student, rng, cfg):
    """load_mnist() turns each 28 x 28 uint8 image into a float32 row of 784 values in [0, 1]"""
    n = cfg.load_samples
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    test_images = rng.integers(0, 256, size=(n // 2, 28, 28), dtype=np.uint8)
    test_labels = rng.integers(0, 10, size=n // 2, dtype=np.uint8)
    loaded = student.run(probe, "load", _seed(rng), images=student.put("images", images),
                         labels=student.put("labels", labels), test_images=student.put("test_images", test_images),
                         test_labels=student.put("test_labels", test_labels))
    (x_train, y_train), _ = unpack(loaded)
    check_images(x_train, images, "x_train")
    check_labels(y_train, labels, "y_train")


def test_keras_mnist_build_model_architecture(student, rng, cfg):
    """build_model(H) is compiled and maps 784 inputs through a Dense layer of H units to a 10-way softmax"""
    hidden_units = int(rng.integers(20, 100))
    description = student.run(probe, "build", _seed(rng), hidden_units=hidden_units)
    check_architecture(description, hidden_units)


def test_keras_mnist_trains_on_small_subset(student, shared, cfg, artifacts):
    """build_model() trained by train_model() on the 6000 digits of the small subset classifies 200 unseen ones well"""
    (images, labels), (test_images, test_labels) = data.read_npz(data.SMALL_PATH)
    result = shared_pipeline(student, shared, images, labels, epochs=cfg.epochs, batch_size=cfg.batch_size)
    layers = trained_layers(result)
    predictions = keras_eval.dense_stack_predict(layers, flat(test_images)).argmax(axis=1)
    accuracy = float(np.mean(predictions == test_labels))
    # Kept for the feedback page of `make check`; the hidden full-data grader replaces it.
    artifacts["keras"] = {"layers": layers, "test_pred": predictions, "test_accuracy": accuracy,
                          "history": result.get("history")}
    check(accuracy >= cfg.check_accuracy,
          f"after {cfg.epochs} epoch(s) on {len(images)} digits the model should classify at least "
          f"{cfg.check_accuracy:.0%} of 200 unseen digits: check the loss, the optimizer and the hidden layer",
          f"accuracy {accuracy:.3f} on the 200 test digits; {loss_curve(result)}")
