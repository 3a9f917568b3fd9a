"""Random ids and clock readings a handler makes, made the same in both worlds.

``verify`` runs the original application and the rewritten one and compares what they did. A
function both keep that stores ``uuid.uuid4()`` or ``datetime.now()`` would make every case
differ, though nothing changed. While a handler runs, :func:`reproducible` makes those two
calls depend only on the function, its invocation number and the call's rank in the
invocation: the k-th ``uuid4()`` of the n-th invocation of ``F`` is the same version-4 UUID in
both worlds, and the clock reads a fixed instant that moves on by one second per invocation and
one millisecond per reading (never frozen: a handler waiting on the clock still ends).

What is replaced, only while the handler runs, are the handler module's own globals bound to
``uuid.uuid4`` or to the ``uuid`` module (``from uuid import uuid4``, ``import uuid``), and to
the ``datetime.datetime`` class or the ``datetime`` module. Code outside the handler's module
(its helper modules, boto3, moto) keeps the real ones. Values a rewritten state generates
(``States.UUID()``, ``$now()``) are the plan's declared differences, compared by their own rule.
"""

from __future__ import annotations

import datetime as _datetime
import hashlib
import itertools
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

_EPOCH = _datetime.datetime(2026, 1, 1, tzinfo=_datetime.UTC)


class _Clock:
    def __init__(self, invocation: int):
        self._start = _EPOCH + _datetime.timedelta(seconds=invocation)
        self._readings = itertools.count()

    def utc(self) -> _datetime.datetime:
        return self._start + _datetime.timedelta(milliseconds=next(self._readings))


def _frozen_datetime_class(clock: _Clock) -> type[_datetime.datetime]:
    class ReproducibleDatetime(_datetime.datetime):
        """``datetime`` whose ``now``/``utcnow``/``today`` read the reproducible clock."""

        @classmethod
        def now(cls, tz: _datetime.tzinfo | None = None) -> Any:
            utc = clock.utc()
            local = utc.astimezone(tz) if tz is not None else utc.replace(tzinfo=None)
            return cls.combine(local.date(), local.timetz())

        @classmethod
        def utcnow(cls) -> Any:
            return cls.now().replace(tzinfo=None)

        @classmethod
        def today(cls) -> Any:
            return cls.now()

    ReproducibleDatetime.__name__ = "datetime"
    ReproducibleDatetime.__qualname__ = "datetime"
    return ReproducibleDatetime


def _module_with(real: ModuleType, name: str, value: Any) -> ModuleType:
    """A copy of module ``real`` whose attribute ``name`` is ``value``."""
    module = ModuleType(real.__name__)
    module.__dict__.update(vars(real))
    setattr(module, name, value)
    return module


@contextmanager
def reproducible(module: ModuleType | None, function_id: str, invocation: int) -> Iterator[None]:
    """Make ``uuid4()`` and the clock reproducible while the handler of ``module`` runs."""
    ranks = itertools.count()

    def uuid4() -> uuid.UUID:
        seed = f"{function_id}\0{invocation}\0{next(ranks)}".encode()
        return uuid.UUID(bytes=hashlib.sha256(seed).digest()[:16], version=4)

    frozen = _frozen_datetime_class(_Clock(invocation))
    stand_ins = {
        id(uuid.uuid4): uuid4,
        id(uuid): _module_with(uuid, "uuid4", uuid4),
        id(_datetime.datetime): frozen,
        id(_datetime): _module_with(_datetime, "datetime", frozen),
    }
    replaced: dict[str, Any] = {}
    if module is not None:
        for name, value in list(vars(module).items()):
            stand_in = stand_ins.get(id(value))
            if stand_in is not None:
                replaced[name] = value
                setattr(module, name, stand_in)
    try:
        yield
    finally:
        for name, value in replaced.items():
            setattr(module, name, value)
