"""Parts of the reports that newer apps contribute, through settings hooks.

Reporting sits below the newer apps (staircase, surveys, improvement work), so it never
imports them: each names its functions in `REPORT_PDF_SECTION_HOOKS` (a chapter of the
annual quality report) or `ANNUAL_REPORT_PAGE_HOOKS` (a part of a unit's yearly report page).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class ReportSection:
    """A chapter of the PDF: its anchor, its heading and its body as HTML."""

    id: str
    title: str
    html: SafeString


def pdf_sections(*, plan, year: int, unit_ids, user) -> list[ReportSection]:
    sections = []
    for path in settings.REPORT_PDF_SECTION_HOOKS:
        section = import_string(path)(plan=plan, year=year, unit_ids=unit_ids, user=user)
        if section is not None:
            sections.append(section)
    return sections


def annual_page_sections(*, request, report, plan, unit, year: int) -> list[SafeString]:
    parts = []
    for path in settings.ANNUAL_REPORT_PAGE_HOOKS:
        html = import_string(path)(request=request, report=report, plan=plan, unit=unit, year=year)
        if html:
            parts.append(html)
    return parts
