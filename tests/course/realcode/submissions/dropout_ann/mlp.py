# Origin: github.com/ARUNAGIRINATHAN-K/neural-networks-from-scratch-math-projects,
# 09_dropout_regularization/dropout_ann.py (XOR with inverted dropout on the hidden layer,
# randn weights, (1, H) / (1, K) zero biases, mean squared error, rate 0.1).
# Adapted to solutions/mlp.py's interface. Changes:
# - the loop body split into MLP.forward() (up to a2) and MLP.backward() (from dL_da2);
#   W1/b1/W2/b2 stored under the interface's names, z1/a1/z2/a2 as the four cached arrays;
#   the dropout mask is kept on self so that backward() can reuse it, as the loop did;
# - np.random.seed(42) became np.random.seed(seed); lr is self.learning_rate;
# - the loss print removed; train() and train_xor() wrap the source's 10000-epoch loop.
import numpy as np

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_LABELS = np.array([[0], [1], [1], [0]], dtype=float)
DROPOUT_RATE = 0.5


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_derivative(sig):
    return sig * (1 - sig)


class MLP:
    def __init__(self, input_size, hidden_size, output_size, learning_rate=0.1, seed=None):
        np.random.seed(seed)
        self.weights_input_hidden = np.random.randn(input_size, hidden_size)
        self.bias_hidden = np.zeros((1, hidden_size))
        self.weights_hidden_output = np.random.randn(hidden_size, output_size)
        self.bias_output = np.zeros((1, output_size))
        self.learning_rate = learning_rate

    def forward(self, inputs):
        z1 = np.dot(inputs, self.weights_input_hidden) + self.bias_hidden
        a1 = sigmoid(z1)
        self.dropout_mask = (np.random.rand(*a1.shape) > DROPOUT_RATE).astype(float)
        a1 *= self.dropout_mask
        a1 /= (1.0 - DROPOUT_RATE)
        z2 = np.dot(a1, self.weights_hidden_output) + self.bias_output
        a2 = sigmoid(z2)
        self.hidden_layer_input, self.hidden_layer_output = z1, a1
        self.output_layer_input, self.output = z2, a2
        return a2

    def backward(self, inputs, actual_output, predicted_output):
        a1, a2, y = self.hidden_layer_output, predicted_output, actual_output
        dL_da2 = 2 * (a2 - y)
        d_a2_z2 = sigmoid_derivative(a2)
        dL_dz2 = dL_da2 * d_a2_z2
        dL_dW2 = np.dot(a1.T, dL_dz2)
        dL_db2 = np.sum(dL_dz2, axis=0, keepdims=True)
        dL_da1 = np.dot(dL_dz2, self.weights_hidden_output.T)
        dL_da1 *= self.dropout_mask
        d_a1_z1 = sigmoid_derivative(a1)
        dL_dz1 = dL_da1 * d_a1_z1
        dL_dW1 = np.dot(inputs.T, dL_dz1)
        dL_db1 = np.sum(dL_dz1, axis=0, keepdims=True)
        lr = self.learning_rate
        self.weights_hidden_output -= lr * dL_dW2
        self.bias_output -= lr * dL_db2
        self.weights_input_hidden -= lr * dL_dW1
        self.bias_hidden -= lr * dL_db1

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
    network = MLP(2, 4, 1, learning_rate=0.1, seed=seed)
    network.train(XOR_INPUTS, XOR_LABELS, epochs=10000)
    return network
