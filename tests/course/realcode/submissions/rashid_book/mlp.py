# Origin: github.com/wangfuli217/study_room, machine_learning/neural_network/recognize_character/nn.py
# (Tariq Rashid's "Make Your Own Neural Network": wih (hidden, inputs) and who (outputs, hidden)
# from normal(0, nodes ** -0.5), scipy.special.expit, no biases, columns of samples, and
# who += lr * dot(errors * final * (1 - final), hidden.T)).
# Adapted to solutions/mlp.py's interface. Changes:
# - wih/who are the transposes of weights_input_hidden/weights_hidden_output (the interface's
#   (D, H), (H, K) layout), used through .T; numpy.random.seed(seed) added;
# - query() -> forward(), on inputs.T (the book's columns), caching the four arrays transposed
#   back; train() -> backward(), with the activations cached by forward();
# - scipy is not in the course's requirements, so the book's activation_function (expit) is
#   written as its formula, 1 / (1 + exp(-x)); sigmoid_derivative is the book's inline
#   final_outputs * (1.0 - final_outputs), as a function; zero biases created because the
#   interface names them (the book has none).
import numpy

XOR_INPUTS = numpy.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_LABELS = numpy.array([[0], [1], [1], [0]], dtype=float)


def sigmoid(x):
    return 1 / (1 + numpy.exp(-x))


def sigmoid_derivative(outputs):
    return outputs * (1.0 - outputs)


class MLP:
    def __init__(self, input_size, hidden_size, output_size, learning_rate=0.3, seed=None):
        numpy.random.seed(seed)
        self.inodes, self.hnodes, self.onodes = input_size, hidden_size, output_size
        wih = numpy.random.normal(0.0, pow(self.hnodes, -0.5), (self.hnodes, self.inodes))
        who = numpy.random.normal(0.0, pow(self.onodes, -0.5), (self.onodes, self.hnodes))
        self.weights_input_hidden, self.weights_hidden_output = wih.T.copy(), who.T.copy()
        self.bias_hidden = numpy.zeros(hidden_size)
        self.bias_output = numpy.zeros(output_size)
        self.learning_rate = learning_rate

    def forward(self, inputs):
        inputs = numpy.array(inputs, ndmin=2).T
        hidden_inputs = numpy.dot(self.weights_input_hidden.T, inputs)
        hidden_outputs = sigmoid(hidden_inputs)
        final_inputs = numpy.dot(self.weights_hidden_output.T, hidden_outputs)
        final_outputs = sigmoid(final_inputs)
        self.hidden_layer_input, self.hidden_layer_output = hidden_inputs.T, hidden_outputs.T
        self.output_layer_input, self.output = final_inputs.T, final_outputs.T
        return self.output

    def backward(self, inputs, actual_output, predicted_output):
        inputs = numpy.array(inputs, ndmin=2).T
        targets = numpy.array(actual_output, ndmin=2).T
        hidden_outputs = self.hidden_layer_output.T
        final_outputs = numpy.array(predicted_output, ndmin=2).T
        output_errors = targets - final_outputs
        hidden_errors = numpy.dot(self.weights_hidden_output, output_errors)
        self.weights_hidden_output += (self.learning_rate * numpy.dot(
            output_errors * sigmoid_derivative(final_outputs), numpy.transpose(hidden_outputs))).T
        self.weights_input_hidden += (self.learning_rate * numpy.dot(
            hidden_errors * sigmoid_derivative(hidden_outputs), numpy.transpose(inputs))).T

    def train(self, inputs, labels, epochs=10000):
        losses = []
        for _ in range(epochs):
            output = self.forward(inputs)
            losses.append(0.5 * float(numpy.sum((labels - output) ** 2)))
            self.backward(inputs, labels, output)
        return losses

    def predict(self, inputs):
        return self.forward(inputs)


def train_xor(seed=0):
    network = MLP(2, 8, 1, learning_rate=0.3, seed=seed)
    network.train(XOR_INPUTS, XOR_LABELS, epochs=10000)
    return network
