"""A visitor without a browser: Streamlit's own websocket protocol, as the browser speaks it.

The browser opens ``/_stcore/stream`` and sends ``BackMsg.rerun_script`` with the page, the query
string and the values of the widgets on screen; the server runs the script and streams
``ForwardMsg`` deltas until ``script_finished``. This client does the same with Streamlit's
protobuf classes (the messages were read off Chromium's websocket frames), so the load the
server sees is a real session's, at a fraction of a browser's cost on the same two cores.

Used by benchmarks/visitors.py (concurrent visitors) and benchmarks/pages.py (server time of a
rerun), and by tests/e2e/test_hardening.py. Not a general-purpose client: it knows the widgets
this app uses.
"""

from __future__ import annotations

import dataclasses
import re
import time
import urllib.request
from urllib.parse import urlencode, urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.sync.client import connect

ASSET = re.compile(r'(?:src|href)="(\./static/[^"]+\.(?:js|css))"')


class VisitorError(Exception):
    """The server refused, failed, or did not finish a run in time."""


@dataclasses.dataclass
class Run:
    seconds: float
    texts: list[str]  # markdown, alert and heading bodies, in order
    exceptions: list[str]
    widgets: dict[str, str]  # user key (or label) -> widget id
    options: dict[str, list[str]]  # user key -> the labels a choice widget offers

    def has(self, text: str) -> bool:
        return any(text in t for t in self.texts)


def fetch_site(base: str, assets: bool = True, timeout: float = 60) -> tuple[float, int, str]:
    """What a first-time browser fetches before the websocket: the page and its script and
    style bundles. Returns (seconds, bytes, the cookies it was given as a Cookie header) — behind
    a proxy with sticky sessions the cookie is what keeps the visitor on one process."""
    started, size = time.perf_counter(), 0
    with urllib.request.urlopen(base + "/", timeout=timeout) as response:
        html = response.read()
        cookie = "; ".join(c.split(";", 1)[0] for c in response.headers.get_all("Set-Cookie") or [])
    size += len(html)
    if assets:
        for path in sorted(set(ASSET.findall(html.decode("utf-8", "replace")))):
            req = urllib.request.Request(f"{base}/{path[2:]}", headers={"Accept-Encoding": "gzip", "Cookie": cookie})
            size += len(urllib.request.urlopen(req, timeout=timeout).read())
    return time.perf_counter() - started, size, cookie


class Visitor:
    """One browser tab's session. ``open(page)`` then ``set``/``click`` widgets by key."""

    def __init__(self, base: str, timeout: float = 60, locale: str = "en-US", cookie: str = ""):
        self.base, self.timeout, self.locale = base.rstrip("/"), timeout, locale
        parts = urlsplit(self.base)
        self._connection = connect(
            f"ws://{parts.netloc}/_stcore/stream",
            subprotocols=["streamlit"],
            origin=f"{parts.scheme}://{parts.netloc}",
            open_timeout=timeout,
            max_size=None,
            additional_headers={"Cookie": cookie} if cookie else None,
        )
        self.ws = self._connection.__enter__()
        self.page_hash = ""
        self.page_name = ""
        self.query = ""
        self.widgets: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}
        self.values: dict[str, WidgetState] = {}

    def close(self) -> None:
        self._connection.__exit__(None, None, None)

    def __enter__(self) -> Visitor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ navigation and widgets

    def open(self, page: str = "", **query: str) -> Run:
        """Go to a page by its URL path ("" is the home page), as typing its address would."""
        self.page_name, self.page_hash, self.query = page, "", urlencode(query)
        self.values = {}
        return self._rerun()

    def set(self, key: str, value: str | list[str]) -> None:
        """A widget's new value, as the browser sends it (the option's label for a choice)."""
        ws = WidgetState(id=self._id(key))
        if isinstance(value, list):
            ws.string_array_value.data.extend(value)
        else:
            ws.string_value = value
        self.values[ws.id] = ws

    def rerun(self) -> Run:
        return self._rerun()

    def click(self, key: str) -> Run:
        """Press a button (a form's submit button is keyed ``FormSubmitter:<form>-<label>``)."""
        trigger = WidgetState(id=self._id(key), trigger_value=True)
        return self._rerun(extra=[trigger])

    def _id(self, key: str) -> str:
        try:
            return self.widgets[key]
        except KeyError:
            raise VisitorError(f"no widget {key!r} on this page (have {sorted(self.widgets)})") from None

    # ------------------------------------------------------------------ protocol

    def _rerun(self, extra: list[WidgetState] = ()) -> Run:
        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = self.query
        rs.page_script_hash = self.page_hash
        if not self.page_hash:
            rs.page_name = self.page_name
        rs.widget_states.widgets.extend([*self.values.values(), *extra])
        ci = rs.context_info
        ci.timezone, ci.locale, ci.url = "UTC", self.locale, f"{self.base}/{self.page_name}"
        started = time.perf_counter()
        try:
            self.ws.send(msg.SerializeToString())
        except Exception as exc:  # the server already closed the connection (e.g. after garbage)
            raise VisitorError(f"connection closed: {exc}") from exc
        texts: list[str] = []
        exceptions: list[str] = []
        widgets: dict[str, str] = {}
        options: dict[str, list[str]] = {}
        deadline = started + self.timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise VisitorError(f"no script_finished within {self.timeout:.0f} s")
            try:
                data = self.ws.recv(timeout=left)
            except TimeoutError:
                continue
            except Exception as exc:  # the server closed the connection
                raise VisitorError(f"connection closed: {exc}") from exc
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "navigation":  # st.navigation names the page that ran: later reruns stay on it
                self.page_hash = fwd.navigation.page_script_hash
            elif kind == "page_info_changed" and fwd.page_info_changed.query_string:
                self.query = fwd.page_info_changed.query_string  # the app wrote its state into the URL
            elif kind == "page_not_found":
                raise VisitorError(f"page not found: {self.page_name!r}")
            elif kind == "delta":
                self._read_delta(fwd, texts, exceptions, widgets, options)
            elif kind == "script_finished":
                status = fwd.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise VisitorError("the script failed to compile")
                break
        self.widgets, self.options = widgets, options
        return Run(time.perf_counter() - started, texts, exceptions, widgets, options)

    @staticmethod
    def _read_delta(
        fwd: ForwardMsg, texts: list[str], exceptions: list[str], widgets: dict[str, str], options: dict[str, list[str]]
    ) -> None:
        delta = fwd.delta
        if delta.WhichOneof("type") != "new_element":
            return
        el = delta.new_element
        kind = el.WhichOneof("type")
        if kind is None:
            return
        body = getattr(el, kind)
        if kind == "exception":
            exceptions.append(f"{body.type}: {body.message}")
        elif kind in ("markdown", "alert", "heading"):
            texts.append(body.body)
        wid = getattr(body, "id", "")
        if wid:
            key = (
                wid.split("-", 2)[2] if wid.startswith("$$ID-") and wid.count("-") >= 2 else getattr(body, "label", wid)
            )
            widgets[key] = wid
            if kind in ("radio", "selectbox", "multiselect"):
                options[key] = list(body.options)
