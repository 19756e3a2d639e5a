"""tmux_sensei/shapes.py is for the type checker only: it costs nothing at start-up."""

from __future__ import annotations

import ast
import subprocess
import sys

from conftest import REPO

PACKAGE = REPO / "tmux_sensei"


def _imports_of_shapes(tree: ast.AST) -> list[ast.ImportFrom]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "tmux_sensei.shapes"
    ]


def test_shapes_is_empty_at_run_time() -> None:
    code = (
        "import sys, tmux_sensei.shapes as s\n"
        "print(*sorted(n for n in vars(s) if not n.startswith('__')), 'typing' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    ).stdout
    assert out.split() == ["TYPE_CHECKING", "annotations", "False"], out  # no typing loaded


def test_shapes_is_a_leaf_imported_only_for_the_type_checker() -> None:
    shapes = ast.parse((PACKAGE / "shapes.py").read_text(encoding="utf-8"))
    assert not [
        n
        for n in ast.walk(shapes)
        if isinstance(n, ast.ImportFrom) and "tmux_sensei" in (n.module or "")
    ]
    users = 0
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        guarded = {
            id(node)
            for block in ast.walk(tree)
            if isinstance(block, ast.If)
            and isinstance(block.test, ast.Name)
            and block.test.id == "TYPE_CHECKING"
            for stmt in block.body
            for node in ast.walk(stmt)
        }
        for node in _imports_of_shapes(tree):
            users += 1
            assert id(node) in guarded, f"{path.name}:{node.lineno} imports shapes at run time"
    assert users > 0
