"""Imports point down (README.md, "How it is built"). Read from the source with `ast`:
no database, and no module of the service is imported.

    graph/cli.py, graph/http/            the command line; HTTP
    graph/schema.py, graph/extensions/,  GraphQL
    graph/types/, graph/resolvers/,
    graph/export/
    graph/auth/, graph/bulk/, ...        access control, writing in bulk
    graph/cypher/                        pure Cypher builders
    graph/db.py                          the driver
    graph/domain/, graph/settings.py,    no framework
    graph/errors.py, graph/logs.py,
    graph/request_context.py
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GRAPH = Path(__file__).resolve().parents[1] / "graph"

FRAMEWORKS = ("starlette", "strawberry", "graphql", "prometheus_client", "uvicorn")
GRAPHQL_LAYER = (
    "graph.export",
    "graph.schema",
    "graph.types",
    "graph.resolvers",
    "graph.extensions",
    "graph.execution",
)


def module_name(path: Path) -> str:
    parts = path.relative_to(GRAPH.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(*where: str) -> list[Path]:
    """The modules of graph/ at `where` (files or packages), or all of them."""
    found: list[Path] = []
    for place in where or (".",):
        path = GRAPH / place
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    assert found, where
    return found


def imports(path: Path) -> set[tuple[str, str | None]]:
    """(module, name) for every import in the file, at the top or inside a function: `import
    a.b` is ("a.b", None), `from a import b` is ("a", "b")."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[tuple[str, str | None]] = set()
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {(alias.name, None) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the file's package
                base = ".".join([*package[: len(package) - node.level + 1], base]).strip(".")
            found |= {(base, alias.name) for alias in node.names}
    return found


def imported(path: Path) -> set[str]:
    """Every module the file imports, `from a import b` counted as both a and a.b (b may
    be a module)."""
    names: set[str] = set()
    for module, name in imports(path):
        names.add(module)
        if name is not None:
            names.add(f"{module}.{name}")
    return names


def reaching(path: Path, prefixes: tuple[str, ...]) -> list[str]:
    return sorted(
        name
        for name in imported(path)
        if any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)
    )


def rel(path: Path) -> str:
    return str(path.relative_to(GRAPH.parent))


def test_the_reader_sees_imports():
    """The checks below would pass on a reader that found nothing."""
    assert reaching(GRAPH / "http" / "app.py", ("starlette",))
    assert reaching(GRAPH / "db.py", ("graph.request_context",)) == ["graph.request_context"]
    assert "graph.http.app" in imported(GRAPH / "cli.py")  # an import inside a function


@pytest.mark.parametrize(
    "path",
    modules(
        "settings.py",
        "errors.py",
        "request_context.py",
        "logs.py",
        "bounded.py",
        "wording.py",
        "db.py",
        "domain",
        "cypher",
    ),
    ids=rel,
)
def test_the_bottom_imports_no_web_framework_and_nothing_above_it(path):
    above = ("graph.http", "graph.cli", "graph.auth", "graph.bulk", *GRAPHQL_LAYER)
    assert reaching(path, FRAMEWORKS + above) == []


BOTTOM = (
    "graph.errors",
    "graph.settings",
    "graph.request_context",
    "graph.logs",
    "graph.bounded",
)


def in_graph(path: Path) -> list[str]:
    """The modules of the service the file imports (a package and its modules both)."""
    return reaching(path, ("graph",))


def under(names: list[str], allowed: tuple[str, ...]) -> list[str]:
    """The names that are none of `allowed`, nor inside one, nor a package holding one
    (`from graph.cypher import version` names graph.cypher too)."""
    return [
        n
        for n in names
        if not any(n == a or n.startswith(a + ".") or a.startswith(n + ".") for a in allowed)
    ]


def test_the_database_module_imports_the_bottom_and_the_version_statements_only():
    """db.py runs the graph version's statement last in every write transaction: that
    module holds Cypher text and imports nothing of the service (checked below)."""
    assert under(in_graph(GRAPH / "db.py"), (*BOTTOM, "graph.cypher.version")) == []
    assert in_graph(GRAPH / "cypher" / "version.py") == []


@pytest.mark.parametrize("path", modules("claims.py", "matching"), ids=rel)
def test_claims_and_matching_import_the_domain_and_the_bottom_only(path):
    allowed = (*BOTTOM, "graph.domain", "graph.claims", "graph.matching")
    assert under(in_graph(path), allowed) == []


@pytest.mark.parametrize(
    "path",
    modules("auth", "bulk", "backup.py", "facts.py", "subscriptions"),
    ids=rel,
)
def test_the_services_below_graphql_import_neither_graphql_nor_http(path):
    assert reaching(path, FRAMEWORKS + ("graph.http", "graph.cli", *GRAPHQL_LAYER)) == []


def test_errors_are_the_bottom():
    """graph/errors.py imports no other module of the service: anything may import it."""
    assert reaching(GRAPH / "errors.py", ("graph",)) == []


@pytest.mark.parametrize("path", modules("cypher"), ids=rel)
def test_cypher_builders_take_only_the_cypher_type_from_the_database_module(path):
    assert {name for module, name in imports(path) if module == "graph.db"} <= {"Cypher"}


@pytest.mark.parametrize("path", modules(), ids=rel)
def test_only_the_database_module_touches_the_driver(path):
    if path == GRAPH / "db.py":
        return
    assert reaching(path, ("neo4j",)) == []


@pytest.mark.parametrize(
    "path",
    modules("schema.py", "execution.py", "types", "resolvers", "extensions", "export"),
    ids=rel,
)
def test_the_graphql_layer_knows_nothing_of_http(path):
    assert reaching(path, ("starlette", "prometheus_client", "uvicorn", "graph.http")) == []


@pytest.mark.parametrize("path", modules(), ids=rel)
def test_only_http_and_the_command_line_import_http(path):
    if path == GRAPH / "cli.py" or GRAPH / "http" in path.parents:
        return
    assert reaching(path, ("graph.http", "starlette", "prometheus_client", "uvicorn")) == []


def test_tests_do_not_import_other_test_modules():
    """Shared test code lives in support modules (conftest, generated, generated_graph,
    commands, queries); a test module imported by another would run its tests twice."""
    tests = Path(__file__).resolve().parent
    offenders = []
    for path in sorted(tests.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            offenders += [
                f"{path.name}: {n}" for n in names if n.split(".")[-1].startswith("test_")
            ]
    assert not offenders
