"""A printable A4 poster per unit: the survey's title, the link written out, and a QR
code, in every language the survey has. The QR code is drawn by segno as SVG."""

from __future__ import annotations

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from reporting.pdf import html_to_pdf

from .models import Survey, SurveyLink


def qr_svg(url: str) -> str:
    code = segno.make(url, error="m")
    return code.svg_inline(scale=8, border=2, title=url)


def poster_html(*, survey: Survey, link: SurveyLink, url: str) -> str:
    texts = []
    for code in survey.languages:
        with translation.override(code):
            texts.append(
                {
                    "language": code,
                    "title": survey.text_in("title", code),
                    "scan": translation.gettext(
                        "Scan the code with your phone’s camera, or go to:"
                    ),
                    "anonymous": translation.gettext(
                        "You answer anonymously: we do not ask for your name and do not save who "
                        "answered or from where."
                    ),
                }
            )
    return render_to_string(
        "surveys/pdf/poster.html",
        {
            "survey": survey,
            "link": link,
            "url": url,
            "qr": mark_safe(qr_svg(url)),  # noqa: S308 - segno's own markup
            "texts": texts,
            "language": texts[0]["language"] if texts else "nb",
            "municipality": settings.MUNICIPALITY_NAME,
        },
    )


def poster_pdf(*, survey: Survey, link: SurveyLink, url: str) -> bytes:
    pdf, _pages = html_to_pdf(html=poster_html(survey=survey, link=link, url=url))
    return pdf
