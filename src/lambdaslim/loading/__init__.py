"""Loading SAM/CloudFormation applications, definitions and handlers into the model.

``load_application`` is imported on first use, so that light modules of this package
(``run_cache``) load without the loader's dependencies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lambdaslim.loading.application import load_application

__all__ = ["load_application"]


def __getattr__(name: str) -> Any:
    if name == "load_application":
        from lambdaslim.loading.application import load_application

        return load_application
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
