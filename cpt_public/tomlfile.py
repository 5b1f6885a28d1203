"""Reading the project's TOML files (release specs, site content) with errors a person can act on."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from .errors import CptError


def read_toml(path: Path, error: type[CptError], what: str) -> dict:
    """The parsed file; ``what`` names it in messages ("release spec x.toml")."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{what} does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise error(f"{what} is not valid TOML: {exc}") from None


def problems(exc: ValidationError, describe: Callable[[dict], str | None] = lambda e: None) -> list[str]:
    """One line per validation error, 'where: what'; ``describe`` may word an error its own way."""
    return [f"{'.'.join(str(p) for p in e['loc'])}: {describe(e) or e['msg']}" for e in exc.errors()]
