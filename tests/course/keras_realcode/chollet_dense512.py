# Origin: https://github.com/cchangcs/ai_learning_record/blob/master/keras/test9.py
# (the Deep Learning with Python MNIST example: Dense(512) relu, rmsprop, reshape((60000, 28 * 28))).
# Changes, the least glue to fit the exercise's contract:
# - the script's steps are split into load_mnist(), build_model(hidden_units) and train_model();
# - Dense(512) -> Dense(hidden_units) with hidden_units=512 as the default;
# - labels stay integers (to_categorical dropped), so loss 'categorical_crossentropy' ->
#   'sparse_categorical_crossentropy', as the contract asks;
# - fit(..., verbose=0), epochs and batch_size passed on, its History returned;
# - the evaluate/print lines at the end are dropped.
from keras.datasets import mnist
from keras.models import Sequential
from keras.layers import Dense


def load_mnist():
    (train_images, train_labels), (test_images, test_labels) = mnist.load_data()
    train_images = train_images.reshape((60000, 28 * 28))
    train_images = train_images.astype('float32') / 255

    test_images = test_images.reshape((10000, 28 * 28))
    test_images = test_images.astype('float32') / 255
    return (train_images, train_labels), (test_images, test_labels)


def build_model(hidden_units=512):
    model = Sequential()
    model.add(Dense(hidden_units, activation='relu', input_shape=(28 * 28, )))
    model.add(Dense(10, activation='softmax'))

    model.compile(optimizer='rmsprop',
                  loss='sparse_categorical_crossentropy',
                  metrics=['accuracy'])
    return model


def train_model(model, train_images, train_labels, epochs=5, batch_size=128):
    return model.fit(train_images, train_labels, epochs=epochs, batch_size=batch_size, verbose=0)
