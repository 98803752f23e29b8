"""What the keras_mnist graders share: the probe they run in the sandbox, and the checks on its answers.

`probe` is sent by `student.run(probe, task, ...)` and runs inside the child, where `student` is
the submission's module. The child may be forged whole (its request handler replaced), so no
point rests on what the probe says about itself: the architecture, the compile settings, the
History and "the weights changed" only shape hints, or cost points when they admit a mistake.
Points rest on facts established here, in the trusted process, in NumPy, without TensorFlow:
- the model's weights, bounded in size (check_bounded) before any work on them, define the
  network (keras_eval); the child's own outputs on the grader's inputs must match them;
- the loss and accuracy the compiled model reports on the grader's inputs must be the ones
  sparse categorical cross-entropy and accuracy give on those weights;
- train_model is replayed: on the grader's one-layer model, plain SGD from weights the grader
  chose, on copies of one digit, the trained weights must be those of exactly
  epochs x ceil(N / batch_size) steps;
- the trained model is scored on test digits that never enter the sandbox, and it was trained
  on images whose pixels, and labels whose digits, were shuffled by permutations the grader
  keeps: only a model trained on what it was given predicts the shuffled digits.
"""

from __future__ import annotations

import math

import numpy as np

from autograder.checks import CheckFailed, check
from autograder.handle import StudentError

from . import keras_eval

PIXELS, DIGITS = 784, 10
# What the grader accepts of a reply, checked before any work on it (issue 24): a network the
# docstring allows is far inside these (the reference is 784-128-10, 101,770 parameters).
MAX_LAYERS, MAX_UNITS, MAX_PARAMETERS = 16, 2048, 3_000_000
TOO_LARGE_HINT = (f"the grader scores networks of at most {MAX_LAYERS} layers, {MAX_UNITS} units per layer and "
                  f"{MAX_PARAMETERS:,} weights in all: build_model's network is far larger than MNIST needs")
UNSCALED_HINT = ("the pixels are still 0..255: divide by 255 so that every value lies in [0, 1] "
                 "(large inputs make the first layer saturate and training stall)")
FLATTEN_HINT = "each 28 x 28 image should become one row of 784 values: reshape to (N, 784)"
ONE_HOT_HINT = "keep the labels as digits 0-9 (shape (N,)): the loss for integer labels does the one-hot step itself"
WIDTH_HINT = "the output layer should have 10 units, one per digit, so that softmax gives 10 probabilities"
NOT_TRAINED_HINT = ("the model's weights did not change: train_model must call model.fit on the images and "
                    "labels it is given")
MSE_HINT = ("mean squared error treats the 10 softmax outputs as numbers to regress, and needs one-hot labels: "
            "use the cross-entropy loss made for integer labels")
LOSS_HINTS = {  # by the loss's name, lower case without underscores
    "mse": MSE_HINT, "meansquarederror": MSE_HINT,
    "categoricalcrossentropy": "categorical cross-entropy expects one-hot labels, but the labels are digits 0-9: "
                               "use its sparse version",
    "binarycrossentropy": "binary cross-entropy is for yes/no outputs; with 10 classes and integer labels use "
                          "sparse categorical cross-entropy",
}
FROM_LOGITS_HINT = ("the output layer already applies softmax: from_logits=True would treat its probabilities as "
                    "scores (Keras warns and ignores it); leave from_logits at its default, False")
SCORES_HINT = ("from_logits=True goes with an output layer that gives scores, but build_model must output "
               "probabilities: use Dense(10, activation=\"softmax\") and the loss's default from_logits=False")
QUIET_HINT = ("train_model should fit quietly: pass verbose=0 to model.fit (a progress bar per epoch floods the "
              "grading log)")
STEPS_HINT = ("train_model should pass epochs and batch_size on to model.fit: the model it was given did not take "
              "epochs x ceil(N / batch_size) training steps")
HISTORY_HINT = "train_model should return the History that model.fit returns"


def probe(task, seed, images=None, labels=None, test_images=None, test_labels=None, epochs=1, batch_size=32,
          hidden_units=None, sizes=None, rows=None, inputs=None, targets=None, initial=None, learning_rate=None):
    """Runs in the sandbox. task: "load", "build", "train_model" (on a model the grader builds) or
    "pipeline" (build_model then train_model). images: uint8 (N, 28, 28); labels: uint8 (N,).
    load: sizes = (train, test) tiles the images to those lengths; rows = (train rows, test rows) sent
    back. build: inputs (M, 784) and targets (M,) for the model's outputs, loss and metrics.
    train_model: initial = [kernel (784, 10), bias (10,)], learning_rate for plain SGD."""
    import contextlib
    import io
    import os
    import re
    import sys
    import warnings

    import keras
    import numpy as np
    import tensorflow as tf

    try:
        # One thread per op and between ops: with the seed below, the same submission trains to
        # the same weights every time it is graded.
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        pass  # TensorFlow already started in this process (an earlier task set them)
    keras.backend.clear_session()  # earlier tasks' models and graphs would only hold memory
    keras.utils.set_random_seed(seed)
    with contextlib.suppress(Exception):
        tf.keras.datasets.mnist  # noqa: B018 - import tf.keras now, so it copies the real loader, not ours

    @contextlib.contextmanager
    def student_code(train, test):
        # Every route to Keras' loader (keras.datasets, tf.keras, `from ... import load_data`)
        # returns these arrays while the student's code runs. During training the test split is
        # empty, and the sandbox has no network and no copy of MNIST: whatever the code loads
        # by itself, it cannot see a test digit. A warning names only the submission's own files:
        # Keras' come from the grading machine's installation, whose paths are not the student's.
        from keras.src.datasets import mnist

        original = mnist.load_data
        owners = [m for name, m in list(sys.modules.items()) if name.endswith("datasets.mnist")]
        owners.append(student)  # noqa: F821 - the submission's module, in the sandbox
        swapped = [(owner, name) for owner in owners for name, value in list(vars(owner).items()) if value is original]
        for owner, name in swapped:
            setattr(owner, name, lambda *args, **kwargs: (train, test))

        def show(message, category, filename, lineno, file=None, line=None):
            own = os.path.basename(str(getattr(student, "__file__", "")))  # noqa: F821
            place = f"{own}:{lineno}: " if own and os.path.basename(str(filename)) == own else ""
            text = re.sub(r"(?:/[\w.+@-]+){2,}", lambda path: os.path.basename(path.group()), str(message))
            print(f"{place}{category.__name__}: {text}", file=sys.stderr)

        shown = warnings.showwarning
        warnings.showwarning = show
        try:
            yield
        finally:
            warnings.showwarning = shown
            for owner, name in swapped:
                setattr(owner, name, original)

    empty = (np.zeros((0, 28, 28), np.uint8), np.zeros((0,), np.uint8))

    def describe(model):
        # For hints only: the model's own account of itself.
        if not isinstance(model, keras.Model):
            return {"error": f"a {type(model).__name__}, not a Keras model"}
        if not model.built:
            with contextlib.suppress(Exception):
                model.build((None, 784))
        layers = []
        for layer in model.layers:
            kind = type(layer).__name__
            if kind == "InputLayer":
                continue  # the functional API lists its Input as a layer; Sequential does not
            activation = getattr(getattr(layer, "activation", None), "__name__", None)
            if kind == "Activation" and layers and layers[-1]["activation"] == "linear":
                layers[-1]["activation"] = activation  # Dense(10) then Activation("softmax") is a softmax layer
                continue
            layers.append({"class": kind, "units": getattr(layer, "units", None), "activation": activation})
        try:
            input_shape = [None if d is None else int(d) for d in model.inputs[0].shape]
        except Exception:
            input_shape = None
        loss = getattr(model, "loss", None)
        loss_config = {} if isinstance(loss, str) or not hasattr(loss, "get_config") else loss.get_config()
        loss_name = loss if isinstance(loss, str) else (
            type(loss).__name__ if hasattr(loss, "get_config") else getattr(loss, "__name__", type(loss).__name__))
        optimizer = getattr(model, "optimizer", None) if getattr(model, "compiled", False) else None
        return {"compiled": bool(getattr(model, "compiled", False)), "input_shape": input_shape, "layers": layers,
                "loss": str(loss_name), "from_logits": bool(loss_config.get("from_logits", False)),
                "optimizer": None if optimizer is None else type(optimizer).__name__}

    def weights(model):
        # The layers in order, as keras_eval.dense_stack_predict takes them.
        stack = []
        for layer in model.layers:
            kind = type(layer).__name__
            if kind in ("InputLayer", "Dropout", "Flatten"):
                continue  # identity at inference on (N, 784) rows
            if kind == "Dense":
                kernel, *bias = layer.get_weights()
                stack.append({"kernel": np.asarray(kernel), "activation": layer.activation.__name__,
                              "bias": np.asarray(bias[0]) if bias else np.zeros(kernel.shape[1], kernel.dtype)})
            elif kind == "Activation":
                name = getattr(layer.activation, "__name__", str(layer.activation))
                if stack and stack[-1].get("kind") is None and stack[-1]["activation"] == "linear":
                    stack[-1]["activation"] = name
                else:
                    stack.append({"kind": "activation", "activation": name})
            elif kind == "BatchNormalization":
                size = int(layer.moving_mean.shape[0])
                stack.append({"kind": "batchnorm", "epsilon": float(layer.epsilon),
                              "gamma": np.asarray(layer.gamma) if layer.scale else np.ones(size),
                              "beta": np.asarray(layer.beta) if layer.center else np.zeros(size),
                              "mean": np.asarray(layer.moving_mean), "variance": np.asarray(layer.moving_variance)})
            else:
                stack.append({"kind": "unsupported", "class": kind})
        return stack

    def outputs(model, x):
        try:
            return np.asarray(model(x, training=False), dtype=np.float64)
        except Exception:  # noqa: BLE001 - a model that cannot be called on (N, 784) rows
            return None

    def train(model, x, y):
        before = [w.copy() for w in model.get_weights()]
        printed = io.StringIO()
        with student_code((images, labels), empty), contextlib.redirect_stdout(printed):
            history = student.train_model(model, x, y, epochs=epochs, batch_size=batch_size)  # noqa: F821
        numbers = getattr(history, "history", None)
        return {"changed": any(not np.array_equal(b, a) for b, a in zip(before, model.get_weights())),
                "returned": type(history).__name__, "printed": printed.getvalue()[:200],
                "epochs_recorded": len(numbers.get("loss") or []) if isinstance(numbers, dict) else None}

    def summary(value, picked):
        if not isinstance(value, np.ndarray):
            return {"type": type(value).__name__}
        rows = np.asarray(picked) if value.ndim and len(value) > max(picked, default=-1) else np.arange(0)
        return {"type": "ndarray", "shape": [int(d) for d in value.shape], "dtype": value.dtype.str,
                "rows": np.asarray(value[rows])}

    if task == "load":
        # sizes: (train, test) lengths to try in order (a quick pass at lengths no code writes, then
        # the dataset's own 60000 and 10000), each from a few distinct images repeated; the first
        # that load_mnist() gets through is the one sent back, with its rows.
        for attempt, ((train_size, test_size), picked_rows) in enumerate(zip(sizes, rows)):
            full_train = (np.resize(images, (train_size, 28, 28)), np.resize(labels, train_size))
            full_test = (np.resize(test_images, (test_size, 28, 28)), np.resize(test_labels, test_size))
            try:
                with student_code(full_train, full_test):
                    loaded = student.load_mnist()  # noqa: F821
                break
            except Exception:
                if attempt == len(sizes) - 1:
                    raise  # fails at MNIST's own sizes too: that error is the student's to see
            finally:
                del full_train, full_test
        if not (isinstance(loaded, (tuple, list)) and len(loaded) == 2
                and all(isinstance(pair, (tuple, list)) and len(pair) == 2 for pair in loaded)):
            return {"type": type(loaded).__name__, "length": len(loaded) if isinstance(loaded, (tuple, list)) else None}
        return {"sizes": attempt,
                "loaded": [[summary(array, picked) for array in pair] for pair, picked in zip(loaded, picked_rows)]}
    if task == "build":
        arguments = {} if hidden_units is None else {"hidden_units": hidden_units}
        with student_code(empty, empty):
            model = student.build_model(**arguments)  # noqa: F821
        answer = {"model": describe(model)}
        if not isinstance(model, keras.Model):
            return answer
        answer.update(layers=weights(model), outputs=outputs(model, inputs))
        if getattr(model, "compiled", False) and answer["outputs"] is not None:
            # The compiled loss and metrics on the grader's inputs, computed directly: model.evaluate
            # would build a data pipeline for one small batch. Regularisation terms are not the loss.
            try:
                with student_code(empty, empty):
                    predicted = model(inputs, training=False)
                    loss = float(model.compute_loss(x=inputs, y=targets, y_pred=predicted, training=False))
                    loss -= float(sum(float(term) for term in model.losses))
                    model.reset_metrics()
                    metrics = model.compute_metrics(inputs, targets, predicted, None)
                answer["evaluated"] = {"loss": loss, **{str(k): float(v) for k, v in metrics.items() if k != "loss"}}
            except Exception as error:  # noqa: BLE001 - a loss that does not fit integer labels
                answer["evaluated"] = {"error": type(error).__name__}
        return answer
    x = images.reshape(len(images), -1).astype("float32") / 255
    if task == "train_model":
        # The grader's own one-layer model, plain SGD, from the grader's weights: the weights it ends
        # with tell how many steps train_model took. Eager: a few steps cost less than tracing.
        grader_model = keras.Sequential(
            [keras.Input(shape=(784,)), keras.layers.Dense(10, activation="softmax")])
        grader_model.compile(optimizer=keras.optimizers.SGD(learning_rate=learning_rate),
                             loss=keras.losses.SparseCategoricalCrossentropy(), run_eagerly=True)
        grader_model.set_weights([np.asarray(w, np.float32) for w in initial])
        return {**train(grader_model, x, labels), "layers": weights(grader_model)}
    if task == "pipeline":
        with student_code(empty, empty):
            model = student.build_model()  # noqa: F821
        description = describe(model)
        if not isinstance(model, keras.Model):
            return {"model": description}  # nothing to train or score
        trained = train(model, x, labels)
        return {"model": description, **trained, "layers": weights(model), "sample": x[:32],
                "reproduce": outputs(model, x[:32])}
    raise ValueError(f"unknown task {task!r}")


# -- the trusted side -----------------------------------------------------------------------
def flat(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) -> what load_mnist should make of it: float32 (N, 784) in [0, 1]."""
    return images.reshape(len(images), -1).astype(np.float32) / 255


def unpack(loaded) -> tuple:
    """((x_train, y_train), (x_test, y_test)), each a probe summary, or a CheckFailed."""
    shaped = isinstance(loaded, list) and len(loaded) == 2 and all(isinstance(p, list) and len(p) == 2 for p in loaded)
    check(shaped and all(isinstance(s, dict) for pair in loaded for s in pair),
          "load_mnist should return ((x_train, y_train), (x_test, y_test)), as load_data does",
          f"got {loaded.get('type')}" if isinstance(loaded, dict) else "")
    return tuple(tuple(pair) for pair in loaded)


def _summarised(got: dict, what: str, shape: tuple, rows: np.ndarray) -> np.ndarray:
    """The rows the probe sent back of an array that should have `shape`, once type and shape are right."""
    check(got.get("type") == "ndarray", f"{what} should be a NumPy array", f"got {got.get('type')}")
    check(got.get("shape") == list(shape), f"{what} should have shape {('(N, 784)' if len(shape) == 2 else '(N,)')}",
          f"got {tuple(got.get('shape') or ())}, expected {shape}")
    picked = got.get("rows")
    check(isinstance(picked, np.ndarray) and picked.shape == (len(rows), *shape[1:]),
          f"{what} could not be read back", "")
    return picked


def check_images(got: dict, block: np.ndarray, n: int, rows: np.ndarray, what: str, keep=None) -> None:
    """got summarises images flattened to (n, 784), float32, scaled into [0, 1]; image i is block[i % len(block)].
    Only the rows sent back where keep is True (all by default) are judged."""
    if isinstance(got, dict) and got.get("shape") == [n, 28, 28]:
        raise CheckFailed(FLATTEN_HINT, f"{what} has shape {(n, 28, 28)}, expected {(n, PIXELS)}")
    keep = np.ones(len(rows), bool) if keep is None else keep
    picked, rows = _summarised(got, what, (n, PIXELS), rows)[keep], rows[keep]
    images = block[rows % len(block)]
    want = flat(images)
    if np.allclose(picked, images.reshape(want.shape)) and not np.allclose(picked, want, atol=1e-6):
        raise CheckFailed(UNSCALED_HINT, f"{what} holds values up to {float(picked.max())!r}")
    wrong = np.flatnonzero(~np.isclose(picked, want, rtol=0.0, atol=1e-6).all(axis=1))
    check(wrong.size == 0, f"{what} should hold the pixels divided by 255",
          f"row {rows[wrong[0]] if wrong.size else 0} differs from the image divided by 255")
    check(got.get("dtype") == "<f4", f"{what} should be float32 (what Keras computes in; float64 doubles the memory)",
          f"got dtype {got.get('dtype')}")


def check_labels(got: dict, block: np.ndarray, n: int, rows: np.ndarray, what: str, keep=None) -> None:
    """got summarises the labels of shape (n,), integers, label i = block[i % len(block)], judged where keep is."""
    if isinstance(got, dict) and got.get("shape") == [n, DIGITS]:
        raise CheckFailed(ONE_HOT_HINT, f"{what} has shape {(n, DIGITS)}, expected {(n,)}")
    keep = np.ones(len(rows), bool) if keep is None else keep
    picked, rows = _summarised(got, what, (n,), rows)[keep], rows[keep]
    check(str(got.get("dtype"))[1:2] in ("i", "u"), f"{what} should hold integers, as load_data gives them",
          f"got dtype {got.get('dtype')}")
    wrong = np.flatnonzero(picked != block[rows % len(block)])
    check(wrong.size == 0, f"{what} should be the labels load_data returned, unchanged",
          f"{wrong.size} of {len(rows)} rows read back differ")


SIZES = (60000, 10000)  # what keras.datasets.mnist.load_data() gives: code may write reshape(60000, 784)
# Tried first: lengths no code writes (primes), a tenth of the work; code that needs MNIST's own
# lengths (reshape(60000, 784)) fails there and is given those next. Either way the rows sent back
# are judged, and the shapes against the lengths that call was given.
QUICK_SIZES = (6007, 1009)


def shared_load(student, shared: dict, rng, random_images: int):
    """load_mnist() once per child, on both splits, each repeating a block of `random_images` random
    images followed by real digits of the small subset (200 per split): at QUICK_SIZES, and at
    MNIST's own SIZES where the code fails at those. Returns (the probe's reply, [(images, labels)
    block per split], [rows sent back per split], [whether each of those rows shows a real digit],
    the (train, test) lengths it was given): the public check judges every row sent back, the
    hidden one the real digits."""
    if "keras_load" not in shared:
        (train, train_labels), (test, test_labels) = _small_subset()
        blocks = []
        for size, images, labels in ((random_images, train[:200], train_labels[:200]),
                                     (random_images // 2, test, test_labels)):
            blocks.append((np.concatenate([rng.integers(0, 256, (size, 28, 28), dtype=np.uint8), images]),
                           np.concatenate([rng.integers(0, 10, size, dtype=np.uint8), labels])))
        tried = (QUICK_SIZES, SIZES)
        # The first row, the last, and others in between: the blocks repeat, so these cover both kinds.
        rows = [[np.unique(np.concatenate([[0, n - 1], rng.integers(0, n, 62)])) for n in sizes] for sizes in tried]
        reply = student.run(probe, "load", int(rng.integers(2**31 - 1)),
                            images=student.put("images", blocks[0][0]), labels=student.put("labels", blocks[0][1]),
                            test_images=student.put("test_images", blocks[1][0]),
                            test_labels=student.put("test_labels", blocks[1][1]), sizes=tried, rows=rows)
        attempt = reply.get("sizes") if isinstance(reply, dict) else None
        if attempt in (0, 1) and "loaded" in reply:  # which lengths it was given (either is a fair test)
            reply, sizes, rows = reply["loaded"], tried[attempt], rows[attempt]
        else:
            sizes, rows = SIZES, rows[1]
        real = [(picked % len(block[0])) >= len(block[0]) - len(block_real)
                for picked, block, block_real in zip(rows, blocks, (train[:200], test))]
        shared["keras_load"] = (reply, blocks, rows, real, sizes)
    return shared["keras_load"]


def check_loaded(loaded, blocks, rows, keep, sizes=SIZES) -> None:
    """Both splits of load_mnist's reply, judged on the rows sent back where keep is True."""
    for (x, y), (images, labels), size, picked, kept, split in zip(unpack(loaded), blocks, sizes, rows, keep,
                                                                   ("train", "test")):
        check_images(x, images, size, picked, f"x_{split}", kept)
        check_labels(y, labels, size, picked, f"y_{split}", kept)


def _small_subset():
    from . import mnist

    return mnist.read_npz(mnist.SMALL_PATH)


def check_bounded(layers) -> list[dict]:
    """The layers the probe sent, refused before any work when they exceed what the grader scores."""
    check(isinstance(layers, list) and all(isinstance(layer, dict) for layer in layers),
          "the model's weights could not be read")
    check(len(layers) <= MAX_LAYERS, TOO_LARGE_HINT, f"{len(layers)} layers")
    total = 0
    for layer in layers:
        for value in layer.values():
            if isinstance(value, np.ndarray):
                check(value.ndim <= 2 and max(value.shape, default=0) <= max(MAX_UNITS, PIXELS), TOO_LARGE_HINT,
                      f"an array of shape {value.shape}")
                total += value.size
    check(total <= MAX_PARAMETERS, TOO_LARGE_HINT, f"{total:,} weights")
    return layers


def network_outputs(layers, x: np.ndarray, what: str = "") -> np.ndarray:
    """keras_eval's outputs of the (bounded) layers on x, or the hint that the grader cannot score them."""
    try:
        return keras_eval.dense_stack_predict(check_bounded(layers), x)
    except (ValueError, KeyError, TypeError) as error:
        raise CheckFailed(UNSCORABLE_HINT, f"{error}; {what}") from None


def check_reproduced(layers, x: np.ndarray, reported, what: str) -> np.ndarray:
    """The network the layers define, on x, is what the child's model gave on x; returns those outputs."""
    check(isinstance(reported, np.ndarray), "the model could not be called on a batch of (N, 784) images", what)
    computed = network_outputs(layers, x, what)
    check(reported.shape == computed.shape and computed.ndim == 2 and computed.shape[1] == DIGITS, WIDTH_HINT,
          f"{what}; output shape {reported.shape}")
    check(keras_eval.are_probabilities(computed), PROBABILITIES_HINT, f"{what}; output shape {computed.shape}")
    check(np.allclose(computed, reported, atol=1e-4), UNSCORABLE_HINT, what)
    return computed


def summary(description: dict) -> str:
    """'input (None, 784) -> Dense(128, relu) -> Dense(10, softmax)', for messages (the model's own account)."""
    parts = [f"{layer.get('class')}({layer.get('units')}, {layer.get('activation')})" if layer.get("class") == "Dense"
             else str(layer.get("class")) for layer in (description.get("layers") or [])[:MAX_LAYERS]
             if isinstance(layer, dict)]
    return " -> ".join([f"input {tuple(description.get('input_shape') or ()) or '(unknown)'}"] + parts)[:300]


def check_architecture(answer, inputs: np.ndarray, hidden_units: int | None = None) -> None:
    """784 inputs -> Dense hidden layer(s) with a non-linearity -> Dense(10, softmax), compiled.

    Judged on the weights and on the model's outputs on `inputs`; its description only words the hints."""
    check(isinstance(answer, dict) and isinstance(answer.get("model"), dict) and not answer["model"].get("error")
          and "layers" in answer, "build_model should return the Keras model it built (a keras.Sequential, or a "
          "keras.Model)", str((answer.get("model") or {}).get("error", "")) if isinstance(answer, dict) else "")
    description = answer["model"]
    shown = summary(description)
    layers = check_bounded(answer["layers"])
    kinds = {str(layer.get("kind", "dense")) for layer in layers} - {"dense", "activation"}
    check(not kinds, "this network is a stack of Dense layers (Dropout is fine), not "
          + ", ".join(sorted(str(layer.get("class", layer.get("kind"))) for layer in layers
                             if layer.get("kind", "dense") not in ("dense", "activation"))), shown)
    dense = [layer for layer in layers if layer.get("kind", "dense") == "dense"]
    kernels = [layer.get("kernel") for layer in dense]
    check(all(isinstance(k, np.ndarray) and k.ndim == 2 for k in kernels), "the model's weights could not be read")
    check(kernels and kernels[0].shape[0] == PIXELS,
          "the model should take rows of 784 pixels: start it with keras.Input(shape=(784,))", shown)
    check(len(dense) >= 2, "add a hidden Dense layer between the input and the 10-way output layer", shown)
    check(kernels[-1].shape[1] == DIGITS, WIDTH_HINT, shown)
    final = layers[-1]["activation"] if layers else None
    check(final == "softmax", "the output layer should use the softmax activation, so its 10 outputs are "
          "probabilities", shown)
    for layer in dense[:-1]:
        check(layer.get("activation") != "linear", "a hidden layer without an activation adds nothing (two linear "
              "layers make one): give it a non-linear activation such as relu", shown)
        check(layer.get("activation") in keras_eval.ACTIVATIONS and layer.get("activation") != "softmax",
              "give each hidden layer a non-linear activation that Keras knows by name, such as relu, tanh or "
              "sigmoid", shown)
    if hidden_units is not None:
        check(kernels[0].shape[1] == hidden_units,
              "build_model(hidden_units) should give the hidden layer hidden_units units",
              f"{shown}; asked for hidden_units={hidden_units}")
    check_reproduced(layers, inputs, answer.get("outputs"), shown)
    check(description.get("compiled"), "compile the model before returning it: model.compile(optimizer=..., "
          "loss=..., metrics=[...])", shown)


def plain(name: str) -> str:
    return str(name).lower().replace("_", "")


def loss_hint(description) -> str | None:
    """The hint for a compiled loss (as the model describes it) that does not fit integer labels and a
    softmax output, else None."""
    if not isinstance(description, dict) or not description.get("compiled"):
        return None
    loss = plain(description.get("loss"))
    if loss != "sparsecategoricalcrossentropy":
        return LOSS_HINTS.get(loss, "use a loss made for integer labels and 10 classes (a cross-entropy), "
                                    "given by name or as a keras.losses object")
    if description.get("from_logits"):
        dense = [layer for layer in description.get("layers") or [] if isinstance(layer, dict)
                 and layer.get("class") == "Dense"]
        return FROM_LOGITS_HINT if dense and dense[-1].get("activation") == "softmax" else SCORES_HINT
    return None


_ACCURACY = {"accuracy", "acc", "sparsecategoricalaccuracy", "compilemetrics"}


def check_compiled(answer, inputs: np.ndarray, targets: np.ndarray) -> None:
    """build_model's model, on the grader's inputs and labels, reports the loss and the accuracy that sparse
    categorical cross-entropy and accuracy give on its weights (and does not describe a loss that is wrong)."""
    check(isinstance(answer, dict) and isinstance(answer.get("model"), dict) and "layers" in answer,
          "build_model should return a compiled Keras model")
    description = answer["model"]
    check(description.get("compiled"), "build_model should return a compiled model: call "
          "model.compile(optimizer=..., loss=..., metrics=[...])")
    hint = loss_hint(description)
    check(hint is None, hint or "")
    outputs = check_reproduced(answer["layers"], inputs, answer.get("outputs"), summary(description))
    evaluated = answer.get("evaluated")
    check(isinstance(evaluated, dict) and "error" not in evaluated, LOSS_HINTS["categoricalcrossentropy"]
          + " (the compiled loss failed on integer labels)", str((evaluated or {}).get("error", "")))
    probabilities = outputs / outputs.sum(axis=1, keepdims=True)
    picked = np.clip(probabilities[np.arange(len(targets)), targets], 1e-7, 1 - 1e-7)
    loss, accuracy = float(np.mean(-np.log(picked))), float(np.mean(outputs.argmax(axis=1) == targets))
    reported = evaluated.get("loss")
    check(isinstance(reported, float) and abs(reported - loss) <= 1e-3 * max(1.0, loss),
          "compile with the loss for integer labels, sparse categorical cross-entropy (on probabilities)",
          f"the compiled loss gave {reported!r}; sparse categorical cross-entropy is {loss!r}")
    metrics = {plain(key): value for key, value in evaluated.items() if key != "loss"}
    check(any(key in _ACCURACY and isinstance(value, float) and abs(value - accuracy) <= 1e-6
              for key, value in metrics.items()),
          "report the share of digits classified right: metrics=[\"accuracy\"]"
          + (" (categorical accuracy expects one-hot labels)" if "categoricalaccuracy" in metrics else ""),
          f"the compiled metrics: {', '.join(sorted(metrics)) or 'none'}")


def sgd_steps(initial, x: np.ndarray, label: int, learning_rate: float, count: int) -> list:
    """[kernel, bias] after 0, 1, ..., count steps of plain SGD on softmax cross-entropy, one sample."""
    kernel, bias = (np.asarray(w, np.float64) for w in initial)
    states = [(kernel, bias)]
    for _ in range(count):
        z = x @ kernel + bias
        p = np.exp(z - z.max())
        gradient = p / p.sum()
        gradient[label] -= 1.0
        kernel, bias = kernel - learning_rate * np.outer(x, gradient), bias - learning_rate * gradient
        states.append((kernel, bias))
    return states


def check_train_model(result, initial, image: np.ndarray, label: int, *, learning_rate: float, samples: int,
                      epochs: int, batch_size: int) -> None:
    """train_model(model, x, y, epochs, batch_size) on `samples` copies of one image took exactly
    epochs x ceil(samples / batch_size) SGD steps (replayed here), quietly, and returned a History."""
    check(isinstance(result, dict), "train_model should train the model it is given")
    layers = check_bounded(result.get("layers"))
    got = [layers[0].get(key) if len(layers) == 1 else None for key in ("kernel", "bias")]
    check(all(isinstance(w, np.ndarray) and w.shape == np.shape(i) for w, i in zip(got, initial)),
          "train_model should train the model it is given, not build another")
    want = epochs * math.ceil(samples / batch_size)
    states = sgd_steps(initial, flat(image[None])[0].astype(np.float64), label, learning_rate, 3 * want + 5)
    distance = [max(float(np.abs(got[0] - k).max()), float(np.abs(got[1] - b).max())) for k, b in states]
    taken = int(np.argmin(distance))
    check(taken != 0 or distance[0] > 1e-6, NOT_TRAINED_HINT)
    gap = min(max(float(np.abs(a[0] - b[0]).max()), float(np.abs(a[1] - b[1]).max()))
              for a, b in zip(states[max(taken - 1, 0):], states[max(taken - 1, 0) + 1:taken + 2]))
    check(taken == want and distance[taken] < gap / 4, STEPS_HINT,
          f"the weights are those of {taken} step(s) of plain SGD" if distance[taken] < gap / 4 else
          "the weights are not those of plain SGD on the data given")
    check(result.get("returned") == "History" and result.get("epochs_recorded") == epochs, HISTORY_HINT)
    check(result.get("printed") == "", QUIET_HINT, f"it printed {str(result.get('printed'))[:80]!r}")


def secrets(shared: dict, rng) -> dict:
    """The permutations of pixels and digits the pipeline trains on; the same for both of its checks."""
    if "keras_secrets" not in shared:
        shared["keras_secrets"] = {"pixels": rng.permutation(PIXELS), "digits": rng.permutation(DIGITS)}
    return shared["keras_secrets"]


def shuffled(images: np.ndarray, secret: dict) -> np.ndarray:
    return images.reshape(len(images), PIXELS)[:, secret["pixels"]].reshape(images.shape)


def shared_pipeline(student, shared: dict, rng, images: np.ndarray, labels: np.ndarray, *, epochs: int,
                    batch_size: int):
    """run_pipeline once per child: the public check and the hidden accuracy check judge the same
    training (the same seed, digits, secret permutations and budget), scored on different test digits."""
    key = ("pipeline", len(images), epochs, batch_size)
    if key not in shared:
        secret = secrets(shared, rng)
        shared[key] = run_pipeline(student, shared["seed"], shuffled(images, secret), secret["digits"][labels],
                                   epochs=epochs, batch_size=batch_size)
    return shared[key]


def run_pipeline(student, seed: int, images: np.ndarray, labels: np.ndarray, *, epochs: int, batch_size: int):
    """build_model() then train_model() in the sandbox; a crash the loss or the architecture explains gets its hint."""
    try:
        return student.run(probe, "pipeline", seed, images=student.put("images", images),
                           labels=student.put("labels", labels.astype(np.uint8)), epochs=epochs,
                           batch_size=batch_size)
    except StudentError as error:
        if error.not_implemented:
            raise
        # The model's loss or shape explains most crashes inside fit() (MSE on integer labels, 1 output unit
        # for 10 classes): say which, rather than only the error's name.
        inputs = np.zeros((1, PIXELS), np.float32)
        answer = student.run(probe, "build", seed, inputs=inputs, targets=np.zeros(1, np.int64))
        hint = loss_hint(answer.get("model") if isinstance(answer, dict) else None)
        if hint is None:
            try:
                check_architecture(answer, inputs)
            except CheckFailed as failure:
                hint = failure.hint
        if hint:
            raise CheckFailed(hint, f"training raised {error.type_name} ({error.where})") from None
        raise


UNSCORABLE_HINT = ("the grader could not compute this model's outputs from its layers: it scores chains of "
                   "Dense, Activation and BatchNormalization layers (Dropout and Flatten pass through), which is "
                   "what build_model's docstring asks for")
PROBABILITIES_HINT = ("the model's outputs are not 10 class probabilities per image: end the model with "
                      "Dense(10, activation=\"softmax\")")


def trained_predictions(result, test_images: np.ndarray, shared: dict) -> np.ndarray:
    """The digits the trained model predicts for test_images (shown as they are, shuffled here as the
    training images were, the predictions mapped back to real digits). Architecture is not judged here
    (it has its own check), so any scorable model that maps 784 inputs to 10 probabilities is scored."""
    check(isinstance(result, dict) and isinstance(result.get("model"), dict), "build_model and train_model "
          "should give back a trained Keras model")
    check(not result["model"].get("error") and "layers" in result,
          "build_model should return a Keras model (keras.Sequential or keras.Model)",
          str(result["model"].get("error", "")))
    check(result.get("changed") is not False, NOT_TRAINED_HINT)
    sample = result.get("sample")
    check(isinstance(sample, np.ndarray) and sample.ndim == 2 and sample.shape[1] == PIXELS and len(sample) <= 64,
          "the model could not be called on a batch of (N, 784) images")
    check_reproduced(result.get("layers"), sample, result.get("reproduce"), summary(result["model"]))
    secret = shared["keras_secrets"]
    predicted = keras_eval.predict_classes(result["layers"], flat(shuffled(test_images, secret)))
    return np.argsort(secret["digits"])[predicted]
