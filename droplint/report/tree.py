"""`droplint MODEL --tree`: the picture's map as a compact rich Tree in the terminal.

Boxes in series stay at one level; a fork nests its side branches under the box it leaves, and
the longest branch carries on at the same level. A box with more than one input names the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from rich.padding import Padding

from droplint.picture.scene import Box, Scene, build_scene
from droplint.report import Run
from droplint.report.plain import console
from droplint.report.text import (
    STYLE,
    baseline_line,
    failure,
    finding_line,
    findings_only,
    header,
    summary_line,
)

if TYPE_CHECKING:
    from rich.text import Text
    from rich.tree import Tree

LINE_STYLE = {
    "drop": "dark_orange",
    "gate": "magenta",
    "attention": "green",
    "off": "dim strike",
    "alert": "bold red",
}


def render(run: Run, out: TextIO) -> None:
    """Print every report as a tree, then one line per finding and a summary. The reports must
    keep their graphs (droplint.batch.analyze_all(..., keep_graph=True))."""
    with console(out) as con:
        if run.quiet:
            findings_only(con, run.reports)
            return
        for report in run.reports:
            con.print(header(report), soft_wrap=True)
            if not failure(con, report):
                assert report.graph is not None, "the tree is drawn from the report's graph"
                con.print(Padding(tree(build_scene(report)), (0, 0, 0, 2), expand=False))
                for f in report.findings:
                    con.print(finding_line(f), soft_wrap=True)
            con.print()
        con.print(summary_line(run.reports))
        if run.baseline is not None:
            con.print(baseline_line(run.baseline))


def tree(scene: Scene) -> Tree:
    from rich.tree import Tree

    root = Tree("model", guide_style="dim", hide_root=True)
    _Layout(scene).add_all(root)
    return root


class _Layout:
    """Which box hangs under which: every box under its longest input."""

    def __init__(self, scene: Scene) -> None:
        self.scene = scene
        order = list(scene.boxes)
        index = {b: i for i, b in enumerate(order)}
        self.preds: dict[str, list[str]] = {b: [] for b in order}
        for link in scene.links:
            self.preds[link.dst].append(link.src)
        depth: dict[str, int] = {}
        for b in order:  # longest path from a source
            depth[b] = 1 + max((depth[p] for p in self.preds[b]), default=0)
        self.parent = {
            b: max(p, key=lambda q: (depth[q], index[q])) for b, p in self.preds.items() if p
        }
        self.children: dict[str, list[str]] = {b: [] for b in order}
        for b in order:
            if b in self.parent:
                self.children[self.parent[b]].append(b)
        self.size: dict[str, int] = {}
        for b in reversed(order):
            self.size[b] = 1 + sum(self.size[c] for c in self.children[b])
        self.labels = {(k.src, k.dst): k.label for k in scene.links}
        self.order = order

    def add_all(self, root: Tree) -> None:
        for b in self.order:
            if b not in self.parent:
                self.chain(root, b)

    def chain(self, at: Tree, b: str | None) -> None:
        """Add b and the boxes in series after it at one level; side branches nest."""
        while b is not None:
            item = at.add(self.label(self.scene.boxes[b]))
            kids = sorted(self.children[b], key=self.size.__getitem__)
            for side in kids[:-1]:
                self.chain(item, side)
            b = kids[-1] if kids else None

    def label(self, box: Box) -> Text:
        from rich.text import Text

        text = Text()
        if box.kind == "group":
            span = f"  {box.lines[0].text}" if box.lines else ""
            text.append(f"{box.title}{span}", style="dim")
        else:
            text.append(box.title, style="bold")
            text.append(f"  {box.subtitle}", style="dim")
        for f in box.findings:
            text.append(f"  {f.code}", style=STYLE[f.severity])
        if box.output:
            text.append("  → output", style="dim")
        preds = self.preds[box.id]
        rates = [r for r in (self.labels.get((p, box.id)) for p in preds) if r]
        if rates:
            text.append(f"  ← {rates[0]}", style="dark_orange")
        others = [p for p in preds if p != self.parent.get(box.id)]
        if others:
            names = ", ".join(_name(self.scene.boxes[p]) for p in others)
            text.append(f"  (also from {names})", style="dim")
        if box.kind != "group":
            for ln in box.lines:
                if ln.text.startswith("  "):  # a site's second line: the masks
                    text.append(f" · {ln.text.strip()}", style="dim")
                else:
                    text.append(f"\n  {ln.text}", style=LINE_STYLE.get(ln.style, "dim"))
        return text


def _name(box: Box) -> str:
    return f"{box.members[0].id} … ({len(box.members)} layers)" if box.kind == "group" else box.id
