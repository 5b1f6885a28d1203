"""Limits on submissions that hold across sessions and processes: per client and overall.

A session is free to make, so a per-session limit alone stops nobody (300 submissions from 60
sessions in 4 s got through). These limits are counted in the database (every process behind
the proxy sees the same counts) per *client*: the address the connection comes from, or, behind
the shipped proxy, the address the proxy saw (``X-Real-IP``, trusted only from the proxy).

A data walk puts dozens of phones behind one venue Wi-Fi address, so the limit per client is
set for a crowd, not a person: people answer a station a minute at most, a script hundreds a
second. The overall limit caps what many addresses together can add.

The address itself is never stored: only a keyed hash (HMAC-SHA-256), with a key from
``CPT_CLIENT_KEY`` or, failing that, a random key kept beside the SQLite database.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
import time
from collections.abc import Mapping

from .store import DEFAULT_SQLITE, FeedbackStore, sqlite_path

PER_CLIENT_ENV = "CPT_LIMIT_PER_CLIENT"  # submissions a minute from one client (an hour: 20 times this)
OVERALL_ENV = "CPT_LIMIT_OVERALL"  # submissions a minute from everyone together (an hour: 20 times this)
DEFAULT_PER_CLIENT, DEFAULT_OVERALL = 60, 240


def windows() -> tuple[tuple[int, int, int], ...]:
    """(window in seconds, most per client, most overall). A venue's Wi-Fi puts a whole walk
    behind one address, so the per-client limit is a crowd's, not a person's: 60 answers a
    minute from one address, 240 from everyone; an hour allows 20 minutes' worth. A big event
    may raise them (CPT_LIMIT_PER_CLIENT, CPT_LIMIT_OVERALL)."""

    def number(name: str, default: int) -> int:
        try:
            return max(1, int(os.environ.get(name, default)))
        except ValueError:
            return default

    client, overall = number(PER_CLIENT_ENV, DEFAULT_PER_CLIENT), number(OVERALL_ENV, DEFAULT_OVERALL)
    return ((60, client, overall), (3600, 20 * client, 20 * overall))


KEY_ENV = "CPT_CLIENT_KEY"
TRUSTED_ENV = "CPT_TRUSTED_PROXIES"  # comma-separated addresses or networks; loopback is always trusted


def _key(store: FeedbackStore) -> bytes:
    if env := os.environ.get(KEY_ENV):
        return env.encode()
    url = getattr(store, "url", None)
    path = ((sqlite_path(url) if isinstance(url, str) else None) or DEFAULT_SQLITE).with_name("client.key")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32).encode()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_bytes()
        with os.fdopen(fd, "wb") as f:
            f.write(key)
        return key


def _address(text: str):
    """The address, an IPv4 address written as IPv6 ("::ffff:127.0.0.1", as uvicorn reports a
    dual-stack socket's peers) read as the IPv4 address it is."""
    address = ipaddress.ip_address(text.strip())
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def trusted_proxy(peer: str | None) -> bool:
    """Is the connection from the shipped proxy (this machine) or a proxy named in CPT_TRUSTED_PROXIES?"""
    if peer is None:
        return True  # Streamlit reports loopback as None: the shipped proxy on the same host
    try:
        address = _address(peer)
    except ValueError:
        return False
    if address.is_loopback:
        return True
    for item in filter(None, (s.strip() for s in os.environ.get(TRUSTED_ENV, "").split(","))):
        try:
            if address in ipaddress.ip_network(item, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_address(peer: str | None, headers: Mapping[str, str] | None) -> str:
    """The visitor's address: the proxy's ``X-Real-IP`` when the connection comes from a trusted
    proxy, else the connection's own address. A header from anyone else is ignored: a client
    could write any address there."""
    peer = peer if isinstance(peer, str) else None
    if trusted_proxy(peer) and headers:
        real = next((v for k, v in headers.items() if k.lower() == "x-real-ip"), None)
        if real:
            try:
                return str(_address(real))
            except ValueError:
                pass
    if peer is None:
        return "local"
    try:
        return str(_address(peer))
    except ValueError:
        return peer


def client_key(store: FeedbackStore, address: str) -> str:
    """A keyed hash of the address: the same client gets the same key in every process."""
    return hmac.new(_key(store), address.encode(), hashlib.sha256).hexdigest()[:32]


def secret(store: FeedbackStore, purpose: str) -> bytes:
    """A key for one purpose (e.g. the light form's tokens), derived from the client key, so one
    setting (CPT_CLIENT_KEY) keeps every process of a deployment in agreement."""
    return hmac.new(_key(store), f"cpt-public:{purpose}".encode(), hashlib.sha256).digest()


def take(store: FeedbackStore, client: str, now: float | None = None) -> str | None:
    """Count a submission against the limits; None if it may go ahead, else the ui.toml key
    saying why not. A database failure is a StoreError (the caller keeps the visitor's words)."""
    blocked = store.take_rate(client, time.time() if now is None else now, windows())
    return {None: None, "client": "form_network_busy", "global": "form_busy"}[blocked]
