"""A report worker process: lays out HTML files as tagged PDFs, one after another.

    python -m reporting.pdf_worker

Reads one job a line on stdin and answers one line a job on stdout, both JSON. A job is
either a layout (`html`, the HTML file to read; `pdf`, the file to write; `tagged`,
false for the footer document, whose content must not be tagged) or a join (`join`: the
parts' PDF files in order, `footer`, `pdf`; see `reporting.pdf_join`). The answer holds
`pages`, `anchors` (a layout's: the page index where each element id starts),
`seconds`, `peak_mib` (this process's peak memory so far), or `error`.

Run by `reporting.pdf_chunks`, which starts a few of these so that the parts of a long
report are laid out side by side, each in a process of its own size, and has one of
them join the parts. It only reads the project's static files: no database, no network.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
import traceback
import warnings
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityplan.settings")
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    from weasyprint import HTML

    from reporting.pdf import StaticFilesFetcher

    fetcher = StaticFilesFetcher()
    for line in sys.stdin:
        job = json.loads(line)
        started = time.perf_counter()
        try:
            answer = join(job) if "join" in job else layout(job, HTML, fetcher)
            answer["seconds"] = time.perf_counter() - started
        except Exception:
            answer = {"error": traceback.format_exc(limit=5)}
        # ru_maxrss is in KiB on Linux.
        answer["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    # The job waits for its workers to end, and freeing a worker's objects one by one at
    # the interpreter's exit took a second after a join: the system takes the memory back
    # at once. What WeasyPrint leaves in the temporary folder (its fonts) is in the
    # report's own folder (TMPDIR), which the job removes.
    os._exit(0)


def layout(job: dict, HTML, fetcher) -> dict:
    from reporting.pdf import BASE_URL, PDF_VARIANT

    with open(job["html"], encoding="utf-8") as source:
        html = source.read()
    # The footer document is drawn onto the tagged pages as an artifact: untagged, its
    # content carries no marked-content ids to clash with the page's own.
    options = {"pdf_variant": PDF_VARIANT, "pdf_tags": True} if job.get("tagged", True) else {}
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(**options)
    # A page lists the anchors of every box on it, also of one that began on an earlier
    # page: the first page is where the element starts.
    anchors: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        for anchor in page.anchors:
            anchors.setdefault(anchor, number)
    document.write_pdf(job["pdf"], **options)
    return {"pages": len(document.pages), "anchors": anchors}


def join(job: dict) -> dict:
    from reporting.pdf_join import join_parts

    pages = join_parts(
        parts=[Path(part) for part in job["join"]],
        footer=Path(job["footer"]),
        output=Path(job["pdf"]),
    )
    return {"pages": pages}


if __name__ == "__main__":
    main()
