"""Beyond one machine, as far as it can be tested here: the shipped deploy/nginx.conf in front of
two app processes started by deploy/run-app.sh (what the container runs), feedback in PostgreSQL.
(The Dockerfile itself is checked in tests/unit/test_deploy.py: no image can be built here.)

Locally these skip with a reason when nginx or PostgreSQL is missing; under CI=true that fails.
"""

from __future__ import annotations

import collections
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from benchmarks.serve import free_port, wait_healthy
from benchmarks.visitors import count_comments, journey, run_tag
from tests.conftest import ROOT
from tests.e2e.conftest import IDLE, open_page, response_headers, settle

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
ROUTE_SECRET = "route-secret-shared-by-nginx-and-the-apps"
RUN = run_tag()  # the PostgreSQL test database outlives a run: count only this run's comments


def render_nginx(ports: list[int], listen: int, folder: Path) -> Path:
    """deploy/nginx.conf with its '# test:' lines pointed at this machine."""
    lines = []
    upstreams_done = False
    for line in (ROOT / "deploy" / "nginx.conf").read_text().splitlines():
        if line.rstrip().endswith("# test: upstreams"):
            if not upstreams_done:
                lines += [f"        server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;" for p in ports]
                upstreams_done = True
            continue
        if line.rstrip().endswith("# test: listen"):
            line = f"        listen 127.0.0.1:{listen};"
        elif line.rstrip().endswith("# test: cache"):
            line = line.replace("/var/cache/nginx/cpt", str(folder / "cache"))
        elif line.rstrip().endswith("# test: log"):
            line = f"    access_log {folder / 'access.log'} cpt;"
        elif line.rstrip().endswith("# test: secret"):
            line = f'        set $cpt_route_secret "{ROUTE_SECRET}";'
        lines.append(line)
    conf = folder / "nginx.conf"
    conf.write_text("\n".join(lines) + "\n")
    shutil.copy("/etc/nginx/mime.types", folder / "mime.types")
    shutil.copy(ROOT / "deploy" / "cpt-headers.conf", folder / "cpt-headers.conf")
    return conf


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two app processes behind nginx, sharing a PostgreSQL feedback database."""
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (apt-get install nginx; .ci/run does)")
    pg = os.environ.get("CPT_TEST_POSTGRES_URL")
    if not pg:
        pytest.skip("the deployment test needs CPT_TEST_POSTGRES_URL (run scripts/postgres-for-tests.sh as root)")
    folder = tmp_path_factory.mktemp("cluster")
    ports = [free_port(), free_port()]
    env = {
        **os.environ,
        "DATABASE_URL": pg,
        "CPT_RELEASE_DIR": str(ROOT / "published_data"),
        "ADDRESS": "127.0.0.1",
        "STREAMLIT_SERVER_COOKIE_SECRET": "test-secret-shared-by-every-process",
        "CPT_ROUTE_SECRET": ROUTE_SECRET,
        "CPT_CLIENT_KEY": "client-key-shared-by-every-process",
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    env.pop("CPT_DEMO_STAFF", None)
    procs = []
    for i, port in enumerate(ports):
        log = folder / f"app{i}.log"
        with open(log, "w") as out:
            procs.append(
                (
                    subprocess.Popen(
                        [str(ROOT / "deploy" / "run-app.sh")],
                        env={**env, "PORT": str(port)},
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    ),
                    log,
                    port,
                )
            )
    listen = free_port()
    conf = render_nginx(ports, listen, folder)
    global_directives = f"daemon off; pid {folder / 'nginx.pid'}; error_log {folder / 'error.log'};"
    if os.geteuid() == 0:
        global_directives += " user root;"  # workers must read the test's private temp folders
    nginx_log = folder / "error.log"
    nginx = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(conf), "-g", global_directives],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        for proc, log, port in procs:
            wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", proc, log)
        base = f"http://127.0.0.1:{listen}"
        wait_healthy(f"{base}/_stcore/health", nginx, nginx_log)
        yield {"base": base, "procs": procs, "folder": folder, "db": pg}
    finally:
        nginx.terminate()
        for proc, _, _ in procs:
            proc.terminate()
        for p in [nginx] + [p for p, _, _ in procs]:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def access_log(cluster) -> list[dict]:
    pattern = re.compile(
        r'"(?P<method>\S+) (?P<path>\S+)[^"]*" (?P<status>\d+) \d+ route=(?P<route>\S+) '
        r"upstream=(?P<upstream>\S+)"
    )
    return [
        m.groupdict()
        for line in (cluster["folder"] / "access.log").read_text().splitlines()
        if (m := pattern.search(line))
    ]


def test_visitors_spread_over_both_processes_and_each_stays_on_one(cluster):
    results = [None] * 16

    def visit(i: int) -> None:
        results[i] = journey(cluster["base"], f"deploy-{RUN}-{i}", lambda: None, None)

    threads = [threading.Thread(target=visit, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert all(r is not None for r in results)
    assert [e for _, _, errs, _ in results for e in errs] == []
    assert all(thanked for *_, thanked in results)
    assert count_comments(cluster["db"], f"load test deploy-{RUN}-") == 16  # one PostgreSQL, both processes
    log = [r for r in access_log(cluster) if r["route"] != "-"]
    streams = [r for r in log if r["path"].startswith("/_stcore/stream")]
    assert len(streams) >= 16
    by_route = collections.defaultdict(set)
    for r in log:
        if r["upstream"] != "-":  # "-": answered from nginx's own cache of static files
            by_route[r["route"]].add(r["upstream"])
    sticky = {route: ups for route, ups in by_route.items() if any(s["route"] == route for s in streams)}
    assert all(len(ups) == 1 for ups in sticky.values()), f"a visitor moved between processes: {sticky}"
    used = {next(iter(ups)) for ups in sticky.values()}
    assert len(used) == 2, f"16 visitors all went to {used}: the route cookie does not spread them"


def test_a_browser_through_the_proxy_downloads_and_sends_feedback(cluster, browser):
    context = browser.new_context(accept_downloads=True)
    pg = context.new_page()
    open_page(pg, cluster["base"] + "/findings?finding=frequent_jail_use")
    assert any(c["name"] == "cpt_route" for c in context.cookies())
    with pg.expect_download() as dl:
        pg.get_by_role("button", name="Table (CSV)").click()
    assert (
        "Count" in Path(dl.value.path()).read_text(encoding="utf-8-sig").splitlines()[0]
    )  # served by the same process
    pg.goto(cluster["base"] + "/feedback")
    pg.wait_for_selector(IDLE)
    pg.get_by_text("Partly").first.click()
    pg.get_by_label("In your own words (optional)").fill(f"deploy-browser-{RUN}: sent through nginx")
    pg.get_by_role("button", name="Send").click()
    settle(pg)
    assert pg.get_by_text("Thank you").count() == 1
    assert count_comments(cluster["db"], f"deploy-browser-{RUN}") == 1
    context.close()


def test_static_files_are_cached_by_the_proxy(cluster):
    html = urllib.request.urlopen(cluster["base"] + "/", timeout=10).read().decode()
    script = re.search(r'src="\./(static/[^"]+\.js)"', html).group(1)
    statuses = []
    for _ in range(2):
        with urllib.request.urlopen(f"{cluster['base']}/{script}", timeout=10) as r:
            statuses.append(r.headers.get("X-Cache"))
    assert statuses[-1] == "HIT"


def test_when_one_process_stops_new_visitors_are_served_by_the_other(cluster):
    proc, _, _ = cluster["procs"][0]
    proc.terminate()
    proc.wait(timeout=20)
    for i in range(6):  # whatever process their route cookie points at
        times, loads, errors, thanked = journey(cluster["base"], f"deploy-failover-{RUN}-{i}", lambda: None, None)
        assert errors == [] and thanked


def test_every_response_through_the_proxy_has_the_security_headers_once(cluster):
    from cpt_public.server import CSP, HEADERS

    html = urllib.request.urlopen(cluster["base"] + "/", timeout=10).read().decode()
    script = re.search(r'src="\./(static/[^"]+\.js)"', html).group(1)
    paths = {"/": 200, f"/{script}": 200, "/_stcore/health": 200, "/_stcore/metrics": 404, "/findings": 200}
    for path, status in paths.items():
        for _ in range(2):  # the second static request is answered from nginx's cache
            code, headers = response_headers(cluster["base"] + path)
            assert code == status, path
            for name, value in {**HEADERS, "content-security-policy": CSP, "x-frame-options": "DENY"}.items():
                assert headers.get_all(name) == [value], (path, name, headers.get_all(name))


def test_embeds_may_be_framed_and_light_pages_pass_through_the_proxy(cluster):
    from cpt_public.server import CSP_EMBED, HEADERS
    from cpt_public.site.content import load_content

    site = load_content()
    code, headers = response_headers(f"{cluster['base']}/embed/{site.findings[0].id}?lang=es")
    assert code == 200 and headers.get_all("content-security-policy") == [CSP_EMBED]
    assert headers.get_all("x-frame-options") is None
    assert all(headers.get_all(name) == [value] for name, value in HEADERS.items())
    code, headers = response_headers(f"{cluster['base']}/s/{site.walks.walk[0].id}/1", {"Accept-Encoding": "gzip"})
    assert code == 200 and headers["content-encoding"] == "gzip" and headers.get_all("x-frame-options") == ["DENY"]
    code, headers = response_headers(f"{cluster['base']}/data/{site.findings[0].table}.csv")
    assert code == 200 and headers["content-type"].startswith("text/csv")


def test_a_route_the_client_chose_is_not_used(cluster):
    """A forged route cookie is ignored by nginx (its signature does not check out) and replaced
    by one the app signs."""
    code, headers = response_headers(cluster["base"] + "/", {"Cookie": "cpt_route=chosen-by-me; cpt_route_sig=forged"})
    cookies = headers.get_all("Set-Cookie") or []
    assert code == 200 and any(c.startswith("cpt_route=") and "chosen-by-me" not in c for c in cookies)
    assert not [r for r in access_log(cluster) if r["route"] == "chosen-by-me"]
