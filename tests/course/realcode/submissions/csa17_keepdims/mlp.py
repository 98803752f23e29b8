# Origin: github.com/Gopikrish2511j/CSA17-AI, NeuralNetwork.py (XOR script: uniform weights and
# (1, H) / (1, K) biases, bias updates by np.sum(..., axis=0, keepdims=True), learning rate 0.1).
# Adapted to solutions/mlp.py's interface. Changes:
# - the loop body split into MLP.forward() and MLP.backward(); hidden_weights/hidden_bias/
#   output_weights/output_bias renamed to the interface's names, final_input/predicted_output
#   to output_layer_input/output;
# - np.random.seed(42) became np.random.seed(seed); the learning rate is self.learning_rate;
# - train() and train_xor() wrap the source's 10000-epoch loop.
import numpy as np

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_LABELS = np.array([[0], [1], [1], [0]], dtype=float)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_derivative(x):
    return x * (1 - x)


class MLP:
    def __init__(self, input_size, hidden_size, output_size, learning_rate=0.1, seed=None):
        np.random.seed(seed)
        self.weights_input_hidden = np.random.uniform(size=(input_size, hidden_size))
        self.bias_hidden = np.random.uniform(size=(1, hidden_size))
        self.weights_hidden_output = np.random.uniform(size=(hidden_size, output_size))
        self.bias_output = np.random.uniform(size=(1, output_size))
        self.learning_rate = learning_rate

    def forward(self, inputs):
        self.hidden_layer_input = np.dot(inputs, self.weights_input_hidden) + self.bias_hidden
        self.hidden_layer_output = sigmoid(self.hidden_layer_input)
        self.output_layer_input = np.dot(self.hidden_layer_output, self.weights_hidden_output) + self.bias_output
        self.output = sigmoid(self.output_layer_input)
        return self.output

    def backward(self, inputs, actual_output, predicted_output):
        error = actual_output - predicted_output
        d_predicted_output = error * sigmoid_derivative(predicted_output)
        error_hidden_layer = d_predicted_output.dot(self.weights_hidden_output.T)
        d_hidden_layer = error_hidden_layer * sigmoid_derivative(self.hidden_layer_output)
        self.weights_hidden_output += self.hidden_layer_output.T.dot(d_predicted_output) * self.learning_rate
        self.bias_output += np.sum(d_predicted_output, axis=0, keepdims=True) * self.learning_rate
        self.weights_input_hidden += inputs.T.dot(d_hidden_layer) * self.learning_rate
        self.bias_hidden += np.sum(d_hidden_layer, axis=0, keepdims=True) * self.learning_rate

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
    network = MLP(2, 2, 1, learning_rate=0.1, seed=seed)
    network.train(XOR_INPUTS, XOR_LABELS, epochs=10000)
    return network
