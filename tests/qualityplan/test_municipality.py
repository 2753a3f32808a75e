import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from qualityplan.models import Municipality, OrgUnit, QualityPlan, UserProfile
from qualityplan.municipality import (
    logo_clean,
    logo_data_uri,
    municipality_forget,
    municipality_setup,
    svg_sanitise,
)
from qualityplan.selectors import language_for_user
from tests.factories import UserFactory

PLAN_TABLE = Path(__file__).parent.parent / "data" / "ho-kvalitetsplan-2021-2024.tsv"
SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     viewBox="0 0 10 10" onload="alert(1)">
  <script>alert(2)</script>
  <style>@import url(https://evil.example/x.css);</style>
  <rect width="10" height="10" fill="#0b2a4a" onclick="alert(3)"/>
  <image xlink:href="https://evil.example/pixel.png" width="1" height="1"/>
  <use xlink:href="https://evil.example/sprite.svg#a"/>
  <use href="#r"/>
  <circle cx="5" cy="5" r="3" fill="url(https://evil.example/#g)"/>
  <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>
</svg>"""


def _png(width=20, height=10) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), "#0b2a4a").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _fresh(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    municipality_forget()
    yield
    municipality_forget()


def test_setup_command_is_idempotent_and_makes_one_top_unit(db):
    for _ in range(2):
        call_command("setup_municipality", "--name", "Bodø kommune", "--department",
                     "Helse og omsorg", "--language", "nb")  # fmt: skip
    municipality = Municipality.objects.get()
    assert municipality.name == "Bodø kommune"
    assert OrgUnit.objects.get().name == "Helse og omsorg"
    assert municipality.history.count() == 1
    call_command("setup_municipality", "--name", "Bodø kommune", "--department", "Helse",
                 "--language", "sv")  # fmt: skip
    assert OrgUnit.objects.get().name == "Helse"
    assert Municipality.objects.get().language == "sv"


def test_import_plan_works_on_a_fresh_database_after_setup(db):
    call_command("setup_municipality", "--name", "Bodø kommune", "--department", "Helse og omsorg")
    call_command("import_plan", str(PLAN_TABLE))
    plan = QualityPlan.objects.get()
    assert plan.owner.name == "Helse og omsorg"
    assert plan.goals.count() > 0


def test_svg_logo_loses_scripts_handlers_and_outside_references():
    cleaned = svg_sanitise(SVG).decode()
    for bad in ("script", "alert", "onload", "onclick", "evil.example", "foreignObject", "style"):
        assert bad not in cleaned
    assert "<rect" in cleaned and 'href="#r"' in cleaned


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"GIF89a....", "logo.gif"),
        (b"<html><script>1</script></html>", "logo.svg"),
        (b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>', "a.svg"),
        (b"\x89PNG\r\n\x1a\nbroken", "logo.png"),
        (b"<svg " + b" " * (600 * 1024) + b"/>", "big.svg"),
    ],
)
def test_bad_logos_are_refused(data, name):
    with pytest.raises(ValidationError):
        logo_clean(data=data, filename=name)


def test_png_logo_too_many_pixels_is_refused():
    with pytest.raises(ValidationError, match="pixels"):
        logo_clean(data=_png(5000, 10), filename="wide.png")


def test_logo_is_stored_and_goes_on_the_cover_as_data(db):
    municipality_setup(name="Bodø kommune", department="Helse og omsorg", language="nb",
                       logo=_png(), logo_filename="logo.png")  # fmt: skip
    assert Municipality.objects.get().logo.name.endswith(".png")
    assert logo_data_uri().startswith("data:image/png;base64,")


def test_name_is_in_the_header_and_language_is_the_default_for_new_users(client, db):
    municipality_setup(name="Umeå kommun", department="Vård och omsorg", language="sv")
    user = UserFactory()
    client.force_login(user)
    response = client.get("/plans/", follow=True)
    assert "Umeå kommun" in response.content.decode()
    assert response.headers["Content-Language"] == "sv"
    assert language_for_user(user=user) == "sv"
    UserProfile.objects.create(user=user, language="en")
    user.refresh_from_db()
    assert language_for_user(user=user) == "en"


def test_first_run_page_is_for_the_superuser_only(client, db):
    client.force_login(UserFactory())
    assert client.get("/organisation/setup/").status_code == 403


def test_first_run_page_saves_name_unit_language_and_logo(client, db):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get("/organisation/setup/").status_code == 200
    response = client.post(
        "/organisation/setup/",
        {
            "name": "Luleå kommun",
            "department": "Socialförvaltningen",
            "language": "sv",
            "logo": SimpleUploadedFile("logo.svg", SVG, content_type="image/svg+xml"),
        },
    )
    assert response.status_code == 302
    municipality = Municipality.objects.get()
    assert municipality.top_unit.name == "Socialförvaltningen"
    stored = municipality.logo.read()
    assert b"<rect" in stored and b"script" not in stored
    history = municipality.history.first()
    assert history.history_user == admin


def test_first_run_page_shows_a_bad_logo_as_a_field_error(client, db):
    client.force_login(UserFactory(is_superuser=True))
    response = client.post(
        "/organisation/setup/",
        {"name": "X kommune", "department": "Helse", "language": "nb",
         "logo": SimpleUploadedFile("logo.gif", b"GIF89a", content_type="image/gif")},
    )  # fmt: skip
    assert response.status_code == 200
    assert "PNG or an SVG" in response.content.decode()
    assert not Municipality.objects.exists()


def test_superuser_is_sent_to_the_first_run_page_until_it_is_done(client, db):
    client.force_login(UserFactory(is_superuser=True))
    assert client.get("/")["Location"] == "/organisation/setup/"
    municipality_setup(name="Bodø kommune", department="Helse og omsorg", language="nb")
    assert client.get("/")["Location"] == "/plans/"
