"""The annual report made in parts, side by side, and joined into one PDF.

A report of a few hundred units is a few hundred pages; laid out as one WeasyPrint
document it needs memory in proportion to its length. Here the figures are read once
(in the calling process) and the report is written as several HTML documents: the main
part (cover and contents, then the chapters) and the appendix of unit reports in chunks of
`REPORT_CHUNK_UNITS` units. `REPORT_RENDER_WORKERS` worker processes
(`reporting.pdf_worker`) lay them out, each one document at a time, so no process holds
more than one chunk, whatever the number of units.

Page numbers across the parts:
1. The chapters, the appendix chunks and a draft of the cover and contents (placeholder
   page numbers of the same width) are laid out; that gives every part's page count and
   the page each chapter and unit report starts on.
2. The cover and contents are laid out again with the real page numbers (a few pages),
   and a document of empty pages carrying only the footer "Page X of Y" for the whole
   report.
3. The parts are joined with pypdf, each page gets its footer stamped on (it is an
   artifact, not content, as WeasyPrint writes it), the bookmarks are rebuilt with the
   unit reports under the appendix, and the parts' structure trees (the PDF/UA tags) are
   joined under one document element, with their parent-tree keys renumbered.
"""

from __future__ import annotations

import io
import json
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
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject

from qualityplan.models import OrgUnit, QualityPlan

from . import pdf
from .models import ReportJob

ROOT = Path(settings.BASE_DIR)


class WorkerFailed(RuntimeError):
    """A report worker process could not lay out a part."""


class Workers:
    """A few `reporting.pdf_worker` processes and a queue of jobs for them."""

    def __init__(self, count: int) -> None:
        self.processes = [
            # The worker is this project's own module, run with this interpreter.
            subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "reporting.pdf_worker"],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
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
    """As `pdf.report_render`, laid out in parts by worker processes and joined."""
    chunk_units = chunk_units or settings.REPORT_CHUNK_UNITS
    if progress:
        progress(ReportJob.Stage.FIGURES)
    data = pdf.report_data(plan=plan, year=year, scope_unit=scope_unit, user=user)
    reports = data.unit_reports
    chunks = [reports[n : n + chunk_units] for n in range(0, len(reports), chunk_units)]
    running_title = pdf.css_string(f"{data.plan.title} · {data.scope.root.name}")
    appendix_title = pdf.css_string(_("Appendix: the units' reports"))
    if progress:
        progress(ReportJob.Stage.LAYOUT)
    pool = Workers(workers or settings.REPORT_RENDER_WORKERS)
    try:
        with tempfile.TemporaryDirectory(prefix="report-") as folder:
            files = Path(folder)

            def job(name: str, html: str) -> dict:
                (files / f"{name}.html").write_text(html, encoding="utf-8")
                return {"html": str(files / f"{name}.html"), "pdf": str(files / f"{name}.pdf")}

            # 1. The chapters, the chunks and a draft of the cover and contents (page
            # numbers of the same width), for the page counts and where each id starts.
            placeholder = "0" * len(str(len(reports) * 4 + 100))
            first = {
                "front": job(
                    "front",
                    pdf.report_html(data=data, part="front", page_of="none", toc_pages=placeholder),
                ),
                "chapters": job(
                    "chapters",
                    pdf.report_html(
                        data=data, part="chapters", page_of="none", running_title=running_title
                    ),
                ),
            }
            for number, chunk in enumerate(chunks):
                first[f"chunk-{number}"] = job(
                    f"chunk-{number}",
                    pdf.report_html(
                        data=data,
                        part="appendix",
                        page_of="none",
                        running_title=running_title,
                        running_chapter=appendix_title,
                        appendix_reports=chunk,
                        appendix_first=number == 0,
                    ),
                )
            counted = pool.run(first)
            names = ["chapters"] + [f"chunk-{number}" for number in range(len(chunks))]
            front_pages = counted["front"]["pages"]
            page, toc_pages = front_pages + 1, {}
            for name in names:
                for anchor, index in counted[name]["anchors"].items():
                    toc_pages.setdefault(anchor, page + index)
                page += counted[name]["pages"]
            total = page - 1

            # 2. The cover and contents with the real page numbers, and the footers.
            second = {
                "front": job(
                    "front",
                    pdf.report_html(data=data, part="front", page_of="none", toc_pages=toc_pages),
                ),
                "footer": job("footer", footer_html(pages=total)),
            }
            final = pool.run(second)
            if final["front"]["pages"] != front_pages:
                raise WorkerFailed(
                    f"The contents took {final['front']['pages']} pages, not {front_pages}"
                )
            if progress:
                progress(ReportJob.Stage.WRITING)
            parts = [files / f"{name}.pdf" for name in ["front", *names]]
            merged = join_parts(parts=parts, footer=files / "footer.pdf")
    finally:
        pool.close()
        pool.kill()
    rendered = pdf.RenderedReport(pdf=merged, pages=total, title=data.title)
    rendered.worker_peak_mib = pool.peak_mib
    rendered.part_seconds = pool.seconds
    return rendered


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


# --- Joining ---------------------------------------------------------------------------


def join_parts(*, parts: list[Path], footer: Path) -> bytes:
    """The parts as one PDF: pages, footers, bookmarks and the structure tree."""
    writer = PdfWriter()
    readers = [PdfReader(path) for path in parts]
    offsets = []
    for reader in readers:
        offsets.append(len(writer.pages))
        writer.append(reader, import_outline=False)
    footers = PdfReader(footer)
    for page, stamp in zip(writer.pages, footers.pages, strict=True):
        _own_resources(page)
        page.merge_page(stamp, over=True)
        # pypdf writes the joined content uncompressed: ten times the size.
        page.compress_content_streams()
    _join_outlines(writer, readers, offsets)
    _join_structure(writer, readers)
    _copy_catalog(writer, readers[0])
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=False)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _own_resources(page) -> None:
    """Give the page resource dictionaries of its own: WeasyPrint shares them between a
    part's pages, and stamping adds the footer's font to them under a new name each time
    (a few hundred names on every page)."""
    resources = page["/Resources"].get_object()
    own = DictionaryObject()
    for key, value in resources.items():
        value = value.get_object()
        own[NameObject(key)] = (
            DictionaryObject(value.items()) if isinstance(value, DictionaryObject) else value
        )
    page[NameObject("/Resources")] = own


def _join_outlines(writer: PdfWriter, readers: list[PdfReader], offsets: list[int]) -> None:
    """Every part's bookmarks at their pages; a later chunk's top-level items (the unit
    reports) go under the appendix's bookmark, which the first chunk (part 2) holds."""
    appendix = None
    for number, (reader, offset) in enumerate(zip(readers, offsets, strict=True)):
        parent = appendix if number > 2 else None
        last = _add_outline(writer, reader, reader.outline, offset, parent)
        if number == 2:
            appendix = last
    return None


def _add_outline(writer, reader, items, offset, parent):
    last = None
    for item in items:
        if isinstance(item, list):
            _add_outline(writer, reader, item, offset, last)
            continue
        page = reader.get_destination_page_number(item)
        last = writer.add_outline_item(title=item.title, page_number=offset + page, parent=parent)
    return last


def _join_structure(writer: PdfWriter, readers: list[PdfReader]) -> None:
    """The parts' structure trees under one Document element.

    Each part's marked content is numbered per page (MCIDs), so it stays valid; what
    changes are the parent-tree keys (a page's /StructParents, an annotation's
    /StructParent), which are shifted past the previous parts' keys."""
    kids = ArrayObject()
    nums = ArrayObject()
    shift = 0
    first_page = 0
    for reader in readers:
        source = reader.trailer["/Root"].get("/StructTreeRoot")
        count = len(reader.pages)
        pages = writer.pages[first_page : first_page + count]
        first_page += count
        if source is None:
            continue
        source = source.get_object()
        for kid in _as_list(source.get("/K")):
            kid = kid.get_object()
            # WeasyPrint wraps everything in one Document element: take its children.
            if kid.get("/S") == "/Document":
                for child in _as_list(kid.get("/K")):
                    kids.append(child.clone(writer))
            else:
                kids.append(kid.clone(writer) if hasattr(kid, "clone") else kid)
        most = -1
        tree = source.get("/ParentTree")
        for key, value in _number_tree(tree.get_object() if tree else None):
            nums.append(NumberObject(key + shift))
            nums.append(value.clone(writer))
            most = max(most, key)
        # pypdf drops these keys when it copies a page: they are set again from the part.
        for original, page in zip(reader.pages, pages, strict=True):
            if "/StructParents" in original:
                page[NameObject("/StructParents")] = NumberObject(
                    original["/StructParents"] + shift
                )
            annotations = [a.get_object() for a in original.get("/Annots", []) or []]
            copies = [a.get_object() for a in page.get("/Annots", []) or []]
            if len(copies) != len(annotations):
                raise WorkerFailed("The links of a page were not copied one for one")
            for annotation, copy in zip(annotations, copies, strict=True):
                if "/StructParent" in annotation:
                    copy[NameObject("/StructParent")] = NumberObject(
                        annotation["/StructParent"] + shift
                    )
        shift += most + 1
    if not kids:
        return
    root = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
    root_ref = writer._add_object(root)
    document = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/StructElem"),
            NameObject("/S"): NameObject("/Document"),
            NameObject("/P"): root_ref,
            NameObject("/K"): kids,
        }
    )
    document_ref = writer._add_object(document)
    for kid in kids:
        kid.get_object()[NameObject("/P")] = document_ref
    root[NameObject("/K")] = ArrayObject([document_ref])
    root[NameObject("/ParentTree")] = writer._add_object(
        DictionaryObject({NameObject("/Nums"): nums})
    )
    root[NameObject("/ParentTreeNextKey")] = NumberObject(shift)
    writer._root_object[NameObject("/StructTreeRoot")] = root_ref


def _as_list(value) -> list:
    if value is None:
        return []
    value = value.get_object() if hasattr(value, "get_object") else value
    return list(value) if isinstance(value, list) else [value]


def _number_tree(node):
    """(key, value) of a number tree, in order."""
    if node is None:
        return
    nums = node.get("/Nums")
    if nums is not None:
        nums = nums.get_object()
        for n in range(0, len(nums), 2):
            yield int(nums[n]), nums[n + 1]
    for kid in node.get("/Kids", []) or []:
        yield from _number_tree(kid.get_object())


def _copy_catalog(writer: PdfWriter, reader: PdfReader) -> None:
    """The language, the tagged-PDF marks, the title display and the XMP metadata (which
    names the PDF/UA part) of the first part, and its document information."""
    catalog = reader.trailer["/Root"]
    for key in ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata"):
        if key in catalog:
            writer._root_object[NameObject(key)] = catalog[key].clone(writer)
    if reader.metadata:
        writer.add_metadata({key: str(value) for key, value in reader.metadata.items()})
