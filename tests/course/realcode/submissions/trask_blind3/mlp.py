# Origin: github.com/paulhendricks/python-machine-learning, ch-01/07-NeuralNetwork-blind-3.py
# (the "11-line" XOR network: two weight matrices, no biases, no learning rate).
# Adapted to solutions/mlp.py's interface. Changes:
# - the loop body split into sigmoid(), sigmoid_derivative(), MLP.forward() and MLP.backward();
#   synapse_0/synapse_1 renamed weights_input_hidden/weights_hidden_output, layer_1/layer_2
#   renamed hidden_layer_output/output (with the pre-activations kept as the interface asks);
# - 2 * np.random.random(...) - 1 drawn after np.random.seed(seed); zero biases created
#   because the interface names them (the source has none, and forward/backward ignore them);
# - train() and train_xor() wrap the source's 10000-epoch loop.
import numpy as np

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_LABELS = np.array([[0], [1], [1], [0]], dtype=float)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_derivative(a):
    return a * (1 - a)


class MLP:
    def __init__(self, input_size, hidden_size, output_size, learning_rate=1.0, seed=None):
        np.random.seed(seed)
        self.weights_input_hidden = 2 * np.random.random((input_size, hidden_size)) - 1
        self.weights_hidden_output = 2 * np.random.random((hidden_size, output_size)) - 1
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
        layer_2_delta = (actual_output - predicted_output) * sigmoid_derivative(predicted_output)
        layer_1_delta = np.dot(layer_2_delta, self.weights_hidden_output.T) * sigmoid_derivative(self.hidden_layer_output)
        self.weights_input_hidden += np.dot(inputs.T, layer_1_delta)
        self.weights_hidden_output += np.dot(self.hidden_layer_output.T, layer_2_delta)

    def train(self, inputs, labels, epochs=10000):
        losses = []
        for _ in range(epochs):
            output = self.forward(inputs)
            losses.append(0.5 * float(np.sum((labels - output) ** 2)))
            self.backward(inputs, labels, output)
        return losses

    def predict(self, inputs):
        return self.forward(inputs)


def train_xor(seed=0):
    network = MLP(2, 10, 1, seed=seed)
    network.train(XOR_INPUTS, XOR_LABELS, epochs=10000)
    return network
