"""The app's own HTTP layer (cpt_public/server.py): security headers on every response, a
private metrics endpoint, HSTS only over TLS, signed route cookies."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute

from benchmarks.serve import free_port
from cpt_public.server import CSP, HEADERS, ROUTE_COOKIE, SecurityHeaders, route_signature


async def ok(request):
    return PlainTextResponse("ok")


async def boom(request):
    raise RuntimeError("broken")


async def echo(ws):
    await ws.accept()
    await ws.send_text("hello")
    await ws.close()


def make_app(secret=None):
    return Starlette(
        routes=[
            Route("/", ok),
            Route("/_stcore/metrics", ok),
            Route("/embed/finding", ok),
            Route("/boom", boom),
            WebSocketRoute("/_stcore/stream", echo),
        ],
        middleware=[Middleware(SecurityHeaders, route_secret=lambda: secret)],
    )


class Response:
    def __init__(self, status, headers):
        self.status_code, self.headers = status, headers


class Client:
    """Requests to an app under a real uvicorn on 127.0.0.1. (Starlette's TestClient needs a
    package this project does not otherwise use.) ``address``: what the app sees as the peer,
    written into the ASGI scope, for testing remote clients from this machine."""

    def __init__(self, app, address):
        self.app, self.address = app, address

    def get(self, path, headers=None):
        return _run(self._get(path, headers or {}))

    async def _get(self, path, headers, scheme="http"):
        sent = []

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": scheme,
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "client": self.address,
            "server": ("testserver", 80),
        }
        with contextlib.suppress(RuntimeError):  # the app re-raises after answering 500
            await self.app(scope, receive, send)
        start = next(m for m in sent if m["type"] == "http.response.start")
        return Response(start["status"], Headers(start["headers"]))

    def get_https(self, path):
        return _run(self._get(path, {}, scheme="https"))


def _run(coroutine):
    """Run a coroutine on its own loop in another thread: the browser tests' Playwright may
    leave an event loop running in this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class Headers(dict):
    def __init__(self, raw):
        super().__init__()
        self.raw = [(k.decode(), v.decode()) for k, v in raw]
        for k, v in self.raw:
            self[k.lower()] = v

    def get_list(self, name):
        return [v for k, v in self.raw if k.lower() == name]


def client(secret=None, address=("203.0.113.5", 50000)) -> Client:
    return Client(make_app(secret), address)


@pytest.mark.parametrize("path,status", [("/", 200), ("/nowhere", 404), ("/boom", 500)])
def test_every_response_carries_the_security_headers(path, status):
    r = client().get(path)
    assert r.status_code == status
    for name, value in HEADERS.items():
        assert r.headers[name] == value
    assert r.headers["content-security-policy"] == CSP and "frame-ancestors 'none'" in CSP
    assert r.headers["x-frame-options"] == "DENY"
    assert "strict-transport-security" not in r.headers  # plain HTTP


def test_embed_routes_may_be_framed():
    r = client().get("/embed/finding")
    assert "frame-ancestors *" in r.headers["content-security-policy"] and "x-frame-options" not in r.headers


def test_metrics_answer_only_on_this_machine():
    assert client().get("/_stcore/metrics").status_code == 404  # a remote client
    assert client(address=("127.0.0.1", 1)).get("/_stcore/metrics").status_code == 200
    proxied = client(address=("127.0.0.1", 1)).get("/_stcore/metrics", headers={"X-Real-IP": "198.51.100.9"})
    assert proxied.status_code == 404 and proxied.headers["x-frame-options"] == "DENY"
    mapped = client(address=("::ffff:127.0.0.1", 1)).get("/_stcore/metrics")  # uvicorn on a dual-stack socket
    assert mapped.status_code == 200


def test_hsts_only_over_tls_from_a_trusted_proxy():
    local = client(address=("127.0.0.1", 1))
    assert "strict-transport-security" in local.get("/", headers={"X-Forwarded-Proto": "https"}).headers
    spoofed = client().get("/", headers={"X-Forwarded-Proto": "https"})
    assert "strict-transport-security" not in spoofed.headers
    assert "strict-transport-security" in client().get_https("/").headers


@contextlib.contextmanager
def served(app):
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_under_a_real_server_headers_arrive_and_websockets_pass_untouched():
    from websockets.sync.client import connect

    with served(make_app()) as host:
        with urllib.request.urlopen(f"http://{host}/", timeout=10) as r:
            assert r.headers["X-Frame-Options"] == "DENY"
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://{host}/nowhere", timeout=10)
        assert missing.value.headers["Content-Security-Policy"] == CSP
        with connect(f"ws://{host}/_stcore/stream", open_timeout=10) as ws:
            assert ws.recv(timeout=10) == "hello"


def test_the_route_cookie_is_chosen_and_signed_by_the_app():
    c = client(secret="s3cret")
    first = c.get("/")
    cookies = first.headers.get_list("set-cookie")
    route = next(v.split(";")[0].split("=", 1)[1] for v in cookies if v.startswith(f"{ROUTE_COOKIE}="))
    sig = next(v.split(";")[0].split("=", 1)[1] for v in cookies if v.startswith(f"{ROUTE_COOKIE}_sig="))
    # what nginx's secure_link_md5 "$cookie_cpt_route $cpt_route_secret" computes
    expected = base64.urlsafe_b64encode(hashlib.md5(f"{route} s3cret".encode()).digest()).decode().rstrip("=")
    assert sig == expected == route_signature(route, "s3cret")
    again = c.get("/", headers={"Cookie": f"{ROUTE_COOKIE}={route}; {ROUTE_COOKIE}_sig={sig}"})
    assert not again.headers.get_list("set-cookie")  # a signed route is kept
    forged = c.get("/", headers={"Cookie": f"{ROUTE_COOKIE}=mine; {ROUTE_COOKIE}_sig=whatever"})
    assert any(f"{ROUTE_COOKIE}=mine" not in v for v in forged.headers.get_list("set-cookie"))
    assert forged.headers.get_list("set-cookie")  # a chosen route is replaced
    assert not client(secret=None).get("/").headers.get_list("set-cookie")  # no proxy: no cookie
