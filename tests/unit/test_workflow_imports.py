"""Workflow modules run in Temporal's sandbox, which re-imports them for every
workflow instance. Our own modules must be passed through (imported once,
outside the sandbox): an activity module imported inside the sandbox would
re-run its imports of httpx and sqlmodel per order, and `import-linter` can
only say *what* is imported, not *how*. This test checks the how."""

import ast
from pathlib import Path

import pytest

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
OURS = ("domain", "workflows", "activities")


def _passed_through(node: ast.With) -> bool:
    return any("imports_passed_through" in ast.unparse(item.context_expr) for item in node.items)


def _unguarded_imports(tree: ast.Module) -> list[str]:
    found: list[str] = []

    def visit(node: ast.AST, guarded: bool) -> None:
        if isinstance(node, ast.ImportFrom) and not guarded and (node.module or "").split(".")[0] in OURS:
            found.append(f"line {node.lineno}: from {node.module} import …")
        if isinstance(node, ast.Import) and not guarded:
            found.extend(f"line {node.lineno}: import {a.name}" for a in node.names if a.name.split(".")[0] in OURS)
        for child in ast.iter_child_nodes(node):
            visit(child, guarded or (isinstance(node, ast.With) and _passed_through(node)))

    visit(tree, False)
    return found


def _workflow_modules() -> list[str]:
    # Modules a workflow module passes through (policies) run outside the sandbox.
    return sorted(p.name for p in WORKFLOWS.glob("*.py") if "@workflow.defn" in p.read_text(encoding="utf-8"))


@pytest.mark.parametrize("module", _workflow_modules())
def test_workflow_modules_pass_our_imports_through_the_sandbox(module: str):
    tree = ast.parse((WORKFLOWS / module).read_text(encoding="utf-8"))
    assert _unguarded_imports(tree) == []


def test_the_check_sees_an_unguarded_import():
    tree = ast.parse(
        "from activities.orders import OrderActivities\nwith workflow.unsafe.imports_passed_through():\n    from domain import names\n"
    )
    assert _unguarded_imports(tree) == ["line 1: from activities.orders import …"]
