"""One name, one meaning: no two classes in plein share a name (the glossary in ARCHITECTURE.md relies on it)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import plein


def test_no_two_classes_share_a_name() -> None:
    root = Path(plein.__file__).parent
    where: defaultdict[str, list[str]] = defaultdict(list)
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                where[node.name].append(str(path.relative_to(root)))
    shared = {name: paths for name, paths in where.items() if len(paths) > 1}
    assert not shared, f"class names with more than one meaning: {shared}"
