"""The ``verify_path`` field every origin model has: what ``cfgen verify`` requests through the distribution.

A leaf of the spec package (the origin models of ``models.py`` and
``vpc_origins.py`` both use it); which behavior a path reaches, and the
default when the spec gives none, are in ``_routes.py``.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from ._words import VERIFY_PATH

__all__ = ["VerifyPath", "verify_path_field"]

VerifyPath = Annotated[str, StringConstraints(pattern=VERIFY_PATH, max_length=1024)]


def verify_path_field() -> Any:
    """The field of an origin model: ``verify_path: VerifyPath | None = verify_path_field()``."""
    return Field(
        None,
        description="Path `cfgen verify` requests through the distribution after apply; it must reach this origin "
        "(through a behavior without trusted_key_groups) and exist there: an S3 origin answers 403 for a missing "
        "object, as it does for a refused request. Default: / when this origin serves the default behavior, "
        "else the fixed part of the first behavior that routes to it (/media/* gives /media/).",
    )
