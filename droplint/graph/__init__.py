"""The neutral model graph every reader produces: nodes, the tensors between them, and nesting."""

from droplint.graph.model import Graph, Node, Tensor

__all__ = ["Graph", "Node", "Tensor"]
