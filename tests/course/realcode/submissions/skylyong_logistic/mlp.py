# Origin: github.com/Skylyong/MLP_with_numpy, mlp.py (homework: one hidden layer, one output;
# per-sample forward_multilayer_perceptron, gradients averaged over the batch, MSE loss grad
# 2 * (y - t) / y.size, logistic_activation_grad(x) of the pre-activation, uniform(-1e-3, 1e-3)
# weights, (1, H) and (1, 1) biases, W_ho stored as a (1, H) row).
# Adapted to solutions/mlp.py's interface. Changes:
# - the model list [W_ih, b_ih, W_ho, b_ho, ...] became the interface's four attributes, the
#   logistic activation on both layers with the MSE loss (the homework's regression choice);
#   np.random.seed(seed) added; W_ho kept in the interface's (H, K) array;
# - forward() runs forward_multilayer_perceptron per sample and keeps the four arrays;
#   backward() is compute_gradient_multilayer_perceptron per sample, averaged as in
#   fit_multilayer_perceptron, then update_multilayer_perceptron with self.learning_rate;
# - the dataset and plotting helpers left out.
import numpy as np

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_LABELS = np.array([[0], [1], [1], [0]], dtype=float)


def mse_loss_grad(y, t):
    return 2*(y-t)/np.prod(y.shape)


def logistic_activation(x):
    return 1/(1+np.exp(-x))


def logistic_activation_grad(x):
    return logistic_activation(x)*(1-logistic_activation(x))


sigmoid = logistic_activation
sigmoid_derivative = logistic_activation_grad


class MLP:
    def __init__(self, input_size, hidden_size, output_size, learning_rate=0.1, seed=None, init_size=1e-3):
        np.random.seed(seed)
        self.weights_input_hidden = np.random.uniform(-init_size, init_size, (input_size, hidden_size))
        self.bias_hidden = np.random.uniform(-init_size, init_size, hidden_size).reshape(1, -1)
        self.weights_hidden_output = np.random.uniform(-init_size, init_size, hidden_size).reshape(-1, 1)
        self.bias_output = np.random.uniform(-init_size, init_size, 1).reshape(1, -1)
        self.learning_rate = learning_rate

    def _forward_one(self, x):
        x = x.reshape(1, -1)
        h_ih = x.dot(self.weights_input_hidden)+self.bias_hidden.reshape(1, -1)
        h = logistic_activation(h_ih)
        a = h.dot(self.weights_hidden_output.reshape(-1, 1))+self.bias_output
        y = logistic_activation(a)
        return y, a, h, h_ih

    def forward(self, inputs):
        parts = [self._forward_one(x) for x in np.atleast_2d(inputs)]
        y, a, h, h_ih = (np.vstack(column) for column in zip(*parts))
        self.hidden_layer_input, self.hidden_layer_output, self.output_layer_input, self.output = h_ih, h, a, y
        return self.output

    def _gradient_one(self, x, t):
        y, a, h, h_ih = self._forward_one(x)
        Db_ho = mse_loss_grad(y, t)*logistic_activation_grad(a)
        DW_ho = mse_loss_grad(y, t)*logistic_activation_grad(a)*h
        Db_ih = mse_loss_grad(y, t)*logistic_activation_grad(a)*self.weights_hidden_output.reshape(1, -1) \
            * logistic_activation_grad(h_ih)
        DW_ih = np.tile(Db_ih, (2, 1))*x.reshape(-1, 1)
        return DW_ih, Db_ih, DW_ho, Db_ho

    def backward(self, inputs, actual_output, predicted_output):
        Grad = [self._gradient_one(x, t) for x, t in zip(inputs, actual_output)]
        avg_grad = [Grad[0][0], Grad[0][1], Grad[0][2], Grad[0][3]]
        for g in Grad[1:]:
            for i in range(4):
                avg_grad[i] += g[i]
        for i in range(4):
            avg_grad[i] /= len(Grad)
        self.weights_input_hidden -= self.learning_rate*avg_grad[0]
        self.bias_hidden -= self.learning_rate*avg_grad[1]
        self.weights_hidden_output -= self.learning_rate*avg_grad[2].reshape(-1, 1)
        self.bias_output -= self.learning_rate*avg_grad[3]

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
    network.train(XOR_INPUTS, XOR_LABELS, epochs=3000)
    return network
