"""The neutral model graph every format builds: nodes, the tensors between them, and nesting."""

from droplint.graph.model import Const, Graph, Node, Operand, Shape, Tensor

__all__ = ["Const", "Graph", "Node", "Operand", "Shape", "Tensor"]
