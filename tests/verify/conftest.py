from pathlib import Path

import pytest

from lambdaslim.loading.application import load_application
from lambdaslim.model import Application

FIXTURES = Path(__file__).parent.parent / "fixtures" / "verify"


@pytest.fixture(scope="session")
def shop() -> Application:
    return load_application(FIXTURES / "shop")
