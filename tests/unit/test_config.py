"""The shipped Streamlit configuration is the hardened one, and every option in it exists."""

from __future__ import annotations

import tomllib

from streamlit import config as st_config

from tests.conftest import ROOT

CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())

HARDENED = {
    ("server", "enableXsrfProtection"): True,
    ("server", "enableCORS"): True,
    ("server", "maxUploadSize"): 1,
    ("server", "maxWidgetStateSize"): 1,
    ("server", "runOnSave"): False,
    ("server", "fileWatcherType"): "none",
    ("server", "enableStaticServing"): False,
    ("server", "headless"): True,
    ("global", "developmentMode"): False,
    ("client", "toolbarMode"): "viewer",
    ("client", "showErrorDetails"): "none",
    ("client", "showErrorLinks"): False,
    ("client", "disableDataExport"): True,
    ("browser", "gatherUsageStats"): False,
    ("runner", "postScriptGC"): False,
}


def test_public_settings_are_hardened():
    for (section, option), value in HARDENED.items():
        assert CONFIG.get(section, {}).get(option) == value, f"{section}.{option} must be {value!r}"


def test_every_option_is_one_streamlit_knows():
    known = set(st_config.get_config_options())
    for section, options in CONFIG.items():
        for option in options:
            assert f"{section}.{option}" in known, (
                f"{section}.{option} is not a Streamlit option (a typo is ignored silently)"
            )


def test_no_secret_is_committed_in_the_config():
    assert "cookieSecret" not in CONFIG.get("server", {}), "set server.cookieSecret per deployment, not in git"
