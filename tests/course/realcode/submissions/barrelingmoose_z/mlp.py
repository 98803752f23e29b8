# Origin: github.com/barrelingmoose/neural-net-tutorial, main.py (the tutorial class with
# sigmoid_derivative(x) = sigmoid(x) * (1 - sigmoid(x)), applied to layer outputs; no biases,
# rand weights, factor 2, no learning rate).
# Adapted to solutions/mlp.py's interface. Changes:
# - NeuralNetwork(x, y) became MLP(input_size, hidden_size, output_size, ...); the data moved to
#   the arguments; np.random.seed(seed) added; zero biases created because the interface names them;
# - feedforward() -> forward(); backprop() -> backward(), which the source leaves after computing
#   d_weights2: d_weights1 and both updates written in the source's own style (as the tutorial
#   it follows does);
# - the pandas demo at the end removed.
import numpy as np

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_LABELS = np.array([[0], [1], [1], [0]], dtype=float)


def sigmoid(x):
    return 1/(1+np.exp(-x))


def sigmoid_derivative(x):
    return sigmoid(x)*(1-sigmoid(x))


class MLP:
    def __init__(self, input_size, hidden_size, output_size, learning_rate=1.0, seed=None):
        np.random.seed(seed)
        self.weights_input_hidden = np.random.rand(input_size, hidden_size)
        self.weights_hidden_output = np.random.rand(hidden_size, output_size)
        self.bias_hidden = np.zeros(hidden_size)
        self.bias_output = np.zeros(output_size)
        self.learning_rate = learning_rate

    def forward(self, inputs):
        self.hidden_layer_input = np.dot(inputs, self.weights_input_hidden)
        self.hidden_layer_output = sigmoid(self.hidden_layer_input)
        self.output_layer_input = np.dot(self.hidden_layer_output, self.weights_hidden_output)
        self.output = sigmoid(self.output_layer_input)
        return self.output

    def backward(self, inputs, actual_output, predicted_output):
        d_weights2 = np.dot(self.hidden_layer_output.T, (2*(actual_output - predicted_output)
                                                         * sigmoid_derivative(predicted_output)))
        d_weights1 = np.dot(inputs.T, np.dot(2*(actual_output - predicted_output) * sigmoid_derivative(predicted_output),
                                             self.weights_hidden_output.T) * sigmoid_derivative(self.hidden_layer_output))
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


def train_xor(seed=0):
    network = MLP(2, 4, 1, seed=seed)
    network.train(XOR_INPUTS, XOR_LABELS, epochs=1500)
    return network
