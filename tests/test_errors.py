"""One registry of errors (graph/errors.py): every error class and every code a client
sees are defined there and drawn in its docstring; the rest of the service names codes
through it."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import graph
from graph import errors
from graph.errors import GraphError

GRAPH = Path(graph.__file__).resolve().parent


def all_subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *all_subclasses(sub)]
    return found


def test_every_error_class_is_defined_in_the_errors_module():
    for info in pkgutil.walk_packages(graph.__path__, "graph."):
        importlib.import_module(info.name)
    classes = all_subclasses(GraphError)
    assert classes
    assert [c.__qualname__ for c in classes if c.__module__ != "graph.errors"] == []


def test_the_tree_is_drawn_whole():
    tree = errors.__doc__ or ""
    for cls in [GraphError, *all_subclasses(GraphError)]:
        if cls.__module__ == "graph.errors":
            assert cls.__name__ in tree, cls
            assert cls.code in errors.CODES, cls
    for code in errors.CODES:
        assert code in tree, code


def test_codes_are_named_only_in_the_errors_module():
    """No other module spells a code as a string literal: they use graph.errors' names."""
    spelled = []
    for path in sorted(GRAPH.rglob("*.py")):
        if path == GRAPH / "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in errors.CODES:
                spelled.append(f"{path.relative_to(GRAPH)}:{node.lineno} {node.value}")
    assert spelled == []
