"""Parts of reporting's pages (and of the menu) that newer apps add.

Reporting sits below the newer apps (sources, staircase, surveys, improvement work), so it
never imports them: each app names its functions in a setting, a list of dotted paths
that reporting calls with keyword arguments.

- `REPORT_PDF_SECTION_HOOKS`: a chapter of the annual quality report, called with
  plan=, year=, unit_ids=, user=; returns a `HookPart` or None.
- `REPORTING_INDICATOR_PANEL_HOOKS`: a panel on an indicator's dashboard, called with
  indicator=, request=; returns a `HookPart` or None.
- `ANNUAL_REPORT_PAGE_HOOKS`: a part of a unit's yearly report page, called with
  request=, report=, plan=, unit=, year=; returns HTML or "".
- `NAV_LINK_HOOKS` (read by qualityplan's context processor): menu links.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class HookPart:
    """A part of a page: its anchor, its heading and its body as HTML."""

    anchor: str
    title: str
    html: SafeString


def hook_parts(setting: str, **kwargs) -> list:
    """What each function named in `setting` returns, leaving out those with nothing."""
    parts = []
    for path in getattr(settings, setting, []):
        part = import_string(path)(**kwargs)
        if part:
            parts.append(part)
    return parts
