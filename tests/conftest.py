"""Shared test fixtures: where the repository and the product's example files are."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# The product's example files are kept in the repository, so that every test runs in
# any clone; they are copies of the examples beside the repository (../shared/examples),
# and tests/test_examples.py checks that the two stay identical where both exist.
EXAMPLES = REPO / "tests" / "fixtures" / "examples"
SHARED_EXAMPLES = REPO.parent / "shared" / "examples"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return EXAMPLES
