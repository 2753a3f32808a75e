"""The quality certificate as a one-page PDF (HTML → WeasyPrint), made when downloaded.

It uses the annual report's fetcher, so nothing but the project's static files
(the fonts) is read while rendering; the PDF is tagged and carries its language.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML

from reporting.pdf import BASE_URL, PDF_VARIANT, StaticFilesFetcher

from .models import AreaReview, Certification


def certificate_pdf(*, certificate: Certification) -> bytes:
    areas = (
        AreaReview.objects.filter(review_id=certificate.review_id)
        .select_related("area")
        .order_by("area__position")
    )
    html = render_to_string(
        "staircase/pdf/certificate.html",
        {
            "certificate": certificate,
            "areas": areas,
            "municipality": settings.MUNICIPALITY_NAME,
            "language": translation.get_language() or settings.LANGUAGE_CODE,
        },
    )
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher())
    return document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
