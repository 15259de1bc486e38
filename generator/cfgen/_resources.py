"""Where the shipped templates, modules, Lambda sources and checkov policies are.

In a wheel they sit inside the package under ``cfgen/_data`` (see the
``force-include`` table in pyproject.toml); in a source checkout or an
editable install they are the top-level folders of the repository.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["data_root", "lambdas_dir", "modules_dir", "policies_dir", "templates_dir"]


@cache
def data_root() -> Path:
    packaged = Path(__file__).resolve().parent / "_data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2]


def templates_dir() -> Path:
    return data_root() / "templates"


def modules_dir() -> Path:
    return data_root() / "modules"


def policies_dir() -> Path:
    return data_root() / "policies"


def lambdas_dir() -> Path:
    """Source of the Lambda functions cfgen ships (zipped reproducibly at render time)."""
    return data_root() / "lambdas"
