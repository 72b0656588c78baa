"""The import graph: no cycles, and no module imports from a layer above its own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "companion"
BASE = {"errors", "paths", "settings", "interfaces", "data", "__init__"}
ALLOWED = {
    "base": {"base"},
    "audio": {"base", "audio"},
    "understand": {"base", "understand"},
    "journal": {"base", "journal"},
    "voice": {"base", "audio", "voice"},
    "safety": {"base", "understand", "journal", "safety"},
    "dialog": {"base", "audio", "voice", "understand", "journal", "safety", "dialog"},
    "guide": {"base", "audio", "voice", "understand", "journal", "safety", "dialog", "guide"},
    "cli": {"base", "audio", "voice", "understand", "journal", "safety", "dialog", "guide",
            "cli"},
}
"""Which packages each package may import: arrows point one way, down to the base modules."""


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    parts = module.split(".")
    if parts[-1] == "__main__":
        return "cli"
    if len(parts) < 2 or parts[1] in BASE or parts[1] not in ALLOWED:
        return "base"
    return parts[1]


def imports(path: Path) -> set[str]:
    """Every companion module `path` imports, at the top or inside functions."""
    found: set[str] = set()
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("companion")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            if not base.startswith("companion"):
                continue
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if _exists(candidate) else base)
    return found


def _exists(module: str) -> bool:
    rel = Path(*module.split(".")[1:])
    return (ROOT / rel).with_suffix(".py").is_file() or (ROOT / rel / "__init__.py").is_file()


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports(p) for p in ROOT.rglob("*.py")}


def test_no_import_goes_up_a_layer():
    wrong = [f"{mod} -> {dep}" for mod, deps in graph().items() for dep in deps
             if layer(dep) not in ALLOWED[layer(mod)]]
    assert wrong == []


def test_no_import_cycles():
    edges = {m: {d for d in deps if d != m} for m, deps in graph().items()}
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for dep in sorted(edges.get(node, ())):
            if state.get(dep) == 1:
                cycles.append(" -> ".join(stack[stack.index(dep):] + [node, dep])
                              if dep in stack else f"{node} -> {dep}")
            elif dep not in state:
                visit(dep, stack + [node])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [])
    assert cycles == []


def test_top_level_has_at_most_six_modules():
    assert len([p for p in ROOT.glob("*.py")]) <= 6


@pytest.mark.parametrize("module", ["companion.voice.listen", "companion.understand.analysis"])
def test_the_checker_sees_lazy_imports(module):
    path = ROOT.parent / (module.replace(".", "/") + ".py")
    assert any(d.startswith("companion.") for d in imports(path))
