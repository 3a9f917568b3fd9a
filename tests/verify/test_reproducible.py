"""Ids and clock readings of a handler are the same in both worlds, so a function both sides
keep never makes a case differ; and an application whose kept functions generate ids verifies
against its own rewrite."""

from __future__ import annotations

import datetime
import json
import uuid
from pathlib import Path
from types import ModuleType

from click.testing import CliRunner

from lambdaslim.cli import main
from lambdaslim.verify.reproducible import reproducible

ORDERS = Path(__file__).parents[1] / "fixtures" / "verify" / "orders" / "original"

HANDLER = '''
import datetime as dt
import uuid
from datetime import datetime, timezone
from uuid import uuid4


def handler(event, context):
    return [str(uuid4()), str(uuid.uuid4()), datetime.now(timezone.utc).isoformat(),
            dt.datetime.utcnow().isoformat(), datetime.now().isoformat()]
'''


def handler_module() -> ModuleType:
    module = ModuleType("orders_handler")
    exec(compile(HANDLER, "orders_handler.py", "exec"), module.__dict__)
    return module


def call(module: ModuleType, function_id: str, invocation: int) -> list[str]:
    with reproducible(module, function_id, invocation):
        return module.handler({}, None)


def test_each_invocation_gets_the_same_values_in_every_world() -> None:
    first, second = handler_module(), handler_module()
    values = call(first, "SaveOrderFunction", 1)
    assert values == call(second, "SaveOrderFunction", 1)
    ids = [uuid.UUID(text) for text in values[:2]]
    assert ids[0] != ids[1] and {i.version for i in ids} == {4}
    stamps = [datetime.datetime.fromisoformat(text) for text in values[2:]]
    assert stamps[0].tzinfo is not None and stamps[1].tzinfo is None
    assert stamps[0] < stamps[1].replace(tzinfo=datetime.UTC)  # the clock moves on
    assert call(first, "SaveOrderFunction", 2) != values
    assert call(first, "ShipOrderFunction", 1) != values


def test_the_handler_module_gets_the_real_ones_back() -> None:
    module = handler_module()
    call(module, "SaveOrderFunction", 1)
    assert module.uuid4 is uuid.uuid4 and module.uuid is uuid
    assert module.datetime is datetime.datetime and module.dt is datetime
    assert uuid.uuid4().version == 4


def test_an_app_whose_kept_function_stores_new_ids_verifies_against_its_rewrite(
    tmp_path: Path,
) -> None:
    out = tmp_path / "optimized"
    runner = CliRunner()
    rewrite = runner.invoke(main, ["rewrite", str(ORDERS), "--out", str(out)])
    assert rewrite.exit_code == 0, rewrite.output
    kept = json.loads((out / ".lambdaslim" / "plan.json").read_text())["removed_functions"]
    assert "SaveOrderFunction" not in kept  # it stays, and stores uuid4() and now()
    result = runner.invoke(main, ["verify", str(ORDERS), str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    cases = json.loads(result.stdout)["cases"]
    assert len(cases) == 5 and all(case["equivalent"] for case in cases)
