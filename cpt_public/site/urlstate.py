"""The view in the URL: parse query parameters tolerantly, write them back canonically.

Every visible choice (language, finding, filters) is in the query string, so a copied URL
restores the exact view. Values are language-independent ids (``finding=demographics``,
``systems=Jail,EMS``, ``years=2023-2025``). Anything malformed or unknown falls back to the
default instead of failing: a shared link must never break the page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def one(params: Mapping[str, str], name: str, options: Sequence[str], default: str) -> str:
    value = params.get(name)
    return value if value in options else default


def many(params: Mapping[str, str], name: str, options: Sequence[str], default: Sequence[str]) -> list[str]:
    raw = params.get(name)
    if raw is None:
        return list(default)
    chosen = [v for v in str(raw).split(",") if v in options]
    return [o for o in options if o in chosen] or list(default)


def span(params: Mapping[str, str], name: str, options: Sequence[int]) -> tuple[int, int]:
    try:
        lo, hi = (int(v) for v in str(params.get(name, "")).split("-"))
    except ValueError:
        return options[0], options[-1]
    lo, hi = max(min(lo, hi), options[0]), min(max(lo, hi), options[-1])
    return (lo, hi) if lo <= hi else (options[0], options[-1])


def encode(view: Mapping[str, object]) -> dict[str, str]:
    """Canonical query parameters for a view (None values left out)."""
    out = {}
    for k, v in view.items():
        if v is None:
            continue
        if isinstance(v, tuple) and len(v) == 2 and all(isinstance(x, int) for x in v):
            out[k] = f"{v[0]}-{v[1]}"
        elif isinstance(v, (list, tuple)):
            out[k] = ",".join(map(str, v))
        else:
            out[k] = str(v)
    return out
