# Origin: github.com/Dinesh-Prabhu-byte/Machine-learning-, experiment4.py (XOR lab script:
# wh/bh/wo/bo, uniform weights, (1, H) and (1, K) biases updated with keepdims=True, rate 0.5).
# Adapted to solutions/mlp.py's interface. Changes:
# - the loop body split into MLP.forward() and MLP.backward(); wh/bh/wo/bo kept as local
#   names, stored under the interface's names; hidden_input/final_input/output stored on self;
# - np.random.seed(1) became np.random.seed(seed); learning_rate = 0.5 is the default rate;
# - train() and train_xor() wrap the source's 10000-epoch loop.
import numpy as np

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_LABELS = np.array([[0], [1], [1], [0]], dtype=float)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_derivative(x):
    return x * (1 - x)


class MLP:
    def __init__(self, input_size, hidden_size, output_size, learning_rate=0.5, seed=None):
        np.random.seed(seed)
        self.weights_input_hidden = np.random.uniform(size=(input_size, hidden_size))
        self.bias_hidden = np.random.uniform(size=(1, hidden_size))
        self.weights_hidden_output = np.random.uniform(size=(hidden_size, output_size))
        self.bias_output = np.random.uniform(size=(1, output_size))
        self.learning_rate = learning_rate

    def forward(self, inputs):
        wh, bh = self.weights_input_hidden, self.bias_hidden
        wo, bo = self.weights_hidden_output, self.bias_output
        self.hidden_layer_input = np.dot(inputs, wh) + bh
        self.hidden_layer_output = sigmoid(self.hidden_layer_input)
        self.output_layer_input = np.dot(self.hidden_layer_output, wo) + bo
        self.output = sigmoid(self.output_layer_input)
        return self.output

    def backward(self, inputs, actual_output, predicted_output):
        wh, bh = self.weights_input_hidden, self.bias_hidden
        wo, bo = self.weights_hidden_output, self.bias_output
        learning_rate = self.learning_rate
        error = actual_output - predicted_output
        d_output = error * sigmoid_derivative(predicted_output)
        error_hidden = d_output.dot(wo.T)
        d_hidden = error_hidden * sigmoid_derivative(self.hidden_layer_output)
        wo += self.hidden_layer_output.T.dot(d_output) * learning_rate
        bo += np.sum(d_output, axis=0, keepdims=True) * learning_rate
        wh += inputs.T.dot(d_hidden) * learning_rate
        bh += np.sum(d_hidden, axis=0, keepdims=True) * learning_rate

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
    network = MLP(2, 2, 1, learning_rate=0.5, seed=seed)
    network.train(XOR_INPUTS, XOR_LABELS, epochs=10000)
    return network
