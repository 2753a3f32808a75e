"""Headers a municipality's IT security review looks for: a Content-Security-Policy on
every response, no cached copies of what a logged-in person saw, HSTS with HTTPS."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()
    }


def test_every_response_carries_a_strict_policy(client, users, plan):
    anonymous = client.get("/login/")
    client.force_login(users.leader_a)
    logged_in = client.get(f"/plans/{plan.pk}/")
    not_found = client.get("/no-such-page/")

    for response in (anonymous, logged_in, not_found):
        policy = _csp(response)
        assert policy["script-src"] == "'self'"
        assert policy["style-src"] == "'self'"
        assert policy["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_pages_seen_logged_in_are_never_stored(client, users, plan):
    client.force_login(users.quality_office)

    for url in (f"/plans/{plan.pk}/", "/deviations/", f"/plans/{plan.pk}/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


def test_the_deviation_exports_are_never_stored(client, users):
    client.force_login(users.quality_office)

    for url in ("/deviations/export.csv", "/deviations/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


def _production_settings(**env) -> dict:
    code = (
        "import json, django; from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ("
        "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_AGE', "
        ")}))"
    )
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "DEBUG"}
    }
    environment |= {"DJANGO_SETTINGS_MODULE": "qualityplan.settings", "SECRET_KEY": "x" * 60}
    environment |= env
    output = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert output.returncode == 0, output.stderr
    return json.loads(output.stdout)


def test_production_defaults_redirect_to_https_and_send_hsts():
    values = _production_settings(DEBUG="0")

    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]


def test_hsts_is_off_when_the_https_redirect_is():
    values = _production_settings(DEBUG="0", SECURE_SSL_REDIRECT="0")

    assert values["SECURE_HSTS_SECONDS"] == 0


def test_check_deploy_with_production_defaults_finds_nothing():
    # The browser tests' conftest allows async-unsafe calls: no deployment would.
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SECURE_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    environment |= {"DEBUG": "0", "SECRET_KEY": "k3y-" + "abcdefghij" * 6}
    output = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )

    assert output.returncode == 0, output.stderr
    assert "WARNING" not in output.stderr + output.stdout


# --- What the policy would refuse, found before a browser does -------------------------

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on…= handler"),
    (re.compile(r"\shx-on[:-]", re.I), "an hx-on handler (inline script)"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"<style[\s>]", re.I), "a <style> element"),
]


def _page_templates() -> list[Path]:
    """Every template a browser gets (e-mails and the PDF report are not pages)."""
    found = []
    for folder in [ROOT / "templates", *ROOT.glob("*/templates")]:
        if ".venv" in folder.parts or "node_modules" in folder.parts:
            continue
        for path in folder.rglob("*.html"):
            relative = path.relative_to(folder).as_posix()
            if "/email/" in relative or "/pdf/" in relative:
                continue
            found.append(path)
    return found


@pytest.mark.parametrize("pattern,what", INLINE, ids=[what for _, what in INLINE])
def test_no_template_holds_what_the_policy_refuses(pattern, what):
    offenders = [
        f"{path.relative_to(ROOT)}:{text[: match.start()].count(chr(10)) + 1}"
        for path in _page_templates()
        for text in [path.read_text()]
        for match in pattern.finditer(text)
    ]

    assert offenders == [], f"{what} in {offenders}"
