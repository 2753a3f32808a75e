"""A report worker process: lays out HTML files as tagged PDFs, one after another.

    python -m reporting.pdf_worker

Reads one job a line on stdin (JSON: `html`, the HTML file to read; `pdf`, the file to
write) and answers one line a job on stdout (JSON: `pages`, `anchors`: the page index
where each element id starts, `peak_mib`: this process's peak memory so
far; or `error`). Run by `reporting.pdf_chunks`, which starts a few of these so that the
parts of a long report are laid out side by side, each in a process of its own size.
It only reads the project's static files: no database, no network.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
import traceback
import warnings


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityplan.settings")
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    from weasyprint import HTML

    from reporting.pdf import BASE_URL, PDF_VARIANT, StaticFilesFetcher

    fetcher = StaticFilesFetcher()
    for line in sys.stdin:
        job = json.loads(line)
        started = time.perf_counter()
        try:
            with open(job["html"], encoding="utf-8") as source:
                html = source.read()
            document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
                pdf_variant=PDF_VARIANT, pdf_tags=True
            )
            # A page lists the anchors of every box on it, also of one that began on an
            # earlier page: the first page is where the element starts.
            anchors: dict[str, int] = {}
            for number, page in enumerate(document.pages):
                for anchor in page.anchors:
                    anchors.setdefault(anchor, number)
            document.write_pdf(job["pdf"], pdf_variant=PDF_VARIANT, pdf_tags=True)
            answer = {
                "pages": len(document.pages),
                "anchors": anchors,
                "seconds": time.perf_counter() - started,
            }
            del document, html
        except Exception:
            answer = {"error": traceback.format_exc(limit=5)}
        # ru_maxrss is in KiB on Linux.
        answer["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
