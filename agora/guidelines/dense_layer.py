"""A dense layer with a ReLU, ``relu(x @ weights + bias)``, run by onnxruntime.

The guideline heads' first layer multiplies a comment's two or three rows (itself and its
sentences) by a 384 × 2,304 matrix. NumPy hands that to OpenBLAS, which repacks the whole
matrix for every product of more than one row: three rows took 0.26 ms where one took
0.05 ms. onnxruntime packs a constant matrix once, when the session starts, and then takes
about 0.06 ms for three rows; inside the engine the median verdict fell by 0.1-0.4 ms
(docs/guidelines.md, "Speed"). The results agree with NumPy's to float32 rounding.

onnxruntime reads a model as an ONNX protocol buffer. The ``onnx`` package that usually
writes one is not a dependency of the engine, so this module writes the few messages a
MatMul, Add and Relu graph needs, with the field numbers of onnx.proto, and nothing else.

onnxruntime is not fork-safe (agora/wsgi.py), so a layer's session must start in the process
that runs it: the heads build theirs on the first comment a process scores, never at load.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from agora.guidelines.onnx_session import cpu_session

#: ONNX IR version and default-domain opset of the written model; onnxruntime 1.18 reads both.
IR_VERSION = 8
OPSET = 17
#: TensorProto.DataType of float32.
FLOAT = 1


class DenseLayer:
    """``relu(x @ weights + bias)`` for float32 rows ``x``; weights (inputs, outputs)."""

    def __init__(self, weights: np.ndarray, bias: np.ndarray):
        if weights.ndim != 2 or bias.shape != (weights.shape[1],):
            raise ValueError("weights must be (inputs, outputs) and bias (outputs,)")
        self.inputs = weights.shape[0]
        self._session: Any = cpu_session(dense_relu_model(weights, bias))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        rows = np.ascontiguousarray(x, dtype=np.float32)
        if rows.ndim != 2 or rows.shape[1] != self.inputs:
            raise ValueError(f"expected rows of {self.inputs} values, got shape {x.shape}")
        out: np.ndarray = self._session.run(None, {"x": rows})[0]
        return out


def dense_relu_model(weights: np.ndarray, bias: np.ndarray) -> bytes:
    """A serialised ONNX model computing ``y = relu(x @ weights + bias)``, float32, for any
    number of rows ``x``."""
    inputs, outputs = weights.shape
    graph = b"".join(
        [
            _message(1, _node("MatMul", ["x", "weights"], ["product"])),
            _message(1, _node("Add", ["product", "bias"], ["sum"])),
            _message(1, _node("Relu", ["sum"], ["y"])),
            _message(2, b"dense_relu"),
            _message(5, _tensor("weights", weights)),
            _message(5, _tensor("bias", bias)),
            _message(11, _value_info("x", ("rows", inputs))),
            _message(12, _value_info("y", ("rows", outputs))),
        ]
    )
    opset = _integer(2, OPSET)  # OperatorSetIdProto: the default domain, so no domain field
    return _integer(1, IR_VERSION) + _message(8, opset) + _message(7, graph)


def _node(op_type: str, inputs: list[str], outputs: list[str]) -> bytes:
    """NodeProto: input (1), output (2), op_type (4)."""
    return b"".join(
        [
            *(_message(1, name.encode()) for name in inputs),
            *(_message(2, name.encode()) for name in outputs),
            _message(4, op_type.encode()),
        ]
    )


def _tensor(name: str, array: np.ndarray) -> bytes:
    """TensorProto of float32 values: dims (1), data_type (2), name (8), raw_data (9),
    little-endian as ONNX stores raw data."""
    values = np.ascontiguousarray(array, dtype="<f4")
    return b"".join(
        [
            *(_integer(1, size) for size in values.shape),
            _integer(2, FLOAT),
            _message(8, name.encode()),
            _message(9, values.tobytes()),
        ]
    )


def _value_info(name: str, dims: tuple[str | int, ...]) -> bytes:
    """ValueInfoProto of a float32 tensor: name (1), type (2), a TypeProto whose
    tensor_type (1) has elem_type (1) and shape (2); each dimension (1) is a size
    (dim_value, 1) or a name (dim_param, 2)."""
    shape = b"".join(
        _message(1, _integer(1, dim) if isinstance(dim, int) else _message(2, dim.encode()))
        for dim in dims
    )
    tensor_type = _integer(1, FLOAT) + _message(2, shape)
    return _message(1, name.encode()) + _message(2, _message(1, tensor_type))


def _integer(field: int, value: int) -> bytes:
    """A varint field (wire type 0); every integer written here is non-negative."""
    return _varint(field << 3) + _varint(value)


def _message(field: int, payload: bytes) -> bytes:
    """A length-delimited field (wire type 2): a string, bytes or a nested message."""
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def _varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)
