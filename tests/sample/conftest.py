"""Fixtures for the tests of the reference sample `samples/original_13_lambdas`.

Everything AWS is emulated by moto; the third-party address API is replaced by a
scripted fake; the network is closed (any socket connection fails the test).
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:  # importmode=importlib does not add test dirs to sys.path
    sys.path.insert(0, _HERE)

from sample_support import (  # noqa: E402
    ADDRESS_API_URL,
    FakeAddressApi,
    FakeLambdaContext,
    SampleStack,
    refuse_connection,
    sample_stack,
    set_fake_aws_environment,
)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", refuse_connection)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse_connection)


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    set_fake_aws_environment(monkeypatch)


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


@pytest.fixture
def stack(aws_credentials: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[SampleStack]:
    with sample_stack(monkeypatch) as resources:
        yield resources


@pytest.fixture
def address_api(monkeypatch: pytest.MonkeyPatch) -> FakeAddressApi:
    fake = FakeAddressApi(url=ADDRESS_API_URL, responses=[])
    monkeypatch.setattr(requests, "get", fake.get)
    return fake
