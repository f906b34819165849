"""The layers of `tools`: the job kinds at the bottom, the registry of runners on top.

Read from the source (imports anywhere in a module, deferred ones too, but not those made
only for type checkers), so that a cycle cannot come back hidden inside a function.
"""

import ast
from pathlib import Path

from tools.job_registry import JOB_RUNNERS
from tools.job_types import JOB_KINDS

TOOLS = Path(__file__).resolve().parents[2] / "tools"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(TOOLS.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    typing_only = {
        id(node)
        for branch in ast.walk(tree)
        if isinstance(branch, ast.If) and "TYPE_CHECKING" in ast.unparse(branch.test)
        for statement in branch.body
        for node in ast.walk(statement)
    }
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in typing_only
    ]


def _import_graph() -> dict[str, set[str]]:
    paths = {
        _module_name(path): path for path in TOOLS.rglob("*.py") if "migrations" not in path.parts
    }
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in _runtime_imports(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                wanted = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                wanted = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            for target in wanted:
                # Importing a.b.c runs a and a.b first.
                parts = target.split(".")
                targets |= {".".join(parts[:n]) for n in range(1, len(parts) + 1)} & set(paths)
        graph[name] = targets - {name}
    return graph


def _reaches(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), list(graph[start])
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(graph[name])
    return seen


def test_no_module_of_tools_imports_itself_through_others():
    graph = _import_graph()
    assert len(graph) > 40  # the whole app was read
    in_cycles = sorted(name for name in graph if name in _reaches(graph, name))
    assert in_cycles == []


def test_nothing_the_registry_imports_imports_the_registry_or_the_runner_above_it():
    graph = _import_graph()
    below = _reaches(graph, "tools.job_registry")
    assert {"tools.jobs", "tools.operations.registry"} <= below
    assert not below & {"tools.job_registry", "tools.job_runner", "tools.tasks"}


def test_every_kind_of_job_has_a_runner_and_only_operation_works_order_by_order():
    assert set(JOB_RUNNERS) == set(JOB_KINDS)
    per_item = {name for name, runner in JOB_RUNNERS.items() if runner.handler is not None}
    assert per_item == {name for name, kind in JOB_KINDS.items() if kind.per_item} == {"operation"}
