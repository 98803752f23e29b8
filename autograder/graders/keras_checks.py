"""What the keras_mnist graders share: the probe they run in the sandbox, and the checks on its answers.

`probe` is sent as source by `student.run(probe, task, ...)` and runs inside the child, where
`student` is the submission's module; it imports Keras there and answers in plain data (layer
names, units, activations, weights as arrays, the History's numbers). Everything below it runs
in the trusted process and never imports TensorFlow: trained weights are scored with
keras_eval in NumPy, on test digits that never enter the sandbox.
"""

from __future__ import annotations

import numpy as np

from autograder.checks import CheckFailed, assert_close, check
from autograder.handle import StudentError

from . import keras_eval

PIXELS, DIGITS = 784, 10
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


def probe(task, seed, images=None, labels=None, test_images=None, test_labels=None,
          epochs=1, batch_size=32, hidden_units=None):
    """Runs in the sandbox. task: "load", "build", "train_model" (on a model the grader builds) or
    "pipeline" (build_model then train_model). images: uint8 (N, 28, 28); labels: uint8 (N,)."""
    import contextlib
    import sys

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
    def mnist_source(train, test):
        # Every route to Keras' loader (keras.datasets, tf.keras, `from ... import load_data`)
        # returns these arrays while the student's code runs. During training the test split is
        # empty, and the sandbox has no network and no copy of MNIST: whatever the code loads
        # by itself, it cannot see a test digit.
        from keras.src.datasets import mnist

        original = mnist.load_data
        owners = [m for name, m in list(sys.modules.items()) if name.endswith("datasets.mnist")]
        owners.append(student)  # noqa: F821 - the submission's module, in the sandbox
        swapped = [(owner, name) for owner in owners for name, value in list(vars(owner).items()) if value is original]
        for owner, name in swapped:
            setattr(owner, name, lambda *args, **kwargs: (train, test))
        try:
            yield
        finally:
            for owner, name in swapped:
                setattr(owner, name, original)

    def describe(model):
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
        metrics = []
        with contextlib.suppress(Exception):
            for metric in model.get_compile_config().get("metrics") or []:
                if isinstance(metric, dict):
                    metric = (metric.get("config") or {}).get("name") or metric.get("class_name")
                metrics.append(str(metric))
        optimizer = getattr(model, "optimizer", None) if getattr(model, "compiled", False) else None
        return {"compiled": bool(getattr(model, "compiled", False)), "input_shape": input_shape, "layers": layers,
                "loss": str(loss_name), "from_logits": bool(loss_config.get("from_logits", False)),
                "optimizer": None if optimizer is None else type(optimizer).__name__, "metrics": metrics}

    def weights(model):
        # The layers in order, as keras_eval.dense_stack_predict takes them; the grader checks the
        # chain against the model's own outputs ("reproduce" below) before it trusts it.
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

    def train(model, x, y):
        import io

        before = [w.copy() for w in model.get_weights()]
        empty = (np.zeros((0, 28, 28), np.uint8), np.zeros((0,), np.uint8))
        printed = io.StringIO()
        with mnist_source((images, labels), empty), contextlib.redirect_stdout(printed):
            history = student.train_model(model, x, y, epochs=epochs, batch_size=batch_size)  # noqa: F821
        after = model.get_weights()
        numbers = getattr(history, "history", None)
        params = getattr(history, "params", None)
        if isinstance(numbers, dict):
            numbers = {str(key): [float(v) for v in values] for key, values in numbers.items()}
        return {"changed": any(not np.array_equal(b, a) for b, a in zip(before, after)),
                "returned": type(history).__name__, "history": numbers if isinstance(numbers, dict) else None,
                "steps": params.get("steps") if isinstance(params, dict) else None,
                "printed": printed.getvalue()[:200]}

    if task == "load":
        with mnist_source((images, labels), (test_images, test_labels)):
            return student.load_mnist()  # noqa: F821
    if task == "build":
        arguments = {} if hidden_units is None else {"hidden_units": hidden_units}
        return describe(student.build_model(**arguments))  # noqa: F821
    x = images.reshape(len(images), -1).astype("float32") / 255
    if task == "train_model":
        # The grader's own small model, so train_model is judged apart from build_model. Eager: a
        # few steps cost less than tracing the graph of a training step (about a second).
        grader_model = keras.Sequential(
            [keras.Input(shape=(784,)), keras.layers.Dense(32, activation="tanh"), keras.layers.Dense(10, activation="softmax")])
        grader_model.compile(optimizer=keras.optimizers.RMSprop(), loss=keras.losses.SparseCategoricalCrossentropy(),
                             run_eagerly=True)
        return train(grader_model, x, labels)
    if task == "pipeline":
        model = student.build_model()  # noqa: F821
        description = describe(model)
        if not isinstance(model, keras.Model):
            return {"model": description}  # nothing to train or score
        trained = train(model, x, labels)
        sample = x[:32]
        try:
            reproduce = np.asarray(model(sample, training=False), dtype=np.float64)
        except Exception:  # noqa: BLE001 - a model that cannot be called on (N, 784) rows
            reproduce = None
        return {"model": description, **trained, "layers": weights(model), "sample": sample, "reproduce": reproduce}
    raise ValueError(f"unknown task {task!r}")


# -- the trusted side -----------------------------------------------------------------------
def flat(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) -> what load_mnist should make of it: float32 (N, 784) in [0, 1]."""
    return images.reshape(len(images), -1).astype(np.float32) / 255


def unpack(loaded) -> tuple:
    """((x_train, y_train), (x_test, y_test)) from what load_mnist returned, or a CheckFailed."""
    shaped = isinstance(loaded, list) and len(loaded) == 2 and all(isinstance(p, list) and len(p) == 2 for p in loaded)
    check(shaped, "load_mnist should return ((x_train, y_train), (x_test, y_test)), as load_data does",
          f"got {type(loaded).__name__}" + (f" of length {len(loaded)}" if isinstance(loaded, list) else ""))
    return tuple(tuple(pair) for pair in loaded)


def check_images(got, images: np.ndarray, what: str) -> None:
    """got is images flattened to (N, 784), float32, scaled into [0, 1]."""
    check(isinstance(got, np.ndarray), f"{what} should be a NumPy array", f"got {type(got).__name__}")
    want = flat(images)
    if got.shape == images.shape:
        raise CheckFailed(FLATTEN_HINT, f"{what} has shape {got.shape}, expected {want.shape}")
    check(got.shape == want.shape, f"{what} should have shape (N, 784)", f"got {got.shape}, expected {want.shape}")
    assert_close(got, want, what=what, rtol=0.0, atol=1e-6, hint=f"{what} should hold the pixels divided by 255",
                 misconceptions={"unscaled": (images.reshape(want.shape), UNSCALED_HINT)})
    check(got.dtype == np.float32, f"{what} should be float32 (what Keras computes in; float64 doubles the memory)",
          f"got dtype {got.dtype}")


def check_labels(got, labels: np.ndarray, what: str) -> None:
    """got holds the same digits as labels, as integers of shape (N,)."""
    check(isinstance(got, np.ndarray), f"{what} should be a NumPy array", f"got {type(got).__name__}")
    if got.shape == (len(labels), DIGITS):
        raise CheckFailed(ONE_HOT_HINT, f"{what} has shape {got.shape}, expected {labels.shape}")
    check(got.shape == labels.shape, f"{what} should have shape (N,)", f"got {got.shape}, expected {labels.shape}")
    check(got.dtype.kind in "iu", f"{what} should hold integers, as load_data gives them", f"got dtype {got.dtype}")
    wrong = np.flatnonzero(got != labels)
    check(wrong.size == 0, f"{what} should be the labels load_data returned, unchanged",
          f"{wrong.size} differ; first at {what}[{wrong[0] if wrong.size else 0}]")


def summary(description: dict) -> str:
    """'input (None, 784) -> Dense(128, relu) -> Dense(10, softmax)', for messages."""
    parts = [f"{layer['class']}({layer['units']}, {layer['activation']})" if layer["class"] == "Dense"
             else layer["class"] for layer in description.get("layers", [])]
    return " -> ".join([f"input {tuple(description.get('input_shape') or ()) or '(unknown)'}"] + parts)


def check_architecture(description, hidden_units: int | None = None) -> None:
    """784 inputs -> Dense hidden layer(s) with a non-linearity -> Dense(10, softmax), compiled."""
    check(isinstance(description, dict) and not description.get("error"),
          "build_model should return the Keras model it built (a keras.Sequential, or a keras.Model)",
          str(description.get("error", "")) if isinstance(description, dict) else "")
    layers = description.get("layers")
    check(isinstance(layers, list) and all(isinstance(layer, dict) and {"class", "units", "activation"} <= set(layer)
                                           for layer in layers), "the model's layers could not be read")
    shown = summary(description)
    shape = description.get("input_shape")
    check(shape is not None and shape[-1:] == [PIXELS] and len(shape) == 2,
          "the model should take rows of 784 pixels: start it with keras.Input(shape=(784,))", shown)
    kinds = {str(layer["class"]) for layer in layers} - {"Dense", "Dropout"}
    check(not kinds, f"this network is a stack of Dense layers (Dropout is fine), not {', '.join(sorted(kinds))}",
          shown)
    dense = [layer for layer in layers if layer["class"] == "Dense"]
    check(len(dense) >= 2, "add a hidden Dense layer between the input and the 10-way output layer", shown)
    check(dense[-1]["units"] == DIGITS, WIDTH_HINT, shown)
    check(dense[-1]["activation"] == "softmax",
          "the output layer should use the softmax activation, so its 10 outputs are probabilities", shown)
    for layer in dense[:-1]:
        check(layer["activation"] != "linear", "a hidden layer without an activation adds nothing (two linear "
              "layers make one): give it a non-linear activation such as relu", shown)
        check(layer["activation"] in keras_eval.ACTIVATIONS and layer["activation"] != "softmax",
              "give each hidden layer a non-linear activation that Keras knows by name, such as relu, tanh or "
              "sigmoid", shown)
    if hidden_units is not None:
        check(dense[0]["units"] == hidden_units,
              "build_model(hidden_units) should give the hidden layer hidden_units units", f"{shown}; asked for "
              f"hidden_units={hidden_units}")
    check(description.get("compiled"), "compile the model before returning it: model.compile(optimizer=..., "
          "loss=..., metrics=[...])", shown)


def plain(name: str) -> str:
    return str(name).lower().replace("_", "")


def loss_hint(description) -> str | None:
    """The hint for a compiled loss that does not fit integer labels and a softmax output, else None."""
    if not isinstance(description, dict) or not description.get("compiled"):
        return None
    loss = plain(description.get("loss"))
    if loss != "sparsecategoricalcrossentropy":
        return LOSS_HINTS.get(loss, "use a loss made for integer labels and 10 classes (a cross-entropy), "
                                    "given by name or as a keras.losses object")
    if description.get("from_logits"):
        dense = [layer for layer in description.get("layers") or [] if isinstance(layer, dict)
                 and layer.get("class") == "Dense"]
        if dense and dense[-1].get("activation") == "softmax":
            return ("the output layer already applies softmax: from_logits=True would treat its probabilities as "
                    "scores and apply softmax a second time")
        return ("from_logits=True goes with an output layer that gives scores, but build_model must output "
                "probabilities: use Dense(10, activation=\"softmax\") and the loss's default from_logits=False")
    return None


def shared_pipeline(student, shared: dict, images: np.ndarray, labels: np.ndarray, *, epochs: int, batch_size: int):
    """run_pipeline once per child: the public check and the hidden accuracy check judge the same
    training (the same seed, digits and budget), scored on different test digits."""
    key = ("pipeline", len(images), epochs, batch_size)
    if key not in shared:
        shared[key] = run_pipeline(student, shared["seed"], images, labels, epochs=epochs, batch_size=batch_size)
    return shared[key]


def run_pipeline(student, seed: int, images: np.ndarray, labels: np.ndarray, *, epochs: int, batch_size: int):
    """build_model() then train_model() in the sandbox; a crash the loss or the architecture explains gets its hint."""
    try:
        return student.run(probe, "pipeline", seed, images=student.put("images", images),
                           labels=student.put("labels", labels), epochs=epochs, batch_size=batch_size)
    except StudentError as error:
        if error.not_implemented:
            raise
        # The model's loss or shape explains most crashes inside fit() (MSE on integer labels, 1 output unit
        # for 10 classes): say which, rather than only the error's name.
        description = student.run(probe, "build", seed)
        hint = loss_hint(description)
        if hint is None:
            try:
                check_architecture(description)
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


def trained_layers(result) -> list[dict]:
    """The layers of the trained model the pipeline sent back, once they are known to be what the model
    computes, map 784 inputs to 10 probabilities and have been trained. Architecture is not judged here
    (it has its own check), so any such model has its accuracy scored."""
    check(isinstance(result, dict) and isinstance(result.get("model"), dict), "build_model and train_model "
          "should give back a trained Keras model")
    check(not result["model"].get("error") and "layers" in result,
          "build_model should return a Keras model (keras.Sequential or keras.Model)",
          str(result["model"].get("error", "")))
    check(result.get("changed"), NOT_TRAINED_HINT)
    layers, sample, reproduce = result.get("layers"), result.get("sample"), result.get("reproduce")
    check(isinstance(layers, list) and all(isinstance(layer, dict) for layer in layers),
          "the trained model's weights could not be read")
    check(isinstance(reproduce, np.ndarray) and isinstance(sample, np.ndarray) and sample.shape[1:] == (PIXELS,),
          "the model could not be called on a batch of (N, 784) images", summary(result["model"]))
    try:
        computed = keras_eval.dense_stack_predict(layers, sample)
    except (ValueError, KeyError, TypeError) as error:
        raise CheckFailed(UNSCORABLE_HINT, f"{error}; {summary(result['model'])}") from None
    check(reproduce.ndim == 2 and reproduce.shape[1] == DIGITS, WIDTH_HINT,
          f"{summary(result['model'])}; output shape {reproduce.shape}")
    check(keras_eval.are_probabilities(reproduce), PROBABILITIES_HINT,
          f"{summary(result['model'])}; output shape {reproduce.shape}")
    check(computed.shape == reproduce.shape and np.allclose(computed, reproduce, atol=1e-4), UNSCORABLE_HINT,
          summary(result["model"]))
    return layers


def loss_curve(result: dict) -> str:
    losses = (result.get("history") or {}).get("loss") or []
    return "training loss per epoch: " + (", ".join(f"{v:.3f}" for v in losses) if losses else "none recorded")
