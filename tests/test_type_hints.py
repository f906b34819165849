"""Every public service and selector says what it takes and returns (`by: Actor` and the rest):
mypy (run by dev.py test) checks the bodies and callers against these hints."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("orders/services", "orders/selectors")
# The tools' services: what the views, commands and jobs call.
TOOLS_SERVICES = (
    "tools/batch.py",
    "tools/job_registry.py",
    "tools/job_runner.py",
    "tools/jobs.py",
    "tools/preorders.py",
    "tools/exports/pgcopy.py",
    "tools/exports/rows.py",
    "tools/exports/services.py",
    "tools/imports/services.py",
    "tools/operations/registry.py",
)
NOT_YET: set[str] = set()


def unhinted(path: Path) -> list[str]:
    found = []
    for node in ast.parse(path.read_text()).body:
        if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
            continue
        args = node.args
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        missing = [a.arg for a in every if a is not None and a.annotation is None]
        if node.returns is None:
            missing.append("return")
        if missing:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {missing}")
    return found


def test_every_public_service_and_selector_has_type_hints():
    files = [
        path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if str(path.relative_to(ROOT)) not in NOT_YET
    ] + [ROOT / name for name in TOOLS_SERVICES]
    assert len(files) > 40
    assert [line for path in files for line in unhinted(path)] == []
