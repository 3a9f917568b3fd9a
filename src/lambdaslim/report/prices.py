"""Prices and latency parameters of the cost model (``lambdaslim/data/prices.json``).

The packaged file holds public us-east-1 prices with the date they were read; ``--prices FILE``
overrides any part of it (the two are merged key by key), for another region, a negotiated
price, or the handler durations you measured (``lambda.duration_ms.<FunctionId>``).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from lambdaslim.errors import LambdaslimError


def load_prices(override: Path | None = None) -> dict[str, Any]:
    packaged = resources.files("lambdaslim") / "data" / "prices.json"
    prices = json.loads(packaged.read_text(encoding="utf-8"))
    if override is None:
        return prices
    try:
        extra = json.loads(override.read_text(encoding="utf-8"))
    except OSError as error:
        raise LambdaslimError(f"cannot read the prices file ({error.strerror})", override) from None
    except json.JSONDecodeError as error:
        raise LambdaslimError(f"prices file is not valid JSON: {error.msg}", override,
                              error.lineno) from None
    if not isinstance(extra, dict):
        raise LambdaslimError("the prices file is a JSON object", override)
    return _merged(prices, extra)


def _merged(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _merged(base[key], value)
        else:
            merged[key] = value
    return merged
