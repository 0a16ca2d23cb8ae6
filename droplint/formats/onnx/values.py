"""The values a graph fixes: a small constant evaluator over initializers, Constant nodes and the
cheap ops exporters put between them and the node that reads them (Cast, Identity, Not,
comparisons, reshapes, elementwise arithmetic, ConstantOfShape). Every value is resolved in the
scope of the node that reads it. A graph input, an initializer a caller may override, or any
op outside this list is UNKNOWN: the evaluator never guesses."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from droplint.formats.onnx.proto import OnnxTensor
from droplint.graph import Const, Graph, Node, Operand, Tensor

ABSENT = object()  # the optional argument was left out
UNKNOWN = object()  # not a constant: a graph input or a computed value
MAX_ELEMENTS = 64  # values larger than this are not followed
MAX_DEPTH = 64  # producers followed back from one value

# TensorProto.DataType -> how an element is converted by Cast(to=...)
CASTS: dict[int, Callable[[Any], Any]] = {
    1: float, 10: float, 11: float, 16: float,
    2: int, 3: int, 4: int, 5: int, 6: int, 7: int, 12: int, 13: int,
    9: bool,
}  # fmt: skip
COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "Equal": operator.eq, "Greater": operator.gt, "Less": operator.lt,
    "GreaterOrEqual": operator.ge, "LessOrEqual": operator.le,
}  # fmt: skip
ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "Add": operator.add, "Sub": operator.sub, "Mul": operator.mul, "Div": operator.truediv,
    "And": lambda a, b: bool(a) and bool(b), "Or": lambda a, b: bool(a) or bool(b),
}  # fmt: skip
SAME_VALUES = {"Identity", "Reshape", "Squeeze", "Unsqueeze", "Flatten", "Expand"}


@dataclass(frozen=True)
class Value:
    elements: tuple[Any, ...]
    uniform: bool = False  # every element of a tensor of unknown size equals elements[0]

    @property
    def scalar(self) -> Any:
        """The one value every element has, or UNKNOWN."""
        if len(self.elements) == 1 or (self.uniform and self.elements):
            return self.elements[0]
        if self.elements and all(e == self.elements[0] for e in self.elements):
            return self.elements[0]
        return UNKNOWN


class Values:
    """The constant values of one graph, memoized per tensor."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.cache: dict[Tensor, Value | object] = {}

    def operand(self, node: Node, position: int) -> Value | object:
        """The value of node's argument at position: a Value, ABSENT or UNKNOWN."""
        found = node.operand(position)
        return ABSENT if found is None else self.of(found)

    def scalar(self, node: Node, position: int) -> Any:
        value = self.operand(node, position)
        return value if value is ABSENT or value is UNKNOWN else value.scalar  # type: ignore[union-attr]

    def of(self, operand: Operand, depth: int = 0) -> Value | object:
        if operand is None:
            return ABSENT
        if isinstance(operand, Const):
            if operand.values is None or len(operand.values) > MAX_ELEMENTS:
                return UNKNOWN
            return Value(tuple(operand.values))
        if operand not in self.cache:
            self.cache[operand] = self._compute(operand, depth)
        return self.cache[operand]

    def _compute(self, tensor: Tensor, depth: int) -> Value | object:
        node = self.graph.nodes.get(tensor.node)
        if node is None or depth > MAX_DEPTH or tensor.index != 0:
            return UNKNOWN
        if node.op in ("Constant", "ConstantOfShape"):  # their value is in their attributes
            return _apply(node, [])
        args = [self.of(node.operand(i), depth + 1) for i in range(node.arity)]
        if any(a is UNKNOWN for a in args):
            return UNKNOWN
        try:
            return _apply(node, args)
        except (TypeError, ValueError, ZeroDivisionError, OverflowError, IndexError):
            return UNKNOWN


def _apply(node: Node, args: list[Any]) -> Value | object:
    op = node.op
    if node.module not in (None, "ai.onnx") or node.kind != "layer":
        return UNKNOWN
    if op == "Constant":
        return _constant(node)
    if op == "ConstantOfShape":
        fill = node.attrs.get("value")
        values = fill.values if isinstance(fill, OnnxTensor) and fill.values else [0.0]
        return Value((values[0],), uniform=True)
    first = args[0] if args else ABSENT
    if first is ABSENT:
        return UNKNOWN
    if op in SAME_VALUES:
        return first
    if op == "Cast":
        cast = CASTS.get(node.attrs.get("to"))  # type: ignore[arg-type]
        return UNKNOWN if cast is None else _map(first, cast)
    if op == "Not":
        return _map(first, lambda v: not v)
    if op == "Neg":
        return _map(first, operator.neg)
    if op in COMPARE or op in ARITHMETIC:
        if len(args) != 2 or args[1] is ABSENT:
            return UNKNOWN
        return _pairwise(first, args[1], COMPARE.get(op) or ARITHMETIC[op])
    return UNKNOWN


def _constant(node: Node) -> Value | object:
    attrs = node.attrs
    tensor = attrs.get("value")
    if isinstance(tensor, OnnxTensor):
        return Value(tuple(tensor.values)) if tensor.values is not None else UNKNOWN
    for key in ("value_float", "value_int"):
        if isinstance(attrs.get(key), (int, float)):
            return Value((attrs[key],))
    for key in ("value_floats", "value_ints"):
        if isinstance(attrs.get(key), list) and len(attrs[key]) <= MAX_ELEMENTS:
            return Value(tuple(attrs[key]))
    return UNKNOWN


def _map(value: Value, fn: Callable[[Any], Any]) -> Value:
    return Value(tuple(fn(v) for v in value.elements), value.uniform)


def _pairwise(a: Value, b: Value, fn: Callable[[Any, Any], Any]) -> Value | object:
    """Elementwise with broadcasting of one-element (or uniform) values. Integers wrap at
    64 bits, as in the runtime: squaring a constant 64 times must not build a huge number."""
    fn = _wrapped(fn)
    if len(a.elements) == len(b.elements):
        return Value(tuple(fn(x, y) for x, y in zip(a.elements, b.elements, strict=True)),
                     a.uniform and b.uniform)  # fmt: skip
    if len(b.elements) == 1 or b.uniform:
        return Value(tuple(fn(x, b.elements[0]) for x in a.elements), a.uniform)
    if len(a.elements) == 1 or a.uniform:
        return Value(tuple(fn(a.elements[0], y) for y in b.elements), b.uniform)
    return UNKNOWN


def _wrapped(fn: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def apply(x: Any, y: Any) -> Any:
        result = fn(x, y)
        if isinstance(result, int) and not isinstance(result, bool):
            return (result + 2**63) % 2**64 - 2**63
        return result

    return apply


def scalar_operand(graph: Graph, node: Node, position: int) -> Any:
    """The one-element constant value of node's argument at position, ABSENT or UNKNOWN."""
    return Values(graph).scalar(node, position)


def scalar_value(graph: Graph, operand: Operand) -> Any:
    value = Values(graph).of(operand)
    return value if value is ABSENT or value is UNKNOWN else value.scalar  # type: ignore[union-attr]
