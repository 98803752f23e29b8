# Origin: github.com/DantrazTrev/Neural-Networks, backpropogation.py (Michael Nielsen's
# backprop(net, x, y) for column vectors, with sigmoid_prime(z) = sigmoid(z) * (1 - sigmoid(z)),
# and the book's update_mini_batch: w - (eta / len(mini_batch)) * nabla_w).
# Adapted to solutions/mlp.py's interface. Changes:
# - net.weights/net.biases for two layers are the interface's arrays: w = weights.T (the book's
#   (out, in) layout) and b = bias.reshape(-1, 1) (the book's columns) where they are used;
# - backward() runs backprop for every sample (a column x) and applies the book's mini-batch
#   update with eta = self.learning_rate, writing the result back through the interface's arrays;
# - forward() is the book's feedforward per sample, keeping the four arrays the interface names;
#   sigmoid_prime is also exported as sigmoid_derivative, its role in the interface.
import numpy as np

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_LABELS = np.array([[0], [1], [1], [0]], dtype=float)


def sigmoid(z):
    return 1.0/(1.0+np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z)*(1-sigmoid(z))


sigmoid_derivative = sigmoid_prime


class MLP:
    def __init__(self, input_size, hidden_size, output_size, learning_rate=3.0, seed=None):
        np.random.seed(seed)
        self.weights_input_hidden = np.random.randn(hidden_size, input_size).T.copy()
        self.weights_hidden_output = np.random.randn(output_size, hidden_size).T.copy()
        self.bias_hidden = np.random.randn(hidden_size)
        self.bias_output = np.random.randn(output_size)
        self.learning_rate = learning_rate

    def _layers(self):
        return [(self.bias_hidden.reshape(-1, 1), self.weights_input_hidden.T),
                (self.bias_output.reshape(-1, 1), self.weights_hidden_output.T)]

    def forward(self, inputs):
        rows = np.atleast_2d(inputs)
        zs, activations = [[], []], [[], []]
        for x in rows:
            a = x.reshape(-1, 1)
            for layer, (b, w) in enumerate(self._layers()):
                z = np.dot(w, a) + b
                a = sigmoid(z)
                zs[layer].append(z.ravel())
                activations[layer].append(a.ravel())
        single = np.ndim(inputs) == 1
        pick = (lambda values: np.array(values[0])) if single else np.array
        self.hidden_layer_input, self.output_layer_input = pick(zs[0]), pick(zs[1])
        self.hidden_layer_output, self.output = pick(activations[0]), pick(activations[1])
        return self.output

    def backprop(self, x, y):
        layers = self._layers()
        nabla_b = [np.zeros(b.shape) for b, _ in layers]
        nabla_w = [np.zeros(w.shape) for _, w in layers]
        activation = x
        activations = [x]
        zs = []
        for b, w in layers:
            z = np.dot(w, activation)+b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        delta = (activations[-1] - y) * sigmoid_prime(zs[-1])
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        z = zs[-2]
        sp = sigmoid_prime(z)
        delta = np.dot(layers[-1][1].transpose(), delta) * sp
        nabla_b[-2] = delta
        nabla_w[-2] = np.dot(delta, activations[-3].transpose())
        return nabla_b, nabla_w

    def backward(self, inputs, actual_output, predicted_output):
        layers = self._layers()
        nabla_b = [np.zeros(b.shape) for b, _ in layers]
        nabla_w = [np.zeros(w.shape) for _, w in layers]
        for x, y in zip(inputs, actual_output):
            delta_nabla_b, delta_nabla_w = self.backprop(x.reshape(-1, 1), y.reshape(-1, 1))
            nabla_b = [nb+dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw+dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        eta = self.learning_rate
        weights = [w-(eta/len(inputs))*nw for (_, w), nw in zip(layers, nabla_w)]
        biases = [b-(eta/len(inputs))*nb for (b, _), nb in zip(layers, nabla_b)]
        self.weights_input_hidden, self.weights_hidden_output = weights[0].T, weights[1].T
        self.bias_hidden, self.bias_output = biases[0].ravel(), biases[1].ravel()

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
    network = MLP(2, 4, 1, learning_rate=3.0, seed=seed)
    network.train(XOR_INPUTS, XOR_LABELS, epochs=2000)
    return network
