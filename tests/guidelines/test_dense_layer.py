import numpy as np
import pytest

from agora.guidelines.dense_layer import DenseLayer, dense_relu_model


@pytest.mark.parametrize("rows", [1, 3, 300])
def test_the_layer_computes_what_numpy_does(rows):
    rng = np.random.default_rng(rows)
    weights = rng.standard_normal((384, 200)).astype(np.float32)
    bias = rng.standard_normal(200).astype(np.float32)
    x = rng.standard_normal((rows, 384)).astype(np.float32)

    out = DenseLayer(weights, bias)(x)

    expected = np.maximum(x @ weights + bias, 0.0)
    assert out.shape == (rows, 200) and out.dtype == np.float32
    assert np.allclose(out, expected, rtol=1e-5, atol=1e-4)
    assert (out == 0).any() and (out > 0).any()  # the ReLU cut some and kept some


def test_rows_of_float64_are_read_as_float32():
    layer = DenseLayer(np.eye(3, dtype=np.float32), np.array([0.0, -1.0, 1.0], np.float32))

    out = layer(np.array([[1.0, 2.0, -3.0]]))

    assert out.tolist() == [[1.0, 1.0, 0.0]]


def test_the_model_is_written_byte_for_byte_the_same_for_the_same_weights():
    weights = np.arange(12, dtype=np.float32).reshape(4, 3)
    bias = np.ones(3, np.float32)

    assert dense_relu_model(weights, bias) == dense_relu_model(weights.copy(), bias.copy())
    assert weights.tobytes() in dense_relu_model(weights, bias)


def test_rows_of_the_wrong_width_and_mismatched_shapes_are_refused():
    layer = DenseLayer(np.ones((4, 2), np.float32), np.zeros(2, np.float32))
    with pytest.raises(ValueError, match="rows of 4 values"):
        layer(np.ones((1, 5), np.float32))
    with pytest.raises(ValueError, match="bias"):
        DenseLayer(np.ones((4, 2), np.float32), np.zeros(3, np.float32))
