"""The PDF: the same figures as the dashboard, a tagged PDF with its language, title and
embedded fonts, and nothing fetched from outside the project's static files."""

import io
import re
import socket
import zlib
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from reporting import charts, pdf, selectors, services
from tests.reporting.dashboard_data import build_plan, fill_reports, grow

YEAR = 2022


@pytest.fixture
def data(org, users, plan):
    data = build_plan(org=org, users=users, plan=plan)
    fill_reports(data, org)
    return data


@pytest.fixture
def approved_report(data, org, users):
    goals = {goal.pk: ("partly", "Delvis nådd, fordi …") for goal in data.plan.goals.all()}
    report = services.unit_report_save(
        plan=data.plan,
        year=YEAR,
        unit=org.unit_a,
        user=users.leader_a,
        went_well="Brukerrådet <b>møttes</b> hver måned.",
        to_improve="Opplæring.",
        goals=goals,
    )
    report = services.unit_report_submit(report=report, user=users.leader_a)
    return services.unit_report_approve(report=report, user=users.area_leader)


def pdf_text(document: bytes) -> bytes:
    """The PDF's bytes with every compressed stream unpacked, to look for its objects."""
    parts = [document]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", document, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


# --- Fetching -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/logo.png",
        "https://fonts.example.org/inter.woff2",
        "ftp://example.org/file",
        "file:///etc/passwd",
        "file:///static/../../../../etc/passwd",
        "file://evil.example.org/static/css/report.css",
        "file:///static/css/does-not-exist.css",
    ],
)
def test_the_fetcher_refuses_anything_but_static_files(url):
    with pytest.raises(ValueError):
        pdf.StaticFilesFetcher().fetch(url)


def test_the_fetcher_serves_the_stylesheet_and_the_fonts():
    fetcher = pdf.StaticFilesFetcher()
    css = fetcher.fetch("file:///static/css/report.css")
    assert css.content_type == "text/css"
    assert b"@font-face" in css.read()
    font = fetcher.fetch(
        css.url.replace("css/report.css", "vendor/fonts/inter-latin-400-normal.woff2")
    )
    assert font.read()[:4] == b"wOF2"


def test_rendering_never_opens_a_connection(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the report tried to reach the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    html = (
        '<html lang="en"><head><title>T</title>'
        '<link rel="stylesheet" href="https://cdn.example.org/x.css"></head>'
        '<body><p>Hei</p><img src="http://example.org/x.png" alt="x"></body></html>'
    )
    document, pages = pdf.html_to_pdf(html=html)
    assert document.startswith(b"%PDF") and pages == 1


# --- Small parts ----------------------------------------------------------------------


def test_css_strings_are_escaped():
    assert pdf.css_string('Side "1" \\ </style>') == '"Side \\"1\\" \\\\ \\3C /style\\3E "'


def test_the_footer_is_built_from_the_translated_sentence():
    with translation.override("en"):
        assert pdf.page_of_content() == '"Page " counter(page) " of " counter(pages)'


# --- The figures are the dashboard's --------------------------------------------------


def _dashboard(user, plan, unit_id=None):
    scope = selectors.dashboard_scope(user=user, unit_id=unit_id, plan=plan)
    return selectors.plan_rollup(plan=plan, year=YEAR, unit_ids=scope.unit_ids)


def _measure_figures(rollup) -> list[tuple]:
    return [
        (
            m.measure.pk,
            m.status_counts,
            m.reported,
            m.total,
            m.mean_progress,
            m.value,
            m.target,
            m.target_met,
            m.light,
        )
        for goal in rollup.goals
        for m in goal.measures
    ]


@pytest.mark.parametrize("scope", ["department", "area", "unit_a"])
def test_the_report_shows_the_dashboards_figures(data, org, users, scope):
    unit = getattr(org, scope)
    dashboard = _dashboard(users.quality_office, data.plan, unit.pk)

    report = pdf.report_data(plan=data.plan, year=YEAR, scope_unit=unit, user=users.quality_office)

    assert _measure_figures(report.rollup) == _measure_figures(dashboard)
    assert report.rollup.totals == dashboard.totals
    assert [g.light for g in report.rollup.goals] == [g.light for g in dashboard.goals]
    assert (
        report.scope.unit_ids
        == selectors.dashboard_scope(
            user=users.quality_office, unit_id=unit.pk, plan=data.plan
        ).unit_ids
    )


def test_the_printed_numbers_are_the_dashboards(data, org, users):
    dashboard = _dashboard(users.director, data.plan)
    report = pdf.report_data(
        plan=data.plan, year=YEAR, scope_unit=org.department, user=users.director
    )
    with translation.override("en"):
        html = pdf.report_html(data=report)
        text = re.sub(r"\s+", " ", html)
        for goal in dashboard.goals:
            for m in goal.measures:
                assert f"{m.reported}/{m.total}" in text
                if m.value is not None:
                    suffix = f" {m.value_suffix}" if m.value_suffix else ""
                    assert f"{charts.format_number(m.value)}{suffix}</td>" in text
        assert f"{charts.format_number(dashboard.totals.reported_share, 1)} %" in text


def test_a_reader_of_less_cannot_get_more_in_the_report(data, org, users):
    with pytest.raises(Exception, match="may not read"):
        pdf.report_data(plan=data.plan, year=YEAR, scope_unit=org.unit_c, user=users.area_leader)


def test_the_appendix_holds_the_submitted_and_approved_reports(data, org, users, approved_report):
    draft_goals = {goal.pk: ("achieved", "Utkast") for goal in data.plan.goals.all()}
    services.unit_report_save(
        plan=data.plan,
        year=YEAR,
        unit=org.unit_b,
        user=users.leader_b,
        went_well="Utkast",
        to_improve="",
        goals=draft_goals,
    )
    report = pdf.report_data(
        plan=data.plan, year=YEAR, scope_unit=org.department, user=users.director
    )
    assert report.unit_reports == [approved_report]
    assert report.unit_report_counts == {"units": 3, "submitted": 0, "approved": 1}
    with translation.override("en"):
        html = pdf.report_html(data=report)
    assert "&lt;b&gt;møttes&lt;/b&gt;" in html  # the unit's words are text, never markup


def test_the_query_count_does_not_grow_with_units_or_measures(
    data, org, users, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            pdf.report_data(
                plan=data.plan, year=YEAR, scope_unit=org.department, user=users.director
            )
        return len(queries)

    before = count()
    grow(data, org, units=6, measures=8)
    users.director.__dict__.pop("_qualityplan_access", None)
    assert count() <= before + 2


# --- The PDF itself -------------------------------------------------------------------


@pytest.fixture
def rendered(data, org, users, approved_report):
    with translation.override("nb"):
        return pdf.report_render(
            plan=data.plan, year=YEAR, scope_unit=org.department, user=users.director
        )


def test_the_pdf_is_tagged_with_language_title_and_embedded_fonts(rendered):
    text = pdf_text(rendered.pdf)

    assert rendered.pdf.startswith(b"%PDF-1.7")
    assert b"/StructTreeRoot" in text
    assert b"/MarkInfo" in text
    assert b"/Lang (nb)" in text
    assert b"pdfuaid:part>1<" in text or b'pdfuaid:part="1"' in text
    assert b"DisplayDocTitle" in text
    assert b"/FontFile2" in text or b"/FontFile3" in text
    assert b"Inter" in text
    assert rendered.title.endswith("Helse og omsorg")


def test_the_page_count_is_the_documents(rendered):
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf_text(rendered.pdf)))
    assert rendered.pages == pages
    assert rendered.pages >= 8  # cover, contents, summary, two goals, indicators, …


def test_the_contents_give_the_page_each_chapter_starts_on(rendered, org):
    from pypdf import PdfReader

    texts = [page.extract_text() for page in PdfReader(io.BytesIO(rendered.pdf)).pages]
    contents = texts[1]

    assert "Innhold" in contents
    # A hairline under each entry, not dot leaders (a box and a tag per dot).
    assert "...." not in contents
    for label in ("Sammendrag", "Avvik", org.unit_a.name):
        page = int(re.search(rf"{label}\W*?(\d+)", contents).group(1))
        assert label in texts[page - 1]


def test_the_command_renders_through_the_same_code(data, org, users, tmp_path, approved_report):
    users.director.is_superuser = True
    users.director.save()
    output = tmp_path / "rapport.pdf"
    out = StringIO()

    call_command(
        "render_report", "--plan", data.plan.pk, "--year", YEAR, "--output", output, stdout=out
    )

    assert Path(output).read_bytes().startswith(b"%PDF")
    assert "pages" in out.getvalue()


def test_the_command_explains_a_year_outside_the_plan(data, tmp_path):
    with pytest.raises(CommandError, match="outside"):
        call_command(
            "render_report", "--plan", data.plan.pk, "--year", 2030, "--output", tmp_path / "x.pdf"
        )


def test_the_report_renders_before_collectstatic_with_debug_off(
    data, org, users, settings, tmp_path
):
    # load_demo with DEBUG=0 renders a report before collectstatic has written the
    # manifest: the stylesheet link must not need the manifest.
    settings.STATIC_ROOT = tmp_path / "not-collected"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    report = pdf.report_data(
        plan=data.plan, year=YEAR, scope_unit=org.department, user=users.director
    )
    html = pdf.report_html(data=report)

    assert 'href="/static/css/report.css"' in html
    assert pdf.StaticFilesFetcher().resolve("/static/css/report.css").name == "report.css"


def test_goals_follow_each_other_without_a_page_each(data, org, users):
    """A forced break before every goal left most of each goal's page (and the summary's
    last page) empty: a goal starts where the page has room."""
    from weasyprint import HTML

    from measures.models import Measure

    # Goal 1 with one measure: short enough to leave room for goal 2 on its page.
    Measure.objects.filter(goal=data.safety).exclude(pk=data.summed.pk).delete()
    report = pdf.report_data(
        plan=data.plan, year=YEAR, scope_unit=org.department, user=users.director
    )
    with translation.override("nb"):
        html = pdf.report_html(data=report)
    document = HTML(string=html, base_url=pdf.BASE_URL, url_fetcher=pdf.StaticFilesFetcher())
    pages = document.render().pages
    page_of = {anchor: n for n, page in enumerate(pages) for anchor in page.anchors}
    first, second = (f"goal-{goal.pk}" for goal in data.plan.goals.order_by("position"))
    # The second goal starts on the page that ends the first one's table.
    assert page_of[second] == page_of[f"{first}-measures"]
    assert page_of[first] < page_of["indicators"]


def test_goal_names_in_the_charts_are_wrapped_not_cut(data, org, users):
    from qualityplan.models import Goal

    Goal.objects.filter(pk=data.safety.pk).update(
        title="Trygge og forutsigbare tjenester for alle brukere i hjemmetjenesten og på sykehjem"
    )
    report = pdf.report_data(
        plan=data.plan, year=YEAR, scope_unit=org.department, user=users.director
    )
    svg = str(report.charts[0].svg)
    assert "…" not in svg
    assert "<tspan" in svg and "sykehjem</tspan>" in svg
