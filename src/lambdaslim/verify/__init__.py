"""Verification: run the original and the optimized application side by side, emulated.

``run_case(app, state_machine_id, case)`` runs one state machine on one case in a fresh
emulated world and returns a :class:`RunObservation`; ``load_cases(directory)`` reads the
cases. See :mod:`lambdaslim.verify.world` for what the world is made of.
"""

from lambdaslim.verify.cases import Case, Fixtures, HttpFixture, HttpResponse, load_cases
from lambdaslim.verify.observation import RunObservation
from lambdaslim.verify.runner import run_case

__all__ = [
    "Case",
    "Fixtures",
    "HttpFixture",
    "HttpResponse",
    "RunObservation",
    "load_cases",
    "run_case",
]
