"""The light routes, served by Streamlit's ``st.App`` in the same process as the pages (serve.py):

- ``/s/<walk>/<n>``: a walk station as one small HTML page with a plain form (GET shows, POST
  sends); ``/s/<walk>/end`` the closing screen. Posters' and kiosks' QR codes point here.
- ``/kiosk/<walk>/<n>``: a station on a screen at the venue, with the QR code to its light page.
- ``/embed/<finding>``: a finding for news sites' and partners' pages (the one path that may be
  shown in another site's frame; server.py), cacheable.
- ``/data/``, ``/data/<table>.csv``, ``/data/<table>.json``: every published table's
  machine-readable twins (site/twins.py), cacheable.

The release, content and views come from the same per-process caches the Streamlit pages use
(cached.py), so a light page and the dashboard never show different numbers, and feedback goes
through the same service (validation, redaction, limits per session, client and overall,
storage). Everything but reading a posted form runs in a worker thread (_in_thread): the event
loop that carries every Streamlit session's websocket never waits for a chart or a release.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import threading
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from .errors import CptError

VISITOR_COOKIE = "cpt_visitor"
VISITOR_AGE_S = 12 * 3600  # a walk and its evening; the cookie is the visitor's only continuity
MAX_VISITORS = 20_000  # per-visitor limiters kept in memory (oldest dropped; the database limits remain)
NO_STORE = {"cache-control": "private, no-store"}  # a page with a form token is this visitor's alone
SHARED_MAX_AGE_S = 300  # embeds and twins: the same for everyone until the release changes
log = logging.getLogger("cpt_public")


class _Visitors:
    """Each light-page visitor's own limits (what a Streamlit session keeps in session_state)."""

    def __init__(self, size: int = MAX_VISITORS):
        self._lock = threading.Lock()
        self._items: collections.OrderedDict[str, tuple] = collections.OrderedDict()
        self._size = size

    def get(self, visitor: str) -> tuple:
        from .feedback.form import RateLimiter, RepeatGuard

        with self._lock:
            if visitor in self._items:
                self._items.move_to_end(visitor)
                return self._items[visitor]
            item = self._items[visitor] = (RateLimiter(), RepeatGuard())
            while len(self._items) > self._size:
                self._items.popitem(last=False)
            return item


VISITORS = _Visitors()


def _lang(request: Request) -> str:
    from .site.i18n import pick_language

    accepted = request.headers.get("accept-language", "").split(",")[0].split(";")[0].strip()
    return pick_language(request.query_params.get("lang"), accepted)


def _event(request: Request) -> str | None:
    from .feedback.form import EVENT_CODE

    event = request.query_params.get("event") or None
    return event if event and EVENT_CODE.fullmatch(event) else None


def _loaded():
    """(release, content), or the CptError that says why the site cannot be shown."""
    from .cached import content, release

    return release(), content()


def _unavailable(exc: Exception, lang: str) -> HTMLResponse:
    from .pages_support import translator
    from .site.light import message_page

    try:
        tr = translator(lang)
        title, body = tr("broken_title"), tr("broken_help")
    except Exception:  # the content itself is what is broken
        title, body = "The site cannot be shown", "Ask the site's maintainers to fix the problem."
    log.warning("light page not shown: %s", exc)
    return HTMLResponse(message_page(None, None, lang=lang, title=title, body=body), 503, headers=NO_STORE)


def _not_found(data, site, lang: str) -> HTMLResponse:
    from .site.light import message_page

    tr = site.translator(lang)
    html = message_page(data, site, lang=lang, title=tr("light_not_found"), body=tr("light_not_found_body"))
    return HTMLResponse(html, 404)


def _walk(site, walk_id: str):
    return next((w for w in site.walks.walk if w.id == walk_id), None)


def _svgs(data, lang: str, finding: str):
    from .cached import light_svg

    return tuple(light_svg(data.package.version, lang, finding, width) for width in _widths())


def _widths():
    from .site.light import NARROW, WIDE

    return (NARROW, WIDE)


def _in_thread(handler):
    """An endpoint whose work — loading (and, after a publish, verifying) the release, drawing
    charts, saving feedback — runs in a worker thread: the event loop that carries every
    Streamlit session's websocket never waits for it. ``handler(request, lang, data, site, form)``;
    a release or content that cannot be shown is a plain 503 page."""

    async def endpoint(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=20) if request.method == "POST" else None

        def run() -> Response:
            lang = _lang(request)
            try:
                data, site = _loaded()
            except CptError as exc:
                return _unavailable(exc, lang)
            return handler(request, lang, data, site, form)

        return await run_in_threadpool(run)

    return endpoint


def _station_page(request: Request, lang: str, data, site, form) -> Response:
    walk = _walk(site, request.path_params["walk"])
    raw = request.path_params["n"]
    if walk is None:
        return _not_found(data, site, lang)
    if raw == "end":
        return _end(request, data, site, walk, lang)
    if not raw.isdigit() or not 1 <= int(raw) <= len(walk.stations):
        return _not_found(data, site, lang)
    return _station(request, data, site, walk, int(raw), lang, form)


def _links(request: Request, walk, n: int, lang: str):
    from .site import walks
    from .site.i18n import LANGUAGES
    from .site.light import StationLinks

    event = _event(request)
    m = len(walk.stations)

    def here(k, language=lang):
        return (
            walks.station_path(walk.id, k) + "?" + urlencode({"lang": language, **({"event": event} if event else {})})
        )

    return StationLinks(
        this=here(n),
        previous=here(n - 1) if n > 1 else None,
        next=here(n + 1) if n < m else here("end"),
        rich=walks.interactive_url("", walk.id, n, lang, event=event),
        languages={code: here(n, code) for code in LANGUAGES},
    )


STATUS = {"fb_save_failed": 503, "form_busy": 429, "form_network_busy": 429, "form_rate_limited": 429}


def _visitor(request: Request, form, key: bytes) -> tuple[str | None, bool]:
    """(the visitor id, whether a POST's token is good). The token must match the visitor id
    the page was made for, and that id must be the visitor's cookie — or, for a browser that
    keeps no cookies, the browser must say the post came from this site (Sec-Fetch-Site)."""
    from .feedback.form import VISITOR, token_ok

    cookie = request.cookies.get(VISITOR_COOKIE)
    cookie = cookie if cookie and VISITOR.fullmatch(cookie) else None
    if form is None:
        return cookie, False
    claimed = str(form.get("visitor") or "")
    same_site = cookie == claimed if cookie else request.headers.get("sec-fetch-site") == "same-origin"
    return cookie or (claimed if VISITOR.fullmatch(claimed) else None), same_site and token_ok(
        key, claimed, str(form.get("csrf") or "")
    )


def _station(request: Request, data, site, walk, n: int, lang: str, form) -> Response:
    from .cached import feedback_store, view
    from .feedback import limits
    from .feedback.form import MAX_COMMENT, answer_key, form_token, new_submission_id, new_visitor
    from .feedback.service import submit
    from .site.light import FormState, station_page
    from .site.text import shown_markers

    tr = site.translator(lang)
    store = feedback_store()
    key = limits.secret(store, "light-form")
    visitor, valid = _visitor(request, form, key)
    visitor = visitor or new_visitor()
    finding = walk.stations[n - 1]
    state = FormState(csrf=form_token(key, visitor), sid=new_submission_id(), visitor=visitor)
    status = 200
    if form is not None:
        values = {
            "reflects": form.get("reflects") or None,
            "comment": str(form.get("comment") or ""),
            "connection": form.get("connection") or None,
            "quote_ok": form.get("quote_ok") == "1",
        }
        sid = str(form.get("sid") or "")
        sid = sid if len(sid) == 36 else new_submission_id()
        kept = {**values, "connection": values["connection"] or ""}
        if not valid:
            # The cookie expired, this browser keeps none and does not say where the post came
            # from, or another site posted: not sent, and nothing lost — the words come back
            # with a fresh token, to send again.
            state = dataclasses.replace(state, sid=sid, values=kept, message=tr("form_expired"))
            status = 403
        else:
            address = limits.client_address(request.client.host if request.client else None, request.headers)
            try:
                client = limits.client_key(store, address)
            except OSError:
                client = None
            limiter, repeats = VISITORS.get(visitor)
            outcome = submit(
                store,
                limiter,
                sid,
                repeats,
                client,
                station=finding,
                language=lang,
                stations=set(walk.stations),
                event=_event(request),
                answer_key=answer_key(visitor, finding),
                **values,
            )
            if outcome.ok:
                saved = tr("fb_saved_as", text=shown_markers(outcome.saved_text, tr)) if outcome.redacted else ""
                state = dataclasses.replace(state, message=tr("fb_thanks"), ok=True, saved_as=saved)
            else:
                message = tr(
                    outcome.message_key, **({"max": MAX_COMMENT} if outcome.message_key == "form_too_long" else {})
                )
                state = dataclasses.replace(state, sid=sid, values=kept, message=message)
                status = STATUS.get(outcome.message_key, 400)
    html = station_page(
        data,
        site,
        view(finding, lang),
        walk=walk,
        n=n,
        lang=lang,
        form=state,
        links=_links(request, walk, n, lang),
        svgs=_svgs(data, lang, finding),
    )
    response = HTMLResponse(html, status, headers=NO_STORE)
    if request.cookies.get(VISITOR_COOKIE) != visitor:
        response.set_cookie(VISITOR_COOKIE, visitor, max_age=VISITOR_AGE_S, path="/s/", httponly=True, samesite="lax")
    return response


def _end(request: Request, data, site, walk, lang: str) -> Response:
    from .site import walks
    from .site.light import end_page

    event = _event(request)
    query = "?" + urlencode({"lang": lang, **({"event": event} if event else {})})
    html = end_page(
        data,
        site,
        walk=walk,
        lang=lang,
        back=walks.station_path(walk.id, 1) + query,
        home="/home?" + urlencode({"lang": lang}),
        heard="/feedback?" + urlencode({"lang": lang}),
    )
    return HTMLResponse(html)


def _kiosk_page(request: Request, lang: str, data, site, form) -> Response:
    walk = _walk(site, request.path_params["walk"])
    raw = request.path_params["n"]
    if walk is None or not raw.isdigit() or not 1 <= int(raw) <= len(walk.stations):
        return _not_found(data, site, lang)
    return _kiosk(request, data, site, walk, int(raw), lang)


# A kiosk's chart is drawn in this box, long names on fewer lines, then scaled to fill its part
# of the screen (about 1100 x 880 at 1920 x 1080): 13-pixel type becomes about 21 pixels.
KIOSK_CHART = (680, 540, 40)


def _kiosk(request: Request, data, site, walk, n: int, lang: str) -> Response:
    import os

    from .cached import light_svg, view
    from .site import walks
    from .site.light import kiosk_page

    base = walks.public_base(os.environ.get("CPT_PUBLIC_URL"), str(request.base_url))
    link = walks.station_url(base, walk.id, n, lang, event=_event(request))
    finding = walk.stations[n - 1]
    html = kiosk_page(
        data,
        site,
        view(finding, lang),
        walk=walk,
        n=n,
        lang=lang,
        svg=light_svg(data.package.version, lang, finding, *KIOSK_CHART),
        link=link,
        qr=walks.qr_svg(link, scale=8),
        local=walks.is_local(link),
    )
    return HTMLResponse(html, headers={"cache-control": "no-cache"})


async def station_root(request: Request) -> Response:
    """/s/<walk> alone: its first station."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/s/{request.path_params['walk']}/1{query}", 303)


def _shared(request: Request, data, lang: str, body: bytes | str, media_type: str, **headers) -> Response:
    """A response that is the same for everyone who asks for it in this language: cacheable for
    a few minutes, with an ETag (the release, the content folder, the language and the path) so
    a browser or proxy asks again cheaply; 304 when it already has it."""
    import hashlib

    from .site.content import content_dir

    stamp = f"{data.package.version}|{content_dir()}|{lang}|{request.url.path}"
    etag = '"' + hashlib.sha256(stamp.encode()).hexdigest()[:32] + '"'
    common = {
        "cache-control": f"public, max-age={SHARED_MAX_AGE_S}",
        "etag": etag,
        "vary": "Accept-Language",
        **headers,
    }
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=common)
    return Response(body, media_type=media_type, headers=common)


def _data_link(name: str, fmt: str, lang: str) -> str:
    return f"/data/{name}.{fmt}?" + urlencode({"lang": lang})


def _embed_page(request: Request, lang: str, data, site, form) -> Response:
    finding = next((f for f in site.findings if f.id == request.path_params["finding"]), None)
    if finding is None:
        return _not_found(data, site, lang)
    return _embed(request, data, site, finding, lang)


def _embed(request: Request, data, site, finding, lang: str) -> Response:
    from .cached import view
    from .site.light import embed_page

    shown = view(finding.id, lang)
    links = {"more": "/findings?" + urlencode({"finding": finding.id, "lang": lang})}
    for name in shown.tables:
        links[f"{name}.csv"] = _data_link(name, "csv", lang)
        links[f"{name}.json"] = _data_link(name, "json", lang)
    html = embed_page(data, site, shown, finding=finding, lang=lang, svgs=_svgs(data, lang, finding.id), links=links)
    return _shared(request, data, lang, html, "text/html; charset=utf-8")


def _twin(request: Request, lang: str, data, site, form) -> Response:
    """/data/<table>.csv and .json: a published table in a machine-readable form."""
    from .site import twins

    name, fmt = request.path_params["table"], request.path_params["fmt"]
    if name not in data.tables or fmt not in ("csv", "json"):
        return _not_found(data, site, lang)
    tr = site.translator(lang)
    table = data.tables[name]
    described = {"link": f'<{_data_link(name, "json", lang)}>; rel="describedby"'}
    if fmt == "csv":
        disposition = f'attachment; filename="{name}-{lang}.csv"'
        body = twins.table_csv(data, table, tr)
        return _shared(
            request, data, lang, body, "text/csv; charset=utf-8", **described, **{"content-disposition": disposition}
        )
    links = {"csv": _data_link(name, "csv", lang), "catalog": "/data/?" + urlencode({"lang": lang})}
    return _shared(request, data, lang, _json(twins.table_json(data, table, tr, links)), "application/json")


def _json(payload) -> bytes:
    import json

    return json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")


def _data_catalog(request: Request, lang: str, data, site, form) -> Response:
    from .site import twins

    payload = twins.catalog(data, site.translator(lang), lambda name, fmt: _data_link(name, fmt, lang))
    return _shared(request, data, lang, _json(payload), "application/json")


def routes() -> list[Route]:
    return [
        Route("/s/{walk}/{n}", _in_thread(_station_page), methods=["GET", "POST"]),
        Route("/s/{walk}", station_root),
        Route("/kiosk/{walk}/{n}", _in_thread(_kiosk_page)),
        Route("/embed/{finding}", _in_thread(_embed_page)),
        Route("/data/", _in_thread(_data_catalog)),
        Route("/data/{table}.{fmt}", _in_thread(_twin)),
    ]
