"""The annual report made in parts, side by side, and joined into one PDF.

A report of a few hundred units is a few hundred pages; laid out as one WeasyPrint
document it needs memory in proportion to its length. Here the figures are read once
(in the calling process) and the report is written as several HTML documents: the main
part (cover and contents, then the chapters) and the appendix of unit reports in chunks of
`REPORT_CHUNK_UNITS` units. `REPORT_RENDER_WORKERS` worker processes
(`reporting.pdf_worker`) lay them out, each one document at a time, so no layout holds
more than one chunk, whatever the number of units. Only the join, in one of the workers,
holds the whole report, as pypdf objects (about 270 MiB for 350 pages).

Page numbers across the parts:
1. The chapters, the appendix chunks and a draft of the cover and contents (placeholder
   page numbers of the same width) are laid out; that gives every part's page count and
   the page each chapter and unit report starts on. The longest parts are queued first,
   so that no worker is left with a long part at the end.
2. The cover and contents are laid out again with the real page numbers (a few pages, as
   long as the draft: an entry's number does not change its height), beside a document
   of empty pages carrying only the footer "Page X of Y" for the whole report.
3. One worker joins the parts (`reporting.pdf_join`): the footers drawn on the pages as
   artifacts, the bookmarks with the unit reports under the appendix, and the parts'
   structure trees (the PDF/UA tags) under one document element. The job's process
   only reads the joined file.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from qualityplan.models import OrgUnit, QualityPlan

from . import pdf
from .models import ReportJob

ROOT = Path(settings.BASE_DIR)


class WorkerFailed(RuntimeError):
    """A report worker process could not lay out a part."""


class Workers:
    """A few `reporting.pdf_worker` processes and a queue of jobs for them."""

    def __init__(self, count: int, folder: Path) -> None:
        self.processes = [
            # The worker is this project's own module, run with this interpreter.
            subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "reporting.pdf_worker"],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                # A worker's temporary files go in the report's folder, removed at its end.
                env={**os.environ, "TMPDIR": str(folder)},
            )
            for _n in range(max(1, count))
        ]
        self.peak_mib = 0.0
        self.seconds: dict[str, float] = {}  # layout and writing, by part

    def run(self, jobs: dict[str, dict]) -> dict[str, dict]:
        """Lay out every job (name → {html, pdf}); the workers' answers by name."""
        waiting: queue.Queue = queue.Queue()
        for name, job in jobs.items():
            waiting.put((name, job))
        answers: dict[str, dict] = {}

        def feed(process: subprocess.Popen) -> None:
            while True:
                try:
                    name, job = waiting.get_nowait()
                except queue.Empty:
                    return
                process.stdin.write(json.dumps(job) + "\n")
                process.stdin.flush()
                line = process.stdout.readline()
                answers[name] = json.loads(line) if line else {"error": "worker stopped"}

        threads = [threading.Thread(target=feed, args=(p,)) for p in self.processes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for name, answer in answers.items():
            self.peak_mib = max(self.peak_mib, answer.get("peak_mib", 0))
            self.seconds[name] = self.seconds.get(name, 0) + answer.get("seconds", 0)
            if "error" in answer:
                raise WorkerFailed(f"Part {name}: {answer['error']}")
        return answers

    def close(self) -> None:
        for process in self.processes:
            if process.stdin:
                process.stdin.close()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    def kill(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()


def report_render_chunked(
    *,
    plan: QualityPlan,
    year: int,
    scope_unit: OrgUnit,
    user: User,
    progress: Callable[[str], None] | None = None,
    chunk_units: int | None = None,
    workers: int | None = None,
) -> pdf.RenderedReport:
    """As `pdf.report_render`, always laid out in parts by worker processes and joined."""
    if progress:
        progress(ReportJob.Stage.FIGURES)
    data = pdf.report_data(plan=plan, year=year, scope_unit=scope_unit, user=user)
    return report_render_parts(
        data=data, progress=progress, chunk_units=chunk_units, workers=workers
    )


def report_render_parts(
    *,
    data: pdf.ReportData,
    progress: Callable[[str], None] | None = None,
    chunk_units: int | None = None,
    workers: int | None = None,
) -> pdf.RenderedReport:
    """The report of figures already read, laid out in parts and joined."""
    if progress:
        progress(ReportJob.Stage.LAYOUT)
    with tempfile.TemporaryDirectory(prefix="report-") as folder:
        parts = Parts(Path(folder))
        pool = Workers(workers or settings.REPORT_RENDER_WORKERS, parts.folder)
        try:
            names, total = _lay_out(pool, parts, data, chunk_units or settings.REPORT_CHUNK_UNITS)
            if progress:
                progress(ReportJob.Stage.WRITING)
            merged = _join(pool, parts, names, total)
        finally:
            pool.close()
            pool.kill()
    rendered = pdf.RenderedReport(pdf=merged, pages=total, title=data.title)
    rendered.worker_peak_mib = pool.peak_mib
    rendered.part_seconds = pool.seconds
    return rendered


def _join(pool: Workers, parts: Parts, names: list[str], total: int) -> bytes:
    """The parts joined by a worker (`reporting.pdf_join`); the joined PDF."""
    job = {
        "join": [parts.pdf(name) for name in names],
        "footer": parts.pdf("footer"),
        "pdf": parts.pdf("report"),
    }
    joined = pool.run({"join": job})["join"]
    if joined["pages"] != total:
        raise WorkerFailed(f"The joined report has {joined['pages']} pages, not {total}")
    return Path(job["pdf"]).read_bytes()


class Parts:
    """The parts' files in a temporary folder: `name.html` in, `name.pdf` out."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def pdf(self, name: str) -> str:
        return str(self.folder / f"{name}.pdf")

    def job(self, name: str, html: str, **options) -> dict:
        """A worker's job: lay out the part `name` from `html`."""
        path = self.folder / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        return {"html": str(path), "pdf": self.pdf(name), **options}


def _lay_out(pool: Workers, parts: Parts, data: pdf.ReportData, chunk_units: int):
    """Both layout passes; the parts' names in order and the report's page count."""
    reports = data.unit_reports
    chunks = [reports[n : n + chunk_units] for n in range(0, len(reports), chunk_units)]
    counted = pool.run(_first_pass(parts, data, chunks))
    names = ["chapters"] + [f"chunk-{number}" for number in range(len(chunks))]
    front_pages = counted["front"]["pages"]
    page, toc_pages = front_pages + 1, {}
    for name in names:
        for anchor, index in counted[name]["anchors"].items():
            toc_pages.setdefault(anchor, page + index)
        page += counted[name]["pages"]
    total = page - 1
    # 2. The cover and contents with the real page numbers, and the footers.
    front = pdf.report_html(data=data, part="front", page_of="none", toc_pages=toc_pages)
    final = pool.run(
        {
            "front": parts.job("front", front),
            "footer": parts.job("footer", footer_html(pages=total), tagged=False),
        }
    )
    if final["front"]["pages"] != front_pages:
        raise WorkerFailed(f"The contents took {final['front']['pages']} pages, not {front_pages}")
    return ["front", *names], total


def _first_pass(parts: Parts, data: pdf.ReportData, chunks: list) -> dict[str, dict]:
    """1. The chapters (the longest part, so queued first), a draft of the cover and
    contents (page numbers of the same width) and the chunks of the appendix."""
    running = {
        "running_title": pdf.css_string(f"{data.plan.title} · {data.scope.root.name}"),
        "page_of": "none",
    }
    placeholder = "0" * len(str(len(data.unit_reports) * 4 + 100))
    jobs = {
        "chapters": parts.job("chapters", pdf.report_html(data=data, part="chapters", **running)),
        "front": parts.job(
            "front", pdf.report_html(data=data, part="front", page_of="none", toc_pages=placeholder)
        ),
    }
    appendix_title = pdf.css_string(_("Appendix: the units' reports"))
    for number, chunk in enumerate(chunks):
        html = pdf.report_html(
            data=data,
            part="appendix",
            running_chapter=appendix_title,
            appendix_reports=chunk,
            appendix_first=number == 0,
            **running,
        )
        jobs[f"chunk-{number}"] = parts.job(f"chunk-{number}", html)
    return jobs


def footer_html(*, pages: int) -> str:
    """`pages` empty pages with the report's margins and footer; the first is the cover."""
    return render_to_string(
        "reporting/pdf/footer.html",
        {
            "language": translation.get_language() or settings.LANGUAGE_CODE,
            "page_of": pdf.page_of_content(),
            "pages": range(pages - 1),
        },
    )
