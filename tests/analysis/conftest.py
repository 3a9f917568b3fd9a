from __future__ import annotations

import pytest

from lambdaslim.catalog import Catalog, load_catalog


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()
