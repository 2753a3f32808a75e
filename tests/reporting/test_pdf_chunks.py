"""The annual report made in parts by worker processes and joined: the same pages, page
numbers "Page X of Y" across the parts, the contents' page numbers, the bookmarks and the
structure tree (tags) of every part."""

import io
import re
from itertools import accumulate

import pytest
from django.utils import translation
from pypdf import PdfReader

from reporting import pdf, pdf_chunks, pdf_jobs, services, tasks
from reporting.models import ReportJob, report_storage
from tests.reporting.dashboard_data import build_plan, fill_reports

YEAR = 2022


def _approve(data, unit, leader, approver):
    goals = {goal.pk: ("partly", "Delvis nådd, fordi …") for goal in data.plan.goals.all()}
    report = services.unit_report_save(
        plan=data.plan,
        year=YEAR,
        unit=unit,
        user=leader,
        went_well="Brukerrådet møttes hver måned.",
        to_improve="Opplæring.",
        goals=goals,
    )
    report = services.unit_report_submit(report=report, user=leader)
    return services.unit_report_approve(report=report, user=approver)


@pytest.fixture
def reports(org, users, plan):
    data = build_plan(org=org, users=users, plan=plan)
    fill_reports(data, org)
    _approve(data, org.unit_a, users.leader_a, users.area_leader)
    _approve(data, org.unit_b, users.leader_b, users.area_leader)
    return data


@pytest.fixture
def chunked(reports, org, users):
    with translation.override("nb"):
        return pdf_chunks.report_render_chunked(
            plan=reports.plan,
            year=YEAR,
            scope_unit=org.department,
            user=users.director,
            chunk_units=1,
            workers=2,
        )


def _pages_text(document: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(document)).pages]


def test_the_parts_make_one_report_numbered_through(chunked, org):
    texts = _pages_text(chunked.pdf)

    assert chunked.pages == len(texts)
    assert "Side" not in texts[0]  # the cover has no footer
    for number, text in enumerate(texts[1:], start=2):
        assert f"Side {number} av {chunked.pages}" in text
    # The contents give the pages the unit reports start on, in other parts.
    contents = next(text for text in texts if "Innhold" in text)

    for unit in (org.unit_a, org.unit_b):
        page = int(re.search(rf"{unit.name}\W*?(\d+)", contents).group(1))
        assert unit.name in texts[page - 1]
        assert unit.name not in texts[page - 2]  # it starts there
        assert f"Side {page} av" in texts[page - 1]


def test_the_bookmarks_and_every_parts_tags_are_kept(chunked, org):
    reader = PdfReader(io.BytesIO(chunked.pdf))
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"]
    assert catalog["/Lang"] == "nb"
    tree = catalog["/StructTreeRoot"]
    (document,) = tree["/K"]
    assert document["/S"] == "/Document"
    sections = [kid.get_object()["/S"] for kid in document["/K"]]
    # The main part's chapters and, from each chunk, the appendix's section.
    assert sections.count("/Sect") >= 7
    keys = [int(n) for n in tree["/ParentTree"]["/Nums"][::2]]
    assert len(keys) == len(set(keys))
    pages_keys = {int(page["/StructParents"]) for page in reader.pages if "/StructParents" in page}
    assert pages_keys <= set(keys)
    assert len(pages_keys) == chunked.pages

    outline = reader.outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert "Sammendrag" in titles
    appendix = next(
        n
        for n, item in enumerate(outline)
        if not isinstance(item, list) and item.title.startswith("Vedlegg")
    )
    children = outline[appendix + 1]
    names = [item.title for item in children]
    assert names == [org.unit_a.name, org.unit_b.name]
    assert reader.get_destination_page_number(children[1]) > reader.get_destination_page_number(
        children[0]
    )


def _page_content(reader: PdfReader, page) -> bytes:
    """The page's content with its footer form's content put in place of the `Do`."""
    content = page.get_contents().get_data()
    for name, xobject in page["/Resources"]["/XObject"].items():
        xobject = xobject.get_object()
        if xobject["/Subtype"] == "/Form":
            content = content.replace(f"{name} Do".encode(), xobject.get_data())
    return content


def test_the_footer_is_an_artifact_outside_the_structure_tree(chunked):
    reader = PdfReader(io.BytesIO(chunked.pdf))

    for page in reader.pages[1:]:
        own = page["/Contents"]
        opening, closing = own[0].get_object().get_data(), own[-1].get_object().get_data()
        # The page's own content runs inside q … Q: a graphics state it leaves set (a
        # transformation, a clip) cannot move or hide the footer drawn after it.
        assert opening.strip() == b"q"
        assert re.fullmatch(rb"\s*Q\s*/Artifact BMC\s*q\s*/\w+ Do\s*Q\s*EMC\s*", closing)
        content = _page_content(reader, page)
        depths = list(accumulate({b"q": 1, b"Q": -1}.get(token, 0) for token in content.split()))
        assert min(depths) >= 0
        assert depths[-1] == 0
        # The footer's text carries no marked-content id: it has no element in the
        # structure tree, and the page's own ids stay unique.
        ids = re.findall(rb"/MCID\s+(\d+)", content)
        assert len(ids) == len(set(ids))
        footer = content[content.rindex(b"/Artifact BMC") :]
        assert b"/MCID" not in footer
        assert b"BT" in footer  # the footer's text is there


@pytest.fixture
def report_job(settings, tmp_path, reports, org, users, monkeypatch):
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "reports")},
        },
    }
    settings.REPORT_RENDER_MODE = "chunked"
    settings.REPORT_CHUNK_UNITS = 1
    monkeypatch.setattr(tasks.render_report_job, "delay", lambda job_id: None)
    job, _created = pdf_jobs.report_job_request(
        user=users.director, plan=reports.plan, year=YEAR, scope_unit=org.department, language="nb"
    )
    return job


def test_a_job_in_chunked_mode_keeps_the_joined_report(report_job):
    job = pdf_jobs.report_job_run(job_id=report_job.pk, task_id="t-1")

    assert job.status == ReportJob.Status.DONE
    document = PdfReader(report_storage().open(job.file.name))
    assert len(document.pages) == job.pages
    assert "/StructTreeRoot" in document.trailer["/Root"]


def test_a_worker_that_fails_fails_the_job_in_words(report_job, monkeypatch):
    monkeypatch.setattr(pdf_chunks.Workers, "run", lambda self, jobs: 1 / 0)

    job = pdf_jobs.report_job_run(job_id=report_job.pk, task_id="t-1")

    assert job.status == ReportJob.Status.FAILED
    assert "error in the program" in job.error or "feil i programmet" in job.error


def _render_counting_workers(monkeypatch, reports, org, users, mode):
    started = []
    real = pdf_chunks.Workers.__init__

    def counting(self, *args, **kwargs):
        started.append(True)
        real(self, *args, **kwargs)

    monkeypatch.setattr(pdf_chunks.Workers, "__init__", counting)
    with translation.override("nb"):
        rendered = pdf.report_render(
            plan=reports.plan, year=YEAR, scope_unit=org.department, user=users.director, mode=mode
        )
    return rendered, bool(started)


def test_auto_lays_out_a_long_appendix_in_parts(settings, monkeypatch, reports, org, users):
    settings.REPORT_CHUNKED_ABOVE = 1
    settings.REPORT_CHUNK_UNITS = 1

    rendered, in_parts = _render_counting_workers(monkeypatch, reports, org, users, "auto")

    assert in_parts
    assert "/StructTreeRoot" in PdfReader(io.BytesIO(rendered.pdf)).trailer["/Root"]


def test_auto_lays_out_a_short_report_whole(settings, monkeypatch, reports, org, users):
    settings.REPORT_CHUNKED_ABOVE = 2  # the two approved unit reports

    rendered, in_parts = _render_counting_workers(monkeypatch, reports, org, users, "auto")

    assert not in_parts
    assert rendered.pages == len(PdfReader(io.BytesIO(rendered.pdf)).pages)
