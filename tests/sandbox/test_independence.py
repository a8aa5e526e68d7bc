"""The sandboxes stand in for the marketplaces, so they may not borrow the
adapters they test (activities/) nor the processes that run them (workers/):
a rule taken from the client would confirm the client's own mistakes."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SANDBOX = REPO / "sandbox"
FORBIDDEN = ("activities", "workers", "starter", "workflows")


def imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


@pytest.mark.parametrize("path", sorted(SANDBOX.rglob("*.py")), ids=lambda p: str(p.relative_to(REPO)))
def test_no_sandbox_module_imports_the_engine(path: Path) -> None:
    borrowed = {m for m in imported_modules(path) if m.split(".")[0] in FORBIDDEN}

    assert borrowed == set()


def test_loading_the_sandboxes_loads_no_engine_module() -> None:
    # In a fresh interpreter: this one has long since imported everything.
    probe = (
        "import sys, sandbox.bol.app, sandbox.plaza.app, sandbox.kaufland.app; "
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(FORBIDDEN)!r}))"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "[]"
