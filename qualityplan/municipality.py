"""The municipality this installation serves: first run, and reading its settings.

`municipality_setup` is idempotent: run again with the same values it changes nothing,
with new values it renames in place. The settings every page shows (name, language,
logo) are cached and dropped on every save, so a page asks the database for them at
most once per cache period.
"""

from __future__ import annotations

import base64
import io
import re
import xml.etree.ElementTree as ET  # noqa: S405 -- only writes a tree defusedxml parsed
from dataclasses import dataclass

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .models import Municipality, OrgUnit
from .org_log import org_event

CACHE_KEY = "qualityplan:municipality"
CACHE_SECONDS = 300
LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_PIXELS = 4000


@dataclass(frozen=True)
class MunicipalitySettings:
    name: str
    language: str
    logo_name: str
    top_unit_id: int | None
    configured: bool


def municipality_settings() -> MunicipalitySettings:
    """Name, language and logo of the municipality (the defaults before the first run)."""
    found = cache.get(CACHE_KEY)
    if found is None:
        row = Municipality.objects.filter(pk=1).first()
        found = MunicipalitySettings(
            name=row.name if row else "",
            language=row.language if row else "",
            logo_name=row.logo.name if row and row.logo else "",
            top_unit_id=row.top_unit_id if row else None,
            configured=row is not None,
        )
        cache.set(CACHE_KEY, found, CACHE_SECONDS)
    return found


def municipality_name() -> str:
    """The name in the header and on the report cover (the setting before the first run)."""
    return municipality_settings().name or settings.MUNICIPALITY_NAME


def municipality_forget() -> None:
    cache.delete(CACHE_KEY)


def default_language() -> str:
    """The language a new person reads until they choose one."""
    return municipality_settings().language or settings.LANGUAGE_CODE


# --- The logo --------------------------------------------------------------------------

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
SVG_ELEMENTS = {
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text",
    "tspan", "defs", "lineargradient", "radialgradient", "stop", "title", "desc", "clippath",
    "symbol", "use", "mask",
}  # fmt: skip
SVG_ATTRIBUTES = {
    "id", "class", "d", "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx", "ry", "width",
    "height", "viewbox", "points", "fill", "fill-opacity", "fill-rule", "stroke",
    "stroke-width", "stroke-opacity", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit",
    "stroke-dasharray", "opacity", "transform", "offset", "stop-color", "stop-opacity",
    "gradientunits", "gradienttransform", "font-family", "font-size", "font-weight",
    "text-anchor", "clip-path", "clip-rule", "clippathunits", "preserveaspectratio",
    "version", "mask", "href",
}  # fmt: skip


def _bad_logo(message: str) -> ValidationError:
    return ValidationError(message, code="bad_logo")


def _local_name(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _sep, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def _clean_svg_element(element) -> None:
    for child in list(element):
        namespace, name = _local_name(child.tag) if isinstance(child.tag, str) else ("", "")
        if namespace != SVG_NS or name.lower() not in SVG_ELEMENTS:
            element.remove(child)
            continue
        _clean_svg_element(child)
    for key in list(element.attrib):
        namespace, name = _local_name(key)
        value = element.attrib[key]
        allowed = name.lower() in SVG_ATTRIBUTES and namespace in ("", XLINK_NS)
        # Only references inside the file itself: no external images, fonts or scripts.
        if name.lower() == "href" and not value.startswith("#"):
            allowed = False
        if "url(" in value.replace(" ", "").lower() and not re.fullmatch(
            r"\s*url\(\s*#[\w-]+\s*\)\s*", value
        ):
            allowed = False
        if not allowed:
            del element.attrib[key]


def svg_sanitise(data: bytes) -> bytes:
    """The SVG with only drawing elements and attributes left: no scripts, styles,
    event handlers, foreign objects or references outside the file."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except (SafeET.ParseError, DefusedXmlException, ValueError) as error:
        raise _bad_logo(_("The SVG file cannot be read as an image.")) from error
    if _local_name(root.tag) != (SVG_NS, "svg"):
        raise _bad_logo(_("The file is not an SVG image."))
    _clean_svg_element(root)
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _png_check(data: bytes) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                raise _bad_logo(_("The file is not a PNG image."))
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise _bad_logo(_("The PNG file cannot be read as an image.")) from error
    if width > LOGO_MAX_PIXELS or height > LOGO_MAX_PIXELS:
        raise _bad_logo(
            _("The logo is %(width)s×%(height)s pixels; at most %(max)s on each side.")
            % {"width": width, "height": height, "max": LOGO_MAX_PIXELS}
        )


def logo_clean(*, data: bytes, filename: str) -> tuple[bytes, str]:
    """The logo's bytes made safe, and its file suffix; ValidationError for anything else."""
    if len(data) > LOGO_MAX_BYTES:
        raise _bad_logo(
            _("The logo is %(size)s; the largest we accept is %(max)s.")
            % {"size": filesizeformat(len(data)), "max": filesizeformat(LOGO_MAX_BYTES)}
        )
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        _png_check(data)
        return data, "png"
    if filename.lower().endswith(".svg") or b"<svg" in data[:2048]:
        return svg_sanitise(data), "svg"
    raise _bad_logo(_("The logo must be a PNG or an SVG image."))


# --- First run -------------------------------------------------------------------------


def _top_unit(*, current: Municipality, department: str) -> OrgUnit:
    unit = current.top_unit if current.top_unit_id else None
    if unit is None:
        roots = OrgUnit.objects.filter(parent__isnull=True, kind=OrgUnit.Kind.DEPARTMENT)
        unit = roots.filter(name=department).first() or (
            roots.first() if roots.count() == 1 else None
        )
    if unit is None:
        unit = OrgUnit(kind=OrgUnit.Kind.DEPARTMENT)
    return unit


@transaction.atomic
def municipality_setup(
    *,
    name: str,
    department: str,
    language: str,
    user: User | None = None,
    logo: bytes | None = None,
    logo_filename: str = "",
) -> Municipality:
    """Create or update the municipality and its top unit. Running it twice changes nothing."""
    name, department = name.strip(), department.strip()
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Choose one of the languages nb, sv or en."))
    current = Municipality.objects.select_for_update().filter(pk=1).first() or Municipality(pk=1)
    top = _top_unit(current=current, department=department)
    if top.name != department or top._state.adding:
        top.name = department
        top._history_user = user
        top.full_clean()
        top.save()
        org_event("org.top_unit_saved", user=user, target=department)
    changed = (current.name, current.language, current.top_unit_id) != (name, language, top.pk)
    current.name, current.language, current.top_unit = name, language, top
    if logo is not None:
        cleaned, suffix = logo_clean(data=logo, filename=logo_filename)
        if current.logo:
            current.logo.delete(save=False)
        current.logo.save(f"logo.{suffix}", ContentFile(cleaned), save=False)
        changed = True
    if changed or current._state.adding:
        current._history_user = user
        current.full_clean()
        current.save()
        org_event("municipality.saved", user=user, target=name, language=language)
    transaction.on_commit(municipality_forget)
    municipality_forget()
    return current


def logo_data_uri() -> str:
    """The logo as a `data:` URI for the PDF cover, or "" when there is none."""
    from django.core.files.storage import default_storage

    logo_name = municipality_settings().logo_name
    if not logo_name:
        return ""
    try:
        with default_storage.open(logo_name, "rb") as handle:
            data = handle.read(LOGO_MAX_BYTES + 1)
    except OSError:
        return ""
    kind = "image/svg+xml" if logo_name.endswith(".svg") else "image/png"
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"
