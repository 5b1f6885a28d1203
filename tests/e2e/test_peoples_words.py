"""People's words in a real browser, and the server that carries them:

- two staff members moderate a visitor's comment, code it (whole comment and an excerpt), see
  their agreement, publish "What we heard" and export the codebook as REFI-QDA XML that the
  standard's schema accepts;
- the single process (serve.py) sends its security headers on every response, keeps its metrics
  to this machine, and cannot be framed by another site;
- ``make app`` cannot be reached from another machine.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import urllib.error
import urllib.request

import pytest

from benchmarks.serve import free_port, streamlit_server, wait_healthy
from cpt_public.feedback.staff import hash_password
from cpt_public.server import CSP, HEADERS
from tests.conftest import ROOT
from tests.e2e.conftest import SIZES, open_page, response_headers, settle

STAFF = {"ana": "ana's long passphrase", "ben": "ben's long passphrase"}


@pytest.fixture(scope="module")
def staffed(tmp_path_factory):
    """The app with two real staff accounts (a secrets file) and its own feedback database."""
    folder = tmp_path_factory.mktemp("staffed")
    lines = []
    for user, password in STAFF.items():
        lines += [
            f"[staff.accounts.{user}]",
            f'name = "{user.title()}"',
            f'password_hash = "{hash_password(password)}"',
        ]
    (folder / "secrets.toml").write_text("\n".join(lines) + "\n")
    env = {
        "CPT_RELEASE_DIR": str(ROOT / "published_data"),
        "DATABASE_URL": f"sqlite:///{folder / 'feedback.sqlite'}",
        "CPT_DEMO_STAFF": None,
        "CPT_CONTENT_DIR": None,
    }
    with streamlit_server(
        env=env, log=folder / "server.log", args=("--secrets.files", str(folder / "secrets.toml"))
    ) as (url, _):
        yield url, env["DATABASE_URL"]


def sign_in(browser, base: str, user: str):
    context = browser.new_context(viewport=SIZES["desktop"], accept_downloads=True, locale="en-US")
    pg = context.new_page()
    open_page(pg, base + "/staff")
    pg.get_by_label("User name").fill(user)
    pg.get_by_role("textbox", name="Password").fill(STAFF[user])
    pg.get_by_role("button", name="Sign in").click()
    settle(pg)
    assert pg.get_by_text(f"Signed in as {user.title()}").count() >= 1
    go(pg, "Staff: review feedback")
    return pg


def go(pg, link: str):
    """Follow a staff page link in the page itself (the top bar may fold it away)."""
    main = pg.locator("[data-testid='stMainBlockContainer']")
    main.get_by_role("link", name=link).first.click()
    settle(pg)
    return main


def pick(pg, label: str, option: str):
    """Choose an option in a Streamlit multiselect (a combobox: type, then pick)."""
    box = pg.get_by_role("combobox", name=label).first
    box.click()
    box.fill(option)
    pg.get_by_role("option", name=option).first.click()
    pg.keyboard.press("Escape")
    settle(pg)


def open_card(main, pg, words: str):
    """Open the moderation and coding tools of the comment card holding ``words``."""
    card = main.locator("[class*='st-key-card_']").filter(has_text=words).first
    toggle = card.get_by_text("Moderate and code")
    if card.get_by_role("switch").first.is_checked():
        return card
    toggle.click()
    settle(pg)
    return main.locator("[class*='st-key-card_']").filter(has_text=words).first


def code_comment(pg, words: str, excerpt: bool):
    main = go(pg, "Staff: review feedback")
    pg.get_by_label("Search the words").fill(words)
    pg.keyboard.press("Enter")
    settle(pg)
    open_card(main, pg, words)
    pick(pg, "Codes for the whole comment", "Waiting")
    if excerpt:
        pg.get_by_role("button", name="Add excerpt").click()
        settle(pg)
    pg.get_by_role("button", name="Save my coding (done)").click()
    settle(pg)
    assert main.get_by_text("Coding saved.").count() == 1
    return main


def test_two_staff_moderate_code_agree_publish_and_export(staffed, browser, tmp_path):
    base, db = staffed
    visitor = browser.new_context(viewport=SIZES["phone"], locale="en-US").new_page()
    open_page(visitor, base + "/feedback")
    visitor.locator("[data-testid='stRadio'] label").filter(has_text="Partly").first.click()
    words = "We waited two years for a voucher. My caseworker Tiffany Moore was kind."
    visitor.get_by_label("In your own words (optional)").fill(words)
    visitor.get_by_text("You may quote my words, without my name").click()
    visitor.get_by_role("button", name="Send").click()
    settle(visitor)
    assert visitor.get_by_text("Thank you").count() == 1
    stored = "We waited two years for a voucher. My caseworker [name] was kind."

    ana = sign_in(browser, base, "ana")
    main = go(ana, "Staff: codebook")
    ana.get_by_label("Name (English)").fill("Waiting")
    ana.get_by_label("Name (Spanish)").fill("Espera")
    ana.get_by_label("Definition (English)").fill("Time spent on waiting lists")
    ana.get_by_role("button", name="Save the code").click()
    settle(ana)

    main = go(ana, "Staff: review feedback")
    main.get_by_text(stored, exact=True).first.wait_for()  # the name was removed before storing
    open_card(main, ana, "waited two years")
    ana.get_by_role("button", name="Mark reviewed").click()
    settle(ana)
    open_card(main, ana, "waited two years")
    ana.get_by_role("button", name="Use as a quote").click()
    settle(ana)
    assert main.get_by_text("Chosen as a quote.").count() == 1
    code_comment(ana, "waited two years", excerpt=True)

    ben = sign_in(browser, base, "ben")
    code_comment(ben, "waited two years", excerpt=False)

    main = go(ana, "Staff: codebook")
    agreement = main.locator("[data-testid='stTable']").last
    rows = agreement.inner_text()
    assert "Waiting" in rows and "Comments both coded" in rows
    with ana.expect_download() as download:
        ana.get_by_role("button", name=re.compile("REFI-QDA")).click()
    from cpt_public.feedback.coding import validate_qdc

    document = open(download.value.path(), "rb").read()
    validate_qdc(document)  # the standard's schema accepts it
    assert b'name="Waiting"' in document and b"Espera" in document

    main = go(ana, "Staff: report back")
    ana.get_by_role("button", name="Publish").click()
    settle(ana)
    assert main.get_by_text("Published: the public page shows it now.").count() == 1

    open_page(visitor, base + "/feedback")
    heard = visitor.locator("[data-testid='stMainBlockContainer']")
    heard.get_by_text("In people's own words").wait_for()
    assert heard.get_by_text(stored, exact=True).count() == 1  # the chosen, consented quote
    assert heard.get_by_text("not enough responses yet", exact=False).count() >= 1  # one answer: no counts


def test_every_response_of_the_single_process_has_the_security_headers(server):
    html = urllib.request.urlopen(server + "/", timeout=10).read().decode()
    script = re.search(r'src="\./(static/[^"]+\.js)"', html).group(1)
    expected = {**HEADERS, "content-security-policy": CSP, "x-frame-options": "DENY"}
    for path, status, extra in [
        ("/", 200, {}),
        (f"/{script}", 200, {"Accept-Encoding": "gzip"}),
        ("/_stcore/health", 200, {}),
        ("/_stcore/metrics", 404, {"X-Real-IP": "198.51.100.7"}),  # as if through the proxy: private
        ("/no-such-file.txt", 200, {}),  # Streamlit answers unknown paths with the app
    ]:
        code, headers = response_headers(server + path, extra)
        assert code == status, path
        for name, value in expected.items():
            assert headers.get_all(name) == [value], (path, name)
    code, headers = response_headers(f"{server}/{script}", {"Accept-Encoding": "gzip"})
    assert headers.get("Content-Encoding") == "gzip"  # scripts are compressed


def test_no_other_site_can_frame_the_app(server, browser):
    context = browser.new_context()
    pg = context.new_page()
    other = "http://other-site.example/"
    pg.route(
        other, lambda route: route.fulfill(content_type="text/html", body=f'<iframe src="{server}/staff"></iframe>')
    )
    blocked = []
    pg.on("console", lambda m: blocked.append(m.text) if "frame-ancestors" in m.text else None)
    pg.goto(other)
    pg.wait_for_timeout(3000)
    frame = pg.frames[1]
    shows_app = False
    try:
        shows_app = frame.evaluate("!!document.querySelector('[data-testid=stApp]')")
    except Exception:  # noqa: BLE001  (an error page cannot be evaluated)
        pass
    assert not shows_app and (blocked or not frame.url.startswith(server)), (frame.url, blocked)
    context.close()


def _outward_address() -> str | None:
    """This machine's address on its network (not loopback), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # no packet is sent for UDP connect
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_make_app_cannot_be_reached_from_another_machine(tmp_path):
    address = _outward_address()
    if address is None:
        pytest.skip("this machine has no network address other than loopback")
    port = free_port()
    log = tmp_path / "make-app.log"
    env = {**os.environ, "STREAMLIT_SERVER_PORT": str(port), "STREAMLIT_SERVER_HEADLESS": "true"}
    with open(log, "w") as out:
        proc = subprocess.Popen(
            ["make", "--no-print-directory", "app"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", proc, log, timeout=180)
        with pytest.raises(OSError):
            socket.create_connection((address, port), timeout=3).close()
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
