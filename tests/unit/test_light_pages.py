"""The light routes (cpt_public/routes.py): walk stations as small HTML pages with a plain form.

Served here by a bare Starlette app with the same routes serve.py mounts, through Starlette's
test client; tests/e2e/test_light.py drives them in Chromium through serve.py."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from cpt_public.feedback.snapshots import counted_answers
from cpt_public.feedback.store import FeedbackStore, StoreError
from cpt_public.site.content import load_content
from cpt_public.site.light import inline_md

SITE = load_content()
WALK = SITE.walks.walk[0]
STATION = f"/s/{WALK.id}/2"


@pytest.fixture()
def db(monkeypatch, tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'fb.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    from cpt_public import cached

    cached._feedback_store.clear()
    return url


@pytest.fixture()
def client(db) -> TestClient:
    from cpt_public import routes

    routes.VISITORS = routes._Visitors()
    return TestClient(Starlette(routes=routes.routes()), base_url="https://data.example")


def form_of(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', html))


def post(client: TestClient, url: str = STATION, **values) -> object:
    page = client.get(url)
    data = {**form_of(page.text), "reflects": "partly", "comment": "", **values}
    return client.post(url, data=data, headers={"origin": "https://data.example"})


def saved(db: str):
    return FeedbackStore(db).frame()


def test_a_station_is_one_small_page_without_scripts(client):
    r = client.get(STATION + "?lang=en")
    html = r.text
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["cache-control"] == "private, no-store"  # it carries this visitor's form token
    assert "<script" not in html.lower()
    assert '<html lang="en">' in html
    finding = SITE.finding(WALK.stations[1])
    assert f"<h1>{finding.title['en']}</h1>" in html.replace("&#39;", "'")
    assert f"Station 2 of {len(WALK.stations)}" in html
    assert "Synthetic demonstration data" in html  # on every page
    # the chart: an image to assistive technology, named by its text alternative, at two widths
    svgs = re.findall(r'<svg role="img" aria-label="([^"]+)"', html)
    assert len(svgs) == 2 and svgs[0] == svgs[1] and len(svgs[0]) > 20
    assert "<table>" in html  # the numbers, as a real table
    for prompt in SITE.station(finding.id).prompts:
        assert prompt["en"].split("*")[0][:20] in html.replace("&#39;", "'")
    assert 'method="post"' in html and 'name="csrf"' in html
    assert r.cookies.get("cpt_visitor")
    assert len(r.content) < 100_000


def test_language_from_the_link_or_the_browser(client):
    es = client.get(STATION + "?lang=es").text
    assert '<html lang="es">' in es and "Estación 2 de" in es and "Enviar" in es
    assert "Datos sintéticos" in es
    browser = client.get(STATION, headers={"accept-language": "es-US,es;q=0.9,en;q=0.5"}).text
    assert '<html lang="es">' in browser
    assert "Station 2 of" in client.get(STATION + "?lang=fr").text  # a language we do not have: English


def test_steps_through_the_walk_to_a_closing_screen(client):
    m = len(WALK.stations)
    first = client.get(f"/s/{WALK.id}/1?lang=en&event=walk-1").text
    assert 'rel="prev"' not in first and f'href="/s/{WALK.id}/2?lang=en&amp;event=walk-1"' in first
    last = client.get(f"/s/{WALK.id}/{m}?lang=en").text
    assert f'href="/s/{WALK.id}/end?lang=en"' in last and "Finish the walk" in last
    end = client.get(f"/s/{WALK.id}/end?lang=en")
    assert end.status_code == 200 and "Thank you for walking with us" in end.text and "What happens next" in end.text
    root = client.get(f"/s/{WALK.id}?lang=es", follow_redirects=False)
    assert root.status_code == 303 and root.headers["location"] == f"/s/{WALK.id}/1?lang=es"
    # the interactive page is one link away, at the same station
    assert f'href="/walk?walk={WALK.id}&amp;station=1&amp;lang=en&amp;event=walk-1"' in first


@pytest.mark.parametrize("path", ["/s/no-such-walk/1", f"/s/{WALK.id}/0", f"/s/{WALK.id}/99", f"/s/{WALK.id}/x"])
def test_a_wrong_address_is_a_plain_not_found(client, path):
    r = client.get(path)
    assert r.status_code == 404 and "There is no such page" in r.text and "Traceback" not in r.text


def test_a_visitor_answers_and_the_words_are_stored_redacted(client, db):
    r = post(client, comment="Same at the shelter. Text me at 919-555-0134.", connection="provider", quote_ok="1")
    assert r.status_code == 200
    assert "Thank you" in r.text and "[phone]" in r.text  # what was stored, shown back
    assert "Same at the shelter" not in r.text.split('name="comment"')[1].split("</textarea>")[0]  # form cleared
    rows = saved(db)
    assert len(rows) == 1
    row = rows.iloc[0]
    assert row["station"] == WALK.stations[1] and row["reflects"] == "partly" and row["connection"] == "provider"
    assert row["comment"] == "Same at the shelter. Text me at [phone]."
    assert row["language"] == "en" and bool(row["quote_ok"])


def test_a_second_answer_at_the_same_station_replaces_the_first(client, db):
    post(client, reflects="yes")
    post(client, reflects="no")
    post(client, url=f"/s/{WALK.id}/3", reflects="yes")
    counted = counted_answers(saved(db))  # what a snapshot counts: the latest per visitor and station
    assert sorted(counted["reflects"]) == ["no", "yes"] and len(saved(db)) == 3
    other = TestClient(client.app, base_url="https://data.example")  # another phone: its own answer
    post(other, reflects="yes")
    assert len(counted_answers(saved(db))) == 3


def test_an_empty_or_invalid_answer_is_refused_with_the_words_kept(client, db):
    r = post(client, reflects="")
    assert r.status_code == 400 and "Choose an answer or write a comment first" in r.text
    r = post(client, reflects="maybe", comment="Half right.")
    assert r.status_code == 400 and ">Half right.</textarea>" in r.text
    assert saved(db).empty


def test_a_post_without_a_good_token_is_not_sent_and_keeps_the_words(client, db):
    page = client.get(STATION)
    fields = form_of(page.text)
    words = {"reflects": "no", "comment": "Nobody asked us <b>anything</b>."}
    other = TestClient(client.app, base_url="https://data.example")  # another browser: no cookie
    r = other.post(STATION, data={**fields, **words}, headers={"sec-fetch-site": "cross-site"})
    assert r.status_code == 403
    assert "Your words are still here" in r.text
    assert ">Nobody asked us &lt;b&gt;anything&lt;/b&gt;.</textarea>" in r.text  # kept, and escaped
    assert 'value="no" checked' in r.text
    r = client.post(STATION, data={**fields, **words, "csrf": "0" * 40})  # a forged token
    assert r.status_code == 403
    assert saved(db).empty
    # the page that came back carries a good token: sending again works
    again = client.post(STATION, data={**form_of(r.text), **words})
    assert again.status_code == 200 and len(saved(db)) == 1


def test_a_browser_without_cookies_can_answer_from_this_site(client, db):
    fields = form_of(client.get(STATION).text)
    client.cookies.clear()
    r = client.post(STATION, data={**fields, "reflects": "yes"}, headers={"sec-fetch-site": "same-origin"})
    assert r.status_code == 200 and len(saved(db)) == 1


def test_a_database_failure_keeps_the_words(client, db, monkeypatch):
    def broken(self, submission):
        raise StoreError("database is locked")

    monkeypatch.setattr(FeedbackStore, "add", broken)
    r = post(client, comment="The buses stop at 6.")
    assert r.status_code == 503 and "could not save this just now" in r.text
    assert ">The buses stop at 6.</textarea>" in r.text
    sid = form_of(r.text)["sid"]
    monkeypatch.undo()
    monkeypatch.setenv("DATABASE_URL", db)
    again = client.post(STATION, data={**form_of(r.text), "reflects": "partly", "comment": "The buses stop at 6."})
    assert again.status_code == 200 and saved(db)["submission_id"].tolist() == [sid]  # the same submission


def test_limits_apply_to_the_light_form(client, db, monkeypatch):
    monkeypatch.setenv("CPT_LIMIT_PER_CLIENT", "2")
    for station in (1, 2):
        assert post(client, url=f"/s/{WALK.id}/{station}").status_code == 200
    r = post(client, url=f"/s/{WALK.id}/3", comment="Third.")
    assert r.status_code == 429 and ">Third.</textarea>" in r.text
    assert len(saved(db)) == 2


def test_an_open_events_code_counts_and_an_unknown_one_is_dropped(client, db):
    store = FeedbackStore(db)
    store.add_event("staff", "spring-walk", WALK.id, "Spring walk")
    post(client, url=STATION + "?event=spring-walk")
    post(client, url=f"/s/{WALK.id}/3?event=no-such-event")
    rows = saved(db).sort_values("station")
    assert sorted(rows["event"].fillna("-")) == ["-", "spring-walk"]


def test_the_teams_words_cannot_inject_markup():
    assert inline_md("**Bold** and `code`") == "<strong>Bold</strong> and <code>code</code>"
    assert inline_md("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert "<a" not in inline_md("[click](javascript:alert(1)) ![x](http://e/x.png) <http://e>")


# ----------------------------------------------------------------------------- embeds and twins


def test_an_embed_shows_a_finding_with_its_source_and_data(client):
    finding = SITE.findings[0]
    r = client.get(f"/embed/{finding.id}?lang=es")
    html = r.text
    assert r.status_code == 200 and "<script" not in html.lower()
    assert r.headers["cache-control"].startswith("public") and r.headers["etag"]
    assert '<html lang="es">' in html and "Datos sintéticos" in html
    assert len(re.findall(r'<svg role="img" aria-label="', html)) == 2
    assert f"/data/{finding.table}.csv?lang=es" in html and f"/data/{finding.table}.json?lang=es" in html
    assert f"/findings?finding={finding.id}&amp;lang=es" in html
    again = client.get(f"/embed/{finding.id}?lang=es", headers={"if-none-match": r.headers["etag"]})
    assert again.status_code == 304 and not again.content
    assert client.get("/embed/no-such-finding").status_code == 404


def test_every_table_has_csv_and_json_twins(client):
    from cpt_public.release.catalog import load_release

    release = load_release()
    index = client.get("/data/?lang=en").json()
    assert index["synthetic"] is True and "Synthetic" in index["note"]
    assert [t["name"] for t in index["tables"]] == list(release.tables)
    for entry in index["tables"]:
        table = release[entry["name"]]
        csv = client.get(entry["csv"])
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        assert 'rel="describedby"' in csv.headers["link"]
        frame = pd.read_csv(io.BytesIO(csv.content), encoding="utf-8-sig", keep_default_na=False)
        assert len(frame) == len(table.frame)
        assert (
            frame["is_total"].tolist()
            == table.frame[[d.name for d in table.dimensions]].eq("Total").any(axis=1).tolist()
        )
        hidden = table.frame["suppressed"].to_numpy()
        assert (frame.loc[hidden, "Count"] == "").all()  # a hidden cell is empty, never 0
        assert set(frame["Data"]) == {index["note"]}  # synthetic, on every row
        payload = client.get(entry["json"]).json()
        assert payload["resource"]["name"] == entry["name"]
        assert payload["resource"]["cpt:disclosureControl"]["method"] == table.control.method
        assert len(payload["rows"]) == len(table.frame)
        assert all(row["count"] is None for row, h in zip(payload["rows"], hidden) if h)
        assert payload["period"]["start"] == release.package.period.start
    assert client.get("/data/no_such_table.csv").status_code == 404
    assert client.get(f"/data/{index['tables'][0]['name']}.xlsx").status_code == 404


def test_csv_headers_and_labels_follow_the_language(client):
    finding = SITE.findings[0]
    text = client.get(f"/data/{finding.table}.csv?lang=es").content.decode("utf-8-sig")
    header = text.splitlines()[0]
    assert "Cifra" in header and "Suprimido" in header and "Count" not in header


def test_what_was_stored_is_shown_in_the_visitors_language(client, db):
    r = post(client, url=STATION + "?lang=es", comment="Llámeme al 919-555-0134.")
    assert r.status_code == 200 and "[teléfono]" in r.text and "[phone]" not in r.text
    assert saved(db)["comment"].iat[0] == "Llámeme al [phone]."  # stored with the canonical marker


def test_a_release_that_cannot_be_shown_is_a_plain_page_not_a_traceback(client, monkeypatch, tmp_path):
    monkeypatch.setenv("CPT_RELEASE_DIR", str(tmp_path / "no-release-here"))
    for path in (STATION, f"/embed/{SITE.findings[0].id}", "/data/", f"/kiosk/{WALK.id}/1"):
        r = client.get(path)
        assert r.status_code == 503, path
        assert "cannot be shown" in r.text and "Traceback" not in r.text
