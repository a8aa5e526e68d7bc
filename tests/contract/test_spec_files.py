"""The vendors' specs in specs/ are the published files, unchanged: fixes for
their defects live in tests/contract/openapi.py, so a refresh is a plain copy
and the sums in specs/SOURCES.md say which snapshot the contract tests use."""

import hashlib
import re
from pathlib import Path

from tests.contract.openapi import REPO_SPECS, SPEC_NAMES


def _documented_sums() -> dict[str, str]:
    sources = (REPO_SPECS / "SOURCES.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([\w-]+)\.json` \|.*\| `([0-9a-f]{64})` \|$", sources, flags=re.MULTILINE)
    return dict(rows)


def test_every_spec_is_in_the_repository_with_its_documented_sum():
    sums = _documented_sums()
    assert set(sums) == set(SPEC_NAMES)
    for name in SPEC_NAMES:
        data = (REPO_SPECS / f"{name}.json").read_bytes()
        assert hashlib.sha256(data).hexdigest() == sums[name], f"{name}.json differs from the snapshot in SOURCES.md"


def test_nothing_in_the_repository_reads_beside_it():
    repo = Path(__file__).resolve().parents[2]
    outside = re.compile(r"\.\./shared|parents\[\d\]\.parent")
    offenders = [
        str(path.relative_to(repo))
        for folder in ("domain", "workflows", "activities", "sandbox", "workers", "starter", "tests")
        for path in (repo / folder).rglob("*.py")
        if path != Path(__file__).resolve() and outside.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
