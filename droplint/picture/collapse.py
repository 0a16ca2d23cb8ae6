"""Collapse the layers the picture need not show one by one.

A plain layer (no dropout near it, no finding) joins its neighbour when that neighbour is plain
too and is its only predecessor or only successor. Contracting such an edge never makes a cycle,
and repeating it folds chains, residual blocks and squeeze-excite branches without dropout into
one group, while every layer that matters keeps a box of its own.
"""

from __future__ import annotations

import heapq

from droplint.graph import Graph, Node


def collapse(graph: Graph, nodes: list[Node], keep: set[str]) -> list[list[Node]]:
    """Groups of nodes, each drawn as one box, in topological order."""
    ids = {n.id for n in nodes}
    members: dict[str, list[Node]] = {n.id: [n] for n in nodes}
    preds: dict[str, set[str]] = {n.id: set() for n in nodes}
    succs: dict[str, set[str]] = {n.id: set() for n in nodes}
    for n in nodes:
        for t in n.inputs:
            if t.node in ids and t.node != n.id:
                preds[n.id].add(t.node)
                succs[t.node].add(n.id)
    todo = [n.id for n in nodes if n.id not in keep]
    while todo:
        g = todo.pop()
        if g not in members or g in keep:
            continue
        into = _partner(g, preds, succs, keep)
        if into is None:
            continue
        _merge(g, into, members, preds, succs)
        todo.extend([into, *preds[into], *succs[into]])
    index = {k: i for i, k in enumerate(graph.nodes)}
    for group in members.values():
        group.sort(key=lambda n: index[n.id])
    return [members[g] for g in _order(members, preds, succs, index)]


def _partner(g: str, preds: dict, succs: dict, keep: set[str]) -> str | None:
    """The plain neighbour g can join: its only predecessor, else its only successor."""
    for side in (preds[g], succs[g]):
        if len(side) == 1:
            (other,) = side
            if other not in keep:
                return other
    return None


def _merge(g: str, into: str, members: dict, preds: dict, succs: dict) -> None:
    """Contract g into its neighbour `into`."""
    members[into].extend(members.pop(g))
    for p in preds.pop(g):
        succs[p].discard(g)
        if p != into:
            succs[p].add(into)
            preds[into].add(p)
    for s in succs.pop(g):
        preds[s].discard(g)
        if s != into:
            preds[s].add(into)
            succs[into].add(s)


def _order(members: dict, preds: dict, succs: dict, index: dict[str, int]) -> list[str]:
    """Topological order of the groups, earliest graph position first among the ready ones."""
    first = {g: index[m[0].id] for g, m in members.items()}
    waiting = {g: len(p) for g, p in preds.items()}
    ready = [(first[g], g) for g, k in waiting.items() if k == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, g = heapq.heappop(ready)
        order.append(g)
        for s in succs[g]:
            waiting[s] -= 1
            if waiting[s] == 0:
                heapq.heappush(ready, (first[s], s))
    if len(order) < len(members):  # a cycle: not expected from a model graph
        placed = set(order)
        order += sorted((g for g in members if g not in placed), key=first.__getitem__)
    return order
