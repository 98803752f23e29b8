# Origin: github.com/atqwerty/ml2019Practice, neuralGlass/nn.py (the same tutorial class with
# sigmoid and sigmoid_derivative as methods, 9 hidden units, rand weights, no biases, the
# factor 2 of a sum-of-squares loss, no learning rate).
# Adapted to solutions/mlp.py's interface. Changes:
# - init(self, x, y) became __init__(self, input_size, hidden_size, output_size, ...) (the
#   source's "init" is never called as a constructor); data moved to the arguments;
#   np.random.seed(seed) added; zero biases created because the interface names them;
# - the methods stay methods; module-level sigmoid()/sigmoid_derivative() call them, because
#   the interface grades module functions;
# - feed_forward() -> forward(), back_propogation() -> backward().
import numpy as np

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_LABELS = np.array([[0], [1], [1], [0]], dtype=float)


class MLP:
    def __init__(self, input_size, hidden_size, output_size, learning_rate=1.0, seed=None):
        np.random.seed(seed)
        self.weights_input_hidden = np.random.rand(input_size, hidden_size)
        self.weights_hidden_output = np.random.rand(hidden_size, output_size)
        self.bias_hidden = np.zeros(hidden_size)
        self.bias_output = np.zeros(output_size)
        self.learning_rate = learning_rate

    def sigmoid(self, z):
        return 1 / (1 + np.exp(-z))

    def sigmoid_derivative(self, z):
        return z * (1.0 - z)

    def forward(self, inputs):
        self.hidden_layer_input = np.dot(inputs, self.weights_input_hidden)
        self.hidden_layer_output = self.sigmoid(self.hidden_layer_input)
        self.output_layer_input = np.dot(self.hidden_layer_output, self.weights_hidden_output)
        self.output = self.sigmoid(self.output_layer_input)
        return self.output

    def backward(self, inputs, actual_output, predicted_output):
        d_weights2 = np.dot(self.hidden_layer_output.T,
                            (2 * (actual_output - predicted_output) * self.sigmoid_derivative(predicted_output)))
        d_weights1 = np.dot(inputs.T, (np.dot(2 * (actual_output - predicted_output)
                                              * self.sigmoid_derivative(predicted_output), self.weights_hidden_output.T)
                                       * self.sigmoid_derivative(self.hidden_layer_output)))
        self.weights_input_hidden += d_weights1
        self.weights_hidden_output += d_weights2

    def train(self, inputs, labels, epochs=1500):
        losses = []
        for _ in range(epochs):
            output = self.forward(inputs)
            losses.append(0.5 * float(np.sum((labels - output) ** 2)))
            self.backward(inputs, labels, output)
        return losses

    def predict(self, inputs):
        return self.forward(inputs)


def sigmoid(x):
    return MLP.sigmoid(None, x)


def sigmoid_derivative(a):
    return MLP.sigmoid_derivative(None, a)


def train_xor(seed=0):
    network = MLP(2, 9, 1, seed=seed)
    network.train(XOR_INPUTS, XOR_LABELS, epochs=1500)
    return network
