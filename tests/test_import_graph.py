"""The modules of pytest_sender import each other without circles, and the sandbox does not lean on live.

Read from the source (every import, the lazy ones inside functions too; imports for typing only,
under ``if TYPE_CHECKING:``, do not count).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest_sender

ROOT = Path(pytest_sender.__file__).parent


def _module_name(path: Path) -> str:
    return ".".join(("pytest_sender", *path.relative_to(ROOT).with_suffix("").parts)).removesuffix(".__init__")


def _runtime_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and ast.unparse(block.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
        for statement in block.body
        for node in ast.walk(statement)
    }
    return [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) and id(n) not in typing_only]


def import_graph() -> dict[str, set[str]]:
    modules = {_module_name(path): path for path in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                graph[name].update(
                    target
                    for target in (node.module, *(f"{node.module}.{alias.name}" for alias in node.names))
                    if target in modules
                )
            elif isinstance(node, ast.Import):
                graph[name].update(alias.name for alias in node.names if alias.name in modules)
        graph[name].discard(name)
    return graph


def _circle_through(graph: dict[str, set[str]], start: str) -> list[str] | None:
    """A path start -> ... -> start, or None."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for nxt in graph[node]:
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


def test_no_module_imports_itself_back_through_others() -> None:
    graph = import_graph()
    assert "pytest_sender.dns.checks" in graph["pytest_sender.content.checks"]  # a lazy import counts
    circles = {name: circle for name in graph if (circle := _circle_through(graph, name))}
    assert circles == {}


def test_the_sandbox_imports_nothing_from_live() -> None:
    graph = import_graph()
    leaning = {
        name: sorted(t for t in targets if t.startswith("pytest_sender.live"))
        for name, targets in graph.items()
        if name.startswith("pytest_sender.sandbox")
    }
    assert {name: targets for name, targets in leaning.items() if targets} == {}
