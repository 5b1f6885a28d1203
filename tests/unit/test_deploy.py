"""The container recipe and the multi-process setup, checked as far as they can be without
building an image (no container engine runs here; tests/e2e/test_deploy.py runs the processes
and nginx configuration for real)."""

from __future__ import annotations

import os
import re

from tests.conftest import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text()
INSTRUCTIONS = [
    line.strip()
    for line in re.sub(r"\\\n", " ", DOCKERFILE).splitlines()
    if line.strip() and not line.lstrip().startswith("#")
]


def instructions(name: str) -> list[str]:
    return [i[len(name) + 1 :] for i in INSTRUCTIONS if i.startswith(name + " ")]


def test_the_image_is_the_projects_python_with_the_locked_requirements():
    assert instructions("FROM") == ["python:3.11-slim"]
    assert any("pip install -r requirements.txt" in r for r in instructions("RUN"))
    assert "COPY requirements.txt ." in INSTRUCTIONS


def test_everything_the_image_copies_exists_and_no_data_is_copied():
    for args in instructions("COPY"):
        *sources, _ = args.split()
        for src in sources:
            assert (ROOT / src).exists(), f"COPY {src}: no such file in the project"
            assert not re.match(r"(data|records|build)(/|$)", src), f"the image must not hold {src}"
    ignored = (ROOT / ".dockerignore").read_text().split()
    for must in (".venv", "data", ".streamlit/secrets.toml", ".git"):
        assert must in ignored


def test_it_runs_as_a_user_with_a_health_check_and_the_shared_start_script():
    assert instructions("USER") and instructions("USER")[-1] != "root"
    assert any("/_stcore/health" in h for h in instructions("HEALTHCHECK"))
    assert instructions("CMD") == ['["deploy/run-app.sh"]']
    script = ROOT / "deploy" / "run-app.sh"
    assert os.access(script, os.X_OK)
    assert "streamlit run serve.py" in script.read_text()


def test_the_compose_file_shares_postgresql_and_one_cookie_secret_across_processes():
    compose = (ROOT / "deploy" / "compose.yaml").read_text()
    assert "DATABASE_URL: postgresql+psycopg://" in compose
    assert "STREAMLIT_SERVER_COOKIE_SECRET" in compose
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in compose
    apps = re.findall(r"^  (app\d+): \*app$", compose, re.M)
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    upstreams = re.findall(r"server (app\d+):8501", conf)
    assert apps and sorted(apps) == sorted(upstreams), "every app service is an upstream of the proxy, and only those"


def test_the_proxy_keeps_visitors_on_one_process_and_passes_websockets():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "hash $cpt_route consistent;" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_set_header Host $http_host;" in conf  # Streamlit checks Origin against Host, port included
    assert "client_max_body_size 1m;" in conf


def test_nginx_sends_the_apps_security_headers_from_every_location():
    """The proxied setup sends exactly the headers the app sends alone, from every location
    (an add_header in a location would otherwise replace the inherited ones), hides the app's
    copies, and never serves the metrics."""
    import re

    from cpt_public.server import CSP, CSP_EMBED, EMBEDDABLE, HEADERS

    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    headers = (ROOT / "deploy" / "cpt-headers.conf").read_text()
    added = dict(re.findall(r'^add_header (\S+) "([^"]*)" always;', headers, re.M))
    by_path = dict(re.findall(r"^add_header (\S+) (\$\w+) always;", headers, re.M))
    maps = {
        name: dict(re.findall(r'^\s+(\S+)\s+"([^"]*)";', body, re.M))
        for name, body in re.findall(r"map \$uri (\$\w+) \{(.*?)\}", conf, re.S)
    }
    for header, variable in by_path.items():  # chosen by path: the app's values, embed pages apart
        added[header] = maps[variable]["default"]
    assert maps[by_path["Content-Security-Policy"]][f"~^{EMBEDDABLE[0]}"] == CSP_EMBED
    assert maps[by_path["X-Frame-Options"]][f"~^{EMBEDDABLE[0]}"] == ""  # no header: framing allowed
    hidden = set(re.findall(r"^proxy_hide_header (\S+);", headers, re.M))
    expected = {**HEADERS, "content-security-policy": CSP, "x-frame-options": "DENY"}
    assert {k.lower(): v for k, v in added.items()} == expected
    assert {h.lower() for h in hidden} >= set(expected)
    locations = re.findall(r"location[^{]*\{(.*?)\n        \}", conf, re.S)
    assert len(locations) == 4 and all("include cpt-headers.conf;" in body for body in locations)
    assert re.search(r"location = /_stcore/metrics \{[^}]*return 404;", conf)
    assert "$proxy_add_x_forwarded_for" not in conf  # a client's own X-Forwarded-For is never passed on
    assert "proxy_set_header X-Real-IP $remote_addr;" in conf
    assert 'secure_link_md5 "$cookie_cpt_route $cpt_route_secret";' in conf  # routes signed by the app
    assert "Set-Cookie" not in conf  # nginx no longer chooses the route


def test_the_container_runs_the_asgi_entry_point():
    assert "serve.py" in (ROOT / "Dockerfile").read_text()
    compose = (ROOT / "deploy" / "compose.yaml").read_text()
    assert "CPT_ROUTE_SECRET" in compose and "cpt-headers.conf" in compose and "route-secret.conf.template" in compose
