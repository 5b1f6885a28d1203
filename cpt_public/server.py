"""The app's own HTTP layer, as ASGI middleware for Streamlit's ``st.App`` (serve.py), so that a
single process without a proxy is as safe as the proxied setup:

- security headers on every HTTP response: a Content-Security-Policy that forbids framing
  (``frame-ancestors 'none'``, and ``X-Frame-Options: DENY`` for older browsers) except on the
  embed routes listed in EMBEDDABLE, ``X-Content-Type-Options``, ``Referrer-Policy``,
  ``Permissions-Policy``, ``Cross-Origin-Opener-Policy``, and HSTS when the request came over TLS
  (directly, or per ``X-Forwarded-Proto`` from a trusted proxy);
- ``/_stcore/metrics`` answers only on this machine (the proxy refuses it too);
- the route cookie the shipped nginx hashes on is chosen here, with a signature nginx checks
  (``secure_link``), so a client cannot pick which process serves it;
- scripts and styles compressed (Starlette's GZipMiddleware; Streamlit leaves its static files
  uncompressed).

Pure ASGI middleware (not BaseHTTPMiddleware): websockets and streamed responses pass untouched.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import secrets
from collections.abc import Callable

from .feedback.limits import client_address, trusted_proxy

CSP = "frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'self'"
CSP_EMBED = "frame-ancestors *; base-uri 'self'; object-src 'none'; form-action 'self'"
EMBEDDABLE = ("/embed/",)  # routes partners may show in a frame (issue: light pages)
HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "cross-origin-opener-policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
ROUTE_COOKIE = "cpt_route"
NO_ROUTE_COOKIE = ("/static/", "/_stcore/health")  # stateless answers: no route needed
ROUTE_SECRET_ENV = "CPT_ROUTE_SECRET"  # the same value in nginx.conf's secure_link_md5


def route_signature(route: str, secret: str) -> str:
    """What nginx's ``secure_link_md5 "$cookie_cpt_route $secret"`` computes: base64url MD5,
    unpadded. MD5 because that is the only hash nginx's secure_link offers; it signs a random
    routing token, not a secret."""
    digest = hashlib.md5(f"{route} {secret}".encode(), usedforsecurity=False).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _headers(scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _https(scope, headers: dict[str, str]) -> bool:
    if scope.get("scheme") in ("https", "wss"):
        return True
    peer = (scope.get("client") or (None,))[0]
    return trusted_proxy(peer) and headers.get("x-forwarded-proto") == "https"


class SecurityHeaders:
    def __init__(self, app, route_secret: Callable[[], str | None] = lambda: os.environ.get(ROUTE_SECRET_ENV)):
        self.app = app
        self.route_secret = route_secret

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        headers = _headers(scope)
        embeddable = path.startswith(EMBEDDABLE)
        extra = [(k.encode(), v.encode()) for k, v in HEADERS.items()]
        extra.append((b"content-security-policy", (CSP_EMBED if embeddable else CSP).encode()))
        if not embeddable:
            extra.append((b"x-frame-options", b"DENY"))
        if _https(scope, headers):
            extra.append((b"strict-transport-security", HSTS.encode()))
        if not path.startswith(NO_ROUTE_COOKIE):  # static files stay cacheable by the proxy
            extra += [(b"set-cookie", c.encode()) for c in self._route_cookies(headers)]

        started = False

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                present = {k.lower() for k, _ in message.get("headers", [])}
                message = {
                    **message,
                    "headers": [
                        *message.get("headers", []),
                        *((k, v) for k, v in extra if k not in present or k == b"set-cookie"),
                    ],
                }
            await send(message)

        if path.endswith("/_stcore/metrics") and not self._local(scope, headers):
            await _plain(send_with_headers, 404, b"Not found")
            return
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if started:
                raise
            # An error the app did not answer: answer it here, so even a 500 has the headers
            # (Starlette's own error page sits outside every middleware).
            logging.getLogger("cpt_public").exception("unhandled error serving %s", path)
            await _plain(send_with_headers, 500, b"Internal server error")

    @staticmethod
    def _local(scope, headers) -> bool:
        peer = (scope.get("client") or (None,))[0]
        return client_address(peer, headers) in ("local", "127.0.0.1", "::1")

    def _route_cookies(self, headers: dict[str, str]) -> list[str]:
        """A new signed route for a visitor whose cookie is missing or not signed by us."""
        secret = self.route_secret()
        if not secret:
            return []
        cookies = dict(part.strip().split("=", 1) for part in headers.get("cookie", "").split(";") if "=" in part)
        route, sig = cookies.get(ROUTE_COOKIE), cookies.get(ROUTE_COOKIE + "_sig")
        if route and sig and secrets.compare_digest(sig, route_signature(route, secret)):
            return []
        route = secrets.token_hex(16)
        attrs = "Path=/; HttpOnly; SameSite=Lax"
        return [f"{ROUTE_COOKIE}={route}; {attrs}", f"{ROUTE_COOKIE}_sig={route_signature(route, secret)}; {attrs}"]


async def _plain(send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def middleware() -> list:
    from starlette.middleware import Middleware
    from starlette.middleware.gzip import GZipMiddleware

    return [Middleware(SecurityHeaders), Middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)]
