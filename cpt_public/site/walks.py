"""Data walks: rotation schedules, station links and QR codes, as plain functions.

How a walk runs (see the team's guide): small groups rotate between stations, a few minutes
each, with a facilitator and a note-taker; a kiosk screen or a poster at each station carries a
QR code that opens that station — and its feedback form — on a phone.
"""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import quote, urlencode, urlsplit

import pandas as pd
import segno


def rotation(n_groups: int, n_stations: int) -> list[list[int]]:
    """rounds[r][g] = the station (0-based) group g visits in round r. Every group sees every
    station once; at most one group per station per round while groups <= stations."""
    if n_groups < 1 or n_stations < 1:
        raise ValueError("a walk needs at least one group and one station")
    stride = max(1, n_stations // n_groups) if n_groups <= n_stations else 1
    return [[(g * stride + r) % n_stations for g in range(n_groups)] for r in range(n_stations)]


def schedule(n_groups: int, stations: list[str], start: dt.datetime, minutes: int, move: int = 1) -> pd.DataFrame:
    """The rotation as a timetable: one row per round, one column per group."""
    rounds = rotation(n_groups, len(stations))
    rows = []
    for r, visit in enumerate(rounds):
        begins = start + dt.timedelta(minutes=r * (minutes + move))
        rows.append(
            {
                "round": r + 1,
                "starts": begins.strftime("%H:%M"),
                **{f"group {g + 1}": stations[s] for g, s in enumerate(visit)},
            }
        )
    return pd.DataFrame(rows)


def public_base(configured: str | None, current_url: str | None) -> str:
    """Where phones should go: CPT_PUBLIC_URL if the team set it (a kiosk on a local address is
    no use to a phone), else the origin this page was opened at, else the local default."""
    if configured:
        return configured.rstrip("/")
    if current_url:
        parts = urlsplit(current_url)
        if parts.scheme and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}"
    return "http://localhost:8501"


LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0", "::")


def is_local(url: str) -> bool:
    """Does the address name this machine only (a phone that scans it reaches nothing)?"""
    import ipaddress

    host = (urlsplit(url).hostname or "").lower()
    if host in LOCAL_HOSTS or host.endswith(".localhost") or not host:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified or address.is_link_local


def short_url(url: str) -> str:
    """The address as people type it: no scheme."""
    parts = urlsplit(url)
    return parts.netloc + parts.path + (f"?{parts.query}" if parts.query else "")


def kiosk_path(walk: str, station: int) -> str:
    """The kiosk screen of a station: large type, the QR code in view, nothing to scroll."""
    return f"/kiosk/{quote(walk, safe='')}/{station}"


def station_path(walk: str, station: int | str) -> str:
    """The light station page's path (routes.py): /s/<walk>/<n>, or /s/<walk>/end after the last."""
    return f"/s/{quote(walk, safe='')}/{station}"


def _query(lang: str, extra: dict) -> str:
    return urlencode({"lang": lang, **{k: v for k, v in extra.items() if v}})


def station_url(base: str, walk: str, station: int | str, lang: str, **extra: str | None) -> str:
    """The link a QR code carries: the light page of this station of this walk (1-based), in
    the visitor's language — small enough for a budget phone on venue Wi-Fi."""
    return f"{base.rstrip('/')}{station_path(walk, station)}?{_query(lang, extra)}"


def interactive_url(base: str, walk: str, station: int, lang: str, **extra: str | None) -> str:
    """The same station on the full Streamlit page (filters, downloads, the whole site)."""
    return f"{base.rstrip('/')}/walk?" + urlencode(
        {"walk": walk, "station": station, "lang": lang, **{k: v for k, v in extra.items() if v}}
    )


def qr_png(url: str, scale: int = 8) -> bytes:
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()


def qr_svg(url: str, scale: int = 6) -> str:
    """The QR code as SVG, without a title: the page names it (light.accessible_svg) and prints
    its address beside it."""
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=scale, border=2, omitsize=True)  # a viewBox: CSS sizes it
    return buf.getvalue().decode("utf-8")


def step(station: int, by: int, n_stations: int) -> int:
    """The station after moving ``by`` (1-based), kept within the walk."""
    return min(max(1, station + by), n_stations)


def seconds_left(started: float | None, minutes: int, now: float) -> float:
    """Time left at a station: the full time until the facilitator starts the timer."""
    return minutes * 60 - (now - started if started else 0)


def clock(seconds: float) -> str:
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"
