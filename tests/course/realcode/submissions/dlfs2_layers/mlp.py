# Origin: github.com/2j2h5/my-deep-learning-from-scratch-2, common/layers.py (the book "Deep
# Learning from Scratch 2": Affine and Sigmoid layers with forward()/backward(), (H,) biases,
# db = np.sum(dout, axis=0), grads written in place; its SGD steps params[i] -= lr * grads[i]),
# and github.com/tadashigoto/dl2, p043tow_layer_net.py (TwoLayerNet: Affine, Sigmoid, Affine,
# W = 0.01 * randn, b = zeros).
# Adapted to solutions/mlp.py's interface. Changes:
# - TwoLayerNet's layers become Affine, Sigmoid, Affine, Sigmoid (the interface's sigmoid output)
#   and its SoftmaxWithLoss the interface's loss 1/2 * sum((y - output)**2), whose gradient
#   (output - y) is the dout backward() starts from; 0.01 * randn became randn (0.01 is too small
#   to learn XOR), drawn after np.random.seed(seed);
# - the layers are rebuilt from the interface's attributes in forward(), and in backward() from
#   the arrays forward() caches (x of each Affine, out of each Sigmoid); the SGD step is applied
#   to the interface's arrays in place;
# - sigmoid() is the book's common/functions.py sigmoid; sigmoid_derivative(a) is the factor
#   Sigmoid.backward() multiplies by, (1.0 - a) * a.
import numpy as np

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_LABELS = np.array([[0], [1], [1], [0]], dtype=float)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_derivative(a):
    return (1.0 - a) * a


class Sigmoid:
    def __init__(self):
        self.params = []
        self.grads = []
        self.out = None

    def forward(self, x):
        out = sigmoid(x)
        self.out = out
        return out

    def backward(self, dout):
        dx = dout * sigmoid_derivative(self.out)
        return dx


class Affine:
    def __init__(self, W, b):
        self.params = [W, b]
        self.grads = [np.zeros_like(W), np.zeros_like(b)]
        self.x = None

    def forward(self, x):
        W, b = self.params
        out = np.matmul(x, W) + b
        self.x = x
        return out

    def backward(self, dout):
        W, b = self.params
        dx = np.matmul(dout, W.T)
        dW = np.matmul(self.x.T, dout)
        db = np.sum(dout, axis=0)

        self.grads[0][...] = dW
        self.grads[1][...] = db
        return dx


class MLP:
    def __init__(self, input_size, hidden_size, output_size, learning_rate=1.0, seed=None):
        np.random.seed(seed)
        I, H, O = input_size, hidden_size, output_size
        self.weights_input_hidden = np.random.randn(I, H)
        self.bias_hidden = np.zeros(H)
        self.weights_hidden_output = np.random.randn(H, O)
        self.bias_output = np.zeros(O)
        self.learning_rate = learning_rate

    def _layers(self):
        return [Affine(self.weights_input_hidden, self.bias_hidden), Sigmoid(),
                Affine(self.weights_hidden_output, self.bias_output), Sigmoid()]

    def forward(self, inputs):
        layers = self._layers()
        self.hidden_layer_input = layers[0].forward(inputs)
        self.hidden_layer_output = layers[1].forward(self.hidden_layer_input)
        self.output_layer_input = layers[2].forward(self.hidden_layer_output)
        self.output = layers[3].forward(self.output_layer_input)
        return self.output

    def backward(self, inputs, actual_output, predicted_output):
        layers = self._layers()
        layers[0].x, layers[1].out = inputs, self.hidden_layer_output
        layers[2].x, layers[3].out = self.hidden_layer_output, predicted_output
        dout = predicted_output - actual_output
        for layer in reversed(layers):
            dout = layer.backward(dout)
        params, grads = [], []
        for layer in layers:
            params += layer.params
            grads += layer.grads
        for i in range(len(params)):
            params[i] -= self.learning_rate * grads[i]

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
    network = MLP(2, 8, 1, learning_rate=2.0, seed=seed)
    network.train(XOR_INPUTS, XOR_LABELS, epochs=1000)
    return network
