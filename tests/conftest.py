"""Shared test fixtures: where the repository and the product's example files are."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# The product's example files live beside the repository, in ../shared/examples.
SHARED_EXAMPLES = REPO.parent / "shared" / "examples"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    if not SHARED_EXAMPLES.is_dir():
        pytest.skip(f"the shared examples are not at {SHARED_EXAMPLES}")
    return SHARED_EXAMPLES
