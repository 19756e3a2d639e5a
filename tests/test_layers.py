"""The package's modules form layers: no import cycle, counting the imports inside functions too
(a lazy import is still a dependency: it only moves the cost, not the knot)."""

from __future__ import annotations

import ast
from pathlib import Path

import tmux_sensei

PACKAGE = Path(tmux_sensei.__file__).parent


def _modules() -> dict[str, Path]:
    mods = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        mods[".".join(parts)] = path
    return mods


def import_graph() -> dict[str, set[str]]:
    """module -> the package's modules it imports anywhere in its file."""
    mods = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                deps.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                for alias in node.names:  # `from tmux_sensei import repl` names a module
                    full = f"{base}.{alias.name}"
                    deps.add(full if full in mods else base)
        graph[name] = {d for d in deps if d in mods and d != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return [*stack[stack.index(dep) :], dep]
            if dep not in state:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_graph_sees_function_level_imports() -> None:
    graph = import_graph()
    assert "tmux_sensei.answer" in graph["tmux_sensei.repl"]  # imported inside a function
    assert "tmux_sensei.repl" in graph["tmux_sensei.cli"]  # `from tmux_sensei import repl`


def test_no_import_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_a_cycle_is_found_and_printed() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_bottom_layer_imports_nothing_of_ours() -> None:
    graph = import_graph()
    assert graph["tmux_sensei.env"] == set()
    for low in ("tmux_sensei.env", "tmux_sensei.locales", "tmux_sensei.tmux_names"):
        assert "tmux_sensei.cli" not in graph[low]
    assert "tmux_sensei.kbcheck" not in graph["tmux_sensei.installed"]
    assert "tmux_sensei.cli" not in graph["tmux_sensei.repl"]
    assert "tmux_sensei.index" not in graph["tmux_sensei.locales"]  # UI words without the index
