"""A multilayer perceptron again, this time in Keras, on handwritten digits (MNIST).

Keras builds the layers, computes the gradients and runs the training loop for you.
Shapes used in the docstrings: N samples, 784 pixels (28 x 28), H hidden units, 10 digits.
Run `make check` to test your work. The checks import this file and run offline, so code at
its top level runs at every import and cannot download MNIST: put your own trials under
`if __name__ == "__main__":`.
"""

import keras


def load_mnist():
    """MNIST, ready for a dense network.

    Returns:
        ((x_train, y_train), (x_test, y_test)), where
        x_train: float32 array of shape (60000, 784), every pixel scaled into [0, 1];
        y_train: integer array of shape (60000,), the digit 0-9 each image shows;
        x_test, y_test: the same for the 10000 test images.
    """
    # TODO: start from keras.datasets.mnist.load_data(). Each image arrives as 28 x 28
    # uint8 values in 0..255: make it one row of 784 float32 values between 0 and 1.
    ### BEGIN SOLUTION
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()

    def flat(images):
        # one row per image, because Dense layers take (N, features)
        return images.reshape(len(images), -1).astype("float32") / 255.0

    return (flat(x_train), y_train), (flat(x_test), y_test)
    ### END SOLUTION


def build_model(hidden_units=128):
    """A compiled multilayer perceptron that maps 784 pixels to 10 digit probabilities.

    Args:
        hidden_units: H, the number of units in the (first) hidden layer.
    Returns:
        A compiled Keras model, keras.Sequential (or the functional API's keras.Model):
        input (N, 784) -> Dense(H) with a non-linear activation (relu is a good choice)
        -> Dense(10, softmax). More hidden Dense layers and Dropout are allowed.
        Compiled with any optimizer (adam works well), the loss for integer labels,
        sparse categorical cross-entropy (on probabilities: from_logits=False, its
        default), and metrics=["accuracy"].
    """
    # TODO: a keras.Sequential of keras.Input(shape=(784,)), a Dense hidden layer and a
    # 10-way softmax output; compile it with an optimizer, a loss for integer labels and accuracy.
    ### BEGIN SOLUTION
    model = keras.Sequential([
        keras.Input(shape=(784,)),
        keras.layers.Dense(hidden_units, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    # "sparse": the labels are digits 0-9, not one-hot rows
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
    ### END SOLUTION


def train_model(model, x_train, y_train, epochs=5, batch_size=128):
    """Fit the model to the training images, quietly.

    Args:
        model: a compiled model, as returned by build_model().
        x_train: float32 array of shape (N, 784), pixels in [0, 1].
        y_train: integer array of shape (N,), digits 0-9.
        epochs: passes over the whole training set.
        batch_size: images per gradient step.
    Returns:
        The keras.callbacks.History that fit() returns; history.history["loss"] and
        history.history["accuracy"] hold one value per epoch. Prints nothing.
    """
    # TODO: one call to the model's fit method, passing epochs and batch_size on and
    # printing nothing (verbose=0). Return what it returns.
    ### BEGIN SOLUTION
    return model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=0)
    ### END SOLUTION
