"""The layers of plein, checked on the imports of src/plein (parsed, not imported).

The web and the command line are shells over the services: nothing builds on them. The demo world
is a tool of the command line and the tests, not something services lean on. And the packages form
no cycle, counting imports inside functions too, so a cycle cannot hide in a late import.
"""

from __future__ import annotations

import ast
import itertools
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

SOURCES = Path(__file__).resolve().parents[2] / "src" / "plein"
SHELLS = frozenset({"web", "cli", "__main__"})
# The model registry and the migrations name every feature's tables on purpose: they are the place
# where the schema comes together, not a dependency of one feature on another.
GATHERING = ("plein.store.registry", "plein.store.migrations")


@dataclass(frozen=True)
class Import:
    """One import in src/plein: who imports what, where, and whether inside a function."""

    importer: str
    imported: str
    line: int
    in_function: bool

    @property
    def where(self) -> str:
        return f"{self.importer}:{self.line} imports {self.imported}"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SOURCES.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _visit(tree: ast.AST, module: str, is_package: bool) -> list[Import]:
    found: list[Import] = []

    def walk(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import):
                found.extend(Import(module, alias.name, child.lineno, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                target = _absolute(module, child, is_package)
                found.append(Import(module, target, child.lineno, in_function))
                # ``from plein import web`` imports the sub-package itself
                found.extend(
                    Import(module, f"{target}.{alias.name}", child.lineno, in_function)
                    for alias in child.names
                    if target == "plein" and alias.name != "*"
                )
            walk(child, inside)

    walk(tree, False)
    return found


def all_imports() -> list[Import]:
    imports: list[Import] = []
    for path in sorted(SOURCES.rglob("*.py")):
        module = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        imports.extend(i for i in _visit(tree, module, path.name == "__init__.py") if _is_plein(i.imported))
    return imports


def _is_plein(name: str) -> bool:
    return name == "plein" or name.startswith("plein.")


def _package(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


def _within(name: str, package: str) -> bool:
    return name == f"plein.{package}" or name.startswith(f"plein.{package}.")


IMPORTS = all_imports()


def test_the_parser_sees_the_imports() -> None:
    """Guards the check: known imports, at module level and inside functions, are found."""
    assert any(i.importer == "plein.cli" and _within(i.imported, "cli") and not i.in_function for i in IMPORTS)
    assert any(i.importer == "plein.cli.ingest" and _within(i.imported, "demo") and i.in_function for i in IMPORTS)
    assert len({i.importer for i in IMPORTS}) > 100


def test_nothing_builds_on_the_web_shell() -> None:
    """Only the web itself and ``plein serve`` (which starts it) import ``plein.web``."""
    wrong = [
        i.where
        for i in IMPORTS
        if _within(i.imported, "web") and not (_within(i.importer, "web") or _within(i.importer, "cli"))
    ]
    assert wrong == []


def test_services_do_not_import_the_command_line() -> None:
    wrong = [i.where for i in IMPORTS if _within(i.imported, "cli") and _package(i.importer) not in {"cli", "__main__"}]
    assert wrong == []


def test_the_demo_world_is_used_only_by_the_command_line() -> None:
    """Services and the web never lean on the demo world; the CLI seeds it and the tests use it."""
    wrong = [i.where for i in IMPORTS if _within(i.imported, "demo") and _package(i.importer) not in {"demo", "cli"}]
    assert wrong == []


def _package_graph() -> dict[str, dict[str, list[Import]]]:
    graph: dict[str, dict[str, list[Import]]] = defaultdict(lambda: defaultdict(list))
    for i in IMPORTS:
        if i.importer.startswith(GATHERING):
            continue
        source, target = _package(i.importer), _package(i.imported)
        if source and target and source != target:
            graph[source][target].append(i)
    return graph


def _cycle(graph: dict[str, dict[str, list[Import]]]) -> list[str]:
    """One cycle of packages, or [] when there is none (depth-first search)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, {})):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []


def test_packages_form_no_cycle_not_even_through_function_level_imports() -> None:
    graph = _package_graph()
    cycle = _cycle(graph)
    evidence = [graph[a][b][0].where for a, b in itertools.pairwise(cycle)]
    assert cycle == [], f"cycle {' → '.join(cycle)}: {'; '.join(evidence)}"


def test_the_named_cycles_stay_broken() -> None:
    """auth ↔ policy and ingest ↔ resolve once imported each other, one side inside a function."""
    graph = _package_graph()
    for one, other in (("auth", "policy"), ("ingest", "resolve")):
        assert not (graph[one].get(other) and graph[other].get(one)), (one, other)


def test_the_cycle_check_can_fail() -> None:
    graph: dict[str, dict[str, list[Import]]] = defaultdict(lambda: defaultdict(list))
    graph["a"]["b"].append(Import("plein.a", "plein.b", 1, False))
    graph["b"]["a"].append(Import("plein.b", "plein.a", 9, True))
    assert _cycle(graph) == ["a", "b", "a"]
