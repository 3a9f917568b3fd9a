"""Service models come from botocore's loader, with the extra folders of ``AWS_DATA_PATH`` searched
first (as a botocore session searches them), for the analysis and the catalog alike."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from lambdaslim.analysis import sdk_model
from lambdaslim.catalog import sdk_client_name

# A private service model, as teams add with ``aws configure add-model`` or AWS_DATA_PATH.
LEDGER_MODEL = {
    "version": "2.0",
    "metadata": {
        "apiVersion": "2024-05-01",
        "endpointPrefix": "ledger-api",
        "protocol": "json",
        "serviceId": "Ledger Entries",
        "signatureVersion": "v4",
        "signingName": "ledgerentries",
        "targetPrefix": "LedgerEntries",
    },
    "operations": {
        "PostEntry": {
            "name": "PostEntry",
            "http": {"method": "POST", "requestUri": "/"},
            "input": {"shape": "PostEntryRequest"},
            "errors": [{"shape": "DuplicateEntryException"}],
        }
    },
    "shapes": {
        "PostEntryRequest": {
            "type": "structure",
            "required": ["AccountId"],
            "members": {"AccountId": {"shape": "String"}, "Amount": {"shape": "String"}},
        },
        "DuplicateEntryException": {
            "type": "structure", "members": {}, "exception": True,
        },
        "String": {"type": "string"},
    },
}


def _clear() -> None:
    for cached in (sdk_model._loader, sdk_model.service_model, sdk_model._methods,
                   sdk_model.operation_for_method, sdk_model.service_errors):
        cached.cache_clear()


@pytest.fixture
def data_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "models" / "ledgerentries" / "2024-05-01"
    folder.mkdir(parents=True)
    (folder / "service-2.json").write_text(json.dumps(LEDGER_MODEL), "utf-8")
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path / "models"))
    _clear()
    yield tmp_path / "models"
    _clear()  # the next tests load botocore's own models again


def test_a_model_on_aws_data_path_is_known(data_path: Path) -> None:
    assert sdk_model.is_known_service("ledgerentries")
    info = sdk_model.operation_for_method("ledgerentries", "post_entry")
    assert info == sdk_model.OperationInfo("PostEntry", frozenset({"AccountId", "Amount"}),
                                           frozenset({"AccountId"}))
    assert sdk_model.iam_action("ledgerentries", "PostEntry") == "ledgerentries:PostEntry"
    assert sdk_model.service_errors("ledgerentries") == ("DuplicateEntryException",)
    assert sdk_client_name("ledgerentries") == "LedgerEntries"


def test_botocore_s_own_models_load_beside_it_and_unknown_services_are_none(
    data_path: Path
) -> None:
    assert sdk_model.operation_for_method("dynamodb", "put_item").name == "PutItem"
    assert sdk_model.service_model("no-such-service") is None
    assert sdk_model.operation_for_method("ledgerentries", "no_such_method") is None
