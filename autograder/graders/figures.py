"""This course's sections of the feedback page (report.py shows SECTIONS after the scores).

The student's code runs only in the sandbox, and only to train: train_xor(seed=0) sends
back its losses and weights as plain data, and this (trusted) process draws the decision
boundary from those weights with NumPy. MNIST plots come from what the keras graders left
in `report.artifacts["keras"]`: "test_pred", predicted labels (N,) or scores (N, 10) on the
test set of data/mnist.npz (or of mnist_small.npz, matched by length), else "layers" (as
keras_eval.dense_stack_predict takes them), evaluated here; test images and labels are read
on this side.
"""

from __future__ import annotations

import html

import numpy as np

from autograder.config import Config
from autograder.report import Missing, figure, pyplot
from autograder.results import Report
from autograder.graders.oracle import XOR_INPUTS, XOR_LABELS, layers

XOR_SEED = 0  # the seed of the public check test_train_xor_solves_xor
MAX_HIDDEN = 4096  # a larger "network" is not worth drawing (and could be a memory bomb)
MAX_LOSSES = 10**6
MISCLASSIFIED_SHOWN = 24


# -- XOR ----------------------------------------------------------------------------------
def _xor_training(seed):
    """Runs in the sandbox: train_xor(seed), recording what every MLP.train call returned."""
    recorded = []
    original = student.MLP.train  # noqa: F821 - the submission's module, in the sandbox

    def recording(self, *args, **kwargs):
        losses = original(self, *args, **kwargs)
        recorded.append(losses)
        return losses

    student.MLP.train = recording  # noqa: F821
    try:
        net = student.train_xor(seed)  # noqa: F821
    finally:
        student.MLP.train = original  # noqa: F821
    names = ("weights_input_hidden", "bias_hidden", "weights_hidden_output", "bias_output")
    return {"losses": recorded, "params": {name: getattr(net, name, None) for name in names}}


def xor(report: Report, files: dict[str, bytes], config: Config) -> str:
    if "train_xor" not in report.by_exercise():
        raise Missing("train_xor was not graded in this run, so there are no XOR plots.")
    run = _run_train_xor(files, report.seed, config)
    losses, params = _xor_losses(run.get("losses")), _xor_params(run.get("params"))
    own = ("<p>Both plots come from your own code only (sigmoid, forward, backward, train, train_xor), "
           "whereas the graders swap in reference functions to grade train_xor on its own: "
           "a bug in backward shows up here too.</p>")
    return own + _loss_figure(losses) + _boundary_figure(params)


def _run_train_xor(files: dict[str, bytes], seed: int, config: Config) -> dict:
    from autograder.handle import Student, StudentCrashed, StudentError, SubmissionMissing
    from autograder.sandbox import Limits

    if "mlp.py" not in files:
        raise Missing("mlp.py is not in the submission, so there are no XOR plots.")
    section = config.exercises.get("train_xor")
    limits = Limits(section.timeout_s, section.memory_mb, section.processes) if section else Limits(timeout_s=60)
    student = Student("mlp", {"mlp.py": files["mlp.py"]}, limits, seed=seed)
    try:
        run = student.run(_xor_training, XOR_SEED)
    except StudentError as error:
        if error.not_implemented:
            raise Missing("train_xor (or a function it calls) is not implemented yet, so there are no XOR plots.")
        raise Missing(f"train_xor({XOR_SEED}) raised {error.type_name}: {error.message}; no XOR plots.")
    except (StudentCrashed, SubmissionMissing) as error:
        raise Missing(f"train_xor({XOR_SEED}) did not finish ({error}); no XOR plots.")
    finally:
        student.close()
    if not isinstance(run, dict):
        raise Missing("train_xor sent back something that is not plain data; no XOR plots.")
    return run


def _xor_losses(recorded) -> np.ndarray | None:
    """All losses the train() calls returned, in order, or None if there are none usable."""
    try:
        parts = [np.asarray(losses, dtype=float).ravel() for losses in recorded]
        losses = np.concatenate(parts) if parts else np.zeros(0)
    except (TypeError, ValueError):
        return None
    return losses[:MAX_LOSSES] if losses.size else None


def _xor_params(params) -> dict:
    if not isinstance(params, dict):
        raise Missing("train_xor did not return an MLP, so there is no decision boundary to draw.")
    try:
        arrays = {name: np.asarray(params.get(name), dtype=float) for name in
                  ("weights_input_hidden", "bias_hidden", "weights_hidden_output", "bias_output")}
    except (TypeError, ValueError):
        raise Missing("the network train_xor returned has weights that are not numeric arrays; no decision boundary.")
    w1, b1, w2, b2 = arrays.values()
    if not (w1.ndim == 2 and w1.shape[0] == 2 and 0 < w1.shape[1] <= MAX_HIDDEN and b1.shape == w1.shape[1:]
            and w2.shape == (w1.shape[1], 1) and b2.shape == (1,)):
        raise Missing("the network train_xor returned does not have the shapes of MLP(2, H, 1) "
                      f"(weights_input_hidden {w1.shape}, weights_hidden_output {w2.shape}); no decision boundary.")
    return arrays


def _loss_figure(losses) -> str:
    if losses is None:
        return '<p class="missing">train_xor did not train through MLP.train (or train returned no losses), ' \
               "so there is no loss curve.</p>"
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.plot(np.arange(1, losses.size + 1), losses, color="#1f5fa8")
    finite = losses[np.isfinite(losses)]
    if finite.size and finite.min() > 0 and finite.max() > 10 * finite.min():  # log only when it spans decades
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.grid(alpha=0.3)
    caption = (f"The losses MLP.train returned during train_xor({XOR_SEED}): {losses.size} epochs, "
               f"first {losses[0]:.4g}, last {losses[-1]:.4g}. The loss is 1/2 * sum((labels - output)**2); "
               "once every output is within 0.1 of its label it is below 0.02. A curve flat near 0.5 is stuck.")
    return figure(fig, "XOR loss curve", html.escape(caption))


def _boundary_figure(params: dict) -> str:
    plt = pyplot()
    ticks = np.linspace(-0.5, 1.5, 201)
    gx, gy = np.meshgrid(ticks, ticks)
    with np.errstate(all="ignore"):
        grid = layers(params, np.column_stack([gx.ravel(), gy.ravel()]))["output"].reshape(gx.shape)
        corners = layers(params, XOR_INPUTS)["output"].ravel()
    fig, ax = plt.subplots(figsize=(4.6, 4))
    shade = ax.contourf(gx, gy, np.nan_to_num(grid, nan=0.5), levels=np.linspace(0, 1, 11), cmap="RdBu_r", vmin=0, vmax=1)
    if np.nanmin(grid) < 0.5 < np.nanmax(grid):
        ax.contour(gx, gy, grid, levels=[0.5], colors="k", linewidths=1.5)
    fig.colorbar(shade, ax=ax, label="network output")
    for (x, y), label, out in zip(XOR_INPUTS, XOR_LABELS.ravel(), corners):
        ax.scatter(x, y, s=140, c="k" if label else "w", edgecolors="k", linewidths=1.5, zorder=3)
        ax.annotate(f"{out:.2f}", (x, y), xytext=(8, 8), textcoords="offset points", fontsize=10)
    ax.set_xlabel("input 1")
    ax.set_ylabel("input 2")
    ax.set_aspect("equal")
    solved = bool(np.all(np.abs(corners - XOR_LABELS.ravel()) < 0.1))
    caption = ("Output of the network train_xor(0) returned, computed from its weights; the black line is "
               "output = 0.5. Dots: the four XOR inputs (black: label 1, white: label 0), with the output at each. "
               + ("Every output is within 0.1 of its label." if solved else
                  "Not every output is within 0.1 of its label yet."))
    return figure(fig, "XOR decision boundary", html.escape(caption))


# -- MNIST --------------------------------------------------------------------------------
def mnist(report: Report, files: dict[str, bytes], config: Config) -> str:
    keras = report.artifacts.get("keras")
    if not isinstance(keras, dict) or not (keras.get("test_pred") is not None or keras.get("layers")):
        raise Missing("No trained Keras model in this run (keras_mnist not graded, or its training did not finish), "
                      "so there are no MNIST plots.")
    images, labels, predictions, source = _mnist_predictions(keras)
    from autograder.graders.keras_eval import confusion_matrix

    matrix = confusion_matrix(predictions, labels)
    accuracy = float(np.trace(matrix)) / max(int(matrix.sum()), 1)
    return _confusion_figure(matrix, accuracy, source) + _misclassified_figure(images, labels, predictions)


def _mnist_predictions(keras: dict):
    """(test images, labels, predicted labels, where the test set came from) on the trusted side."""
    from autograder.graders import mnist as data

    sets = [(path, name) for path, name in ((data.DEFAULT_PATH, "the MNIST test set"),
                                            (data.SMALL_PATH, "the small MNIST test subset")) if path.exists()]
    if not sets:
        raise Missing(f"MNIST test data is missing ({data.HOW_TO_GET}), so there are no MNIST plots.")
    pred = keras.get("test_pred")
    if pred is not None:
        pred = np.asarray(pred)
        pred = pred.argmax(axis=1) if pred.ndim == 2 else pred.astype(np.int64).ravel()
        for path, name in sets:  # the test set the grader predicted on is the one of that length
            _, (x_test, y_test) = data.read_npz(path)
            if len(pred) == len(y_test) and np.all((pred >= 0) & (pred < 10)):
                return x_test, y_test, pred, name
    if keras.get("layers"):
        from autograder.graders.keras_eval import dense_stack_predict

        _, (x_test, y_test) = data.read_npz(sets[0][0])
        scores = dense_stack_predict(keras["layers"], x_test.reshape(len(x_test), -1).astype(np.float64) / 255.0)
        return x_test, y_test, scores.argmax(axis=1), sets[0][1]
    raise Missing("The Keras predictions do not match any MNIST test set here, so there are no MNIST plots.")


def _confusion_figure(matrix: np.ndarray, accuracy: float, source: str) -> str:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.6, 5))
    ax.imshow(matrix, cmap="Blues")
    for (row, col), count in np.ndenumerate(matrix):
        if count:
            ax.text(col, row, str(count), ha="center", va="center", fontsize=7,
                    color="white" if count > matrix.max() / 2 else "black")
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    caption = (f"Confusion matrix on {source} ({int(matrix.sum())} images, accuracy {accuracy:.1%}): row = true "
               "digit, column = your model's prediction; everything off the diagonal is a mistake.")
    return figure(fig, "MNIST confusion matrix", html.escape(caption))


def _misclassified_figure(images, labels, predictions) -> str:
    wrong = np.flatnonzero(np.asarray(predictions) != np.asarray(labels))
    if not wrong.size:
        return "<p>Your model classified every test image correctly, so there are no mistakes to show.</p>"
    shown = wrong[:MISCLASSIFIED_SHOWN]
    plt = pyplot()
    columns = 8
    rows = -(-len(shown) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.1, rows * 1.3), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, index in zip(axes.ravel(), shown):
        ax.imshow(images[index], cmap="gray_r")
        ax.set_title(f"{labels[index]} as {predictions[index]}", fontsize=9, color="#b42318")
    caption = (f"The first {len(shown)} of {wrong.size} misclassified test digits, titled "
               "'true digit as predicted digit'.")
    return figure(fig, "misclassified MNIST digits", html.escape(caption))


SECTIONS = [("XOR: your trained network", xor), ("MNIST: your Keras model on the test set", mnist)]
