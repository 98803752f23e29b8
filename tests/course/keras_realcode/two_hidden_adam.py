# Origin: https://github.com/uniparthenope-fgpe/9bdc98a6-095a-4765-ad00-9f054bde8633/blob/master/exercises/7fcfc764-f22a-4632-b304-16268864ffcf/solutions/1f9a9d43-7998-4fc3-b53f-b1e0f58b76d9/solution.py
# (a course exercise's solution: Dense(256) relu with input_shape, Dense(128) relu, Dense(10) softmax,
# Adam(), reshape(60000, 784).astype('float32') / 255).
# Changes, the least glue to fit the exercise's contract:
# - the script's steps are split into load_mnist(), build_model(hidden_units) and train_model();
# - Dense(256) -> Dense(hidden_units) with hidden_units=256 as the default;
# - labels stay integers (to_categorical dropped), so loss 'categorical_crossentropy' ->
#   'sparse_categorical_crossentropy', as the contract asks;
# - fit(..., verbose=0) without validation_data, epochs and batch_size passed on, its History returned.
import keras
from keras.datasets import mnist
from keras.models import Sequential
from keras.layers import Dense
from keras.optimizers import Adam


def load_mnist():
    (x_train, y_train), (x_test, y_test) = mnist.load_data()

    x_train = x_train.reshape(60000, 784).astype('float32') / 255
    x_test = x_test.reshape(10000, 784).astype('float32') / 255
    return (x_train, y_train), (x_test, y_test)


def build_model(hidden_units=256):
    model = Sequential()
    model.add(Dense(hidden_units, activation='relu', input_shape=(784,)))
    model.add(Dense(128, activation='relu'))
    model.add(Dense(10, activation='softmax'))

    model.compile(loss='sparse_categorical_crossentropy', optimizer=Adam(), metrics=['accuracy'])
    return model


def train_model(model, x_train, y_train, epochs=10, batch_size=128):
    return model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=0)
