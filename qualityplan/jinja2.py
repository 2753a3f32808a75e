"""The Jinja2 environment, for the few templates drawn hundreds of times a page.

Django's template engine spends about ten microseconds on every node it renders;
a row of the status page has some two hundred, so a page of a hundred rows spent
most of its time there (see `measures/status_rows.py`). Jinja2 compiles a template
to Python once and runs it as such. Pages stay Django templates; they take the
rows as ready HTML. Words come from Python (`gettext`), so `makemessages` finds them
without knowing Jinja2, and Django's safe strings stay safe here (`__html__`).
"""

from django.template.defaultfilters import floatformat, linebreaksbr
from django.templatetags.static import static
from django.urls import reverse
from django.utils import formats, timezone
from jinja2 import Environment, StrictUndefined

from .formatting import format_measured, format_number, format_percent
from .templatetags.figure_format import percent_number


def _local(value):
    if value is None or value == "":
        return None
    return timezone.localtime(value) if timezone.is_aware(value) else value


def short_datetime(value) -> str:
    """As Django's `{{ value|date:"SHORT_DATETIME_FORMAT" }}`, in the active language."""
    value = _local(value)
    return "" if value is None else formats.date_format(value, "SHORT_DATETIME_FORMAT")


def clock(value) -> str:
    """As Django's `{{ value|time:"H:i" }}`."""
    value = _local(value)
    return "" if value is None else formats.time_format(value, "H:i")


def url_maker(name: str):
    """A function of an object's id giving `reverse(name, args=[id])`, reversing once:
    a table of a hundred rows links each row to a few pages."""
    marker = 987654321
    head, tail = reverse(name, args=[marker]).split(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


def environment(**options) -> Environment:
    # Undefined names fail loudly: a misspelt field must not render as nothing.
    options.setdefault("undefined", StrictUndefined)
    env = Environment(**options)  # noqa: S701 -- the backend passes autoescape=True
    env.globals.update(url=lambda name, *args: reverse(name, args=args), static=static)
    env.filters.update(
        short_datetime=short_datetime,
        clock=clock,
        number=format_number,
        percent=format_percent,
        percent_number=percent_number,
        measured=format_measured,
        floatformat=floatformat,
        linebreaksbr=linebreaksbr,
    )
    return env
