"""The status page's rows as HTML: the page, an inline save and "Save all" draw them here.

Measured with `bench/bench_status.py` (PostgreSQL, 85 rows, idle 2-core machine): the
page took 125 ms, of which the template engine took about 80 ms (some 200 nodes a row
through `django_tables2` and includes) and building and drawing a form per row about
20 ms (425 fields through `BoundField`). Now the table is one Jinja2 template
(`measures/jinja2/measures/status_table.html`, see `qualityplan.jinja2`), and a row
nobody has typed into is drawn without a form: its inputs are written from the row,
with the attributes a `StatusRowForm` gives its widgets, read once from a model form
per indicator kind. A row with the user's own values (an error, a conflict, a kept
"Save all") is drawn through its bound form, the one source of its values and
messages. `tests/measures/test_status_rows.py` holds the two paths to the same HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from types import SimpleNamespace

from django import forms
from django.template.loader import get_template
from django.utils import formats
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qualityplan.formatting import format_number, format_percent
from qualityplan.jinja2 import url_maker

from .forms import COUNTED_SOURCES, OUTSIDE_SOURCES, StatusRowForm, _row_initial
from .models import Indicator, MeasureStatus

ROW_FIELDS = ("version", "status", "progress", "comment", "value")


@lru_cache(maxsize=16)
def _words(language: str) -> dict[str, str]:
    # Called with the language active, so the words are in `language`.
    return {
        "measure": _("Measure"),
        "indicator": _("Indicator"),
        "reported": _("Reported"),
        "not_reported": _("Not reported"),
        "status": _("Status"),
        "progress": _("Progress (%)"),
        "value": _("Indicator value"),
        "comment": _("Comment"),
        "save": _("Save"),
        "copy_previous": _("Copy last period"),
        "history": _("History"),
        "counted": _("counted automatically"),
        "imported": _("imported from a file"),
        "statistics": _("from national statistics"),
        "correct": _("Correct"),
        "goal": _("Goal %(number)s"),
        "saved_by": _("Saved %(time)s by %(name)s"),
        "saved_at": _("Saved at %(time)s."),
        "conflict": _("Someone else saved this row while you were editing it."),
        "theirs_saved": _("%(name)s saved it %(time)s:"),
        "conflict_choice": _(
            "Your values are still in the row. Save again to replace theirs with yours, "
            "or keep theirs."
        ),
        "keep_theirs": _("Keep theirs"),
        "not_saved": _("The row was not saved. Correct what is marked and save again."),
        "yes": _("Yes"),
        "no": _("No"),
    }


def row_words() -> dict[str, str]:
    """The rows' words in the active language, translated once per language."""
    return _words(_language())


# --- Inputs of a row nobody has typed into ------------------------------------------------


@dataclass(frozen=True)
class _Input:
    """How a StatusRowForm draws one field, for a row of one indicator kind."""

    tag: str  # "input", "select" or "textarea"
    input_type: str
    attrs: str  # the widget's own attributes, escaped, in the widget's order
    localize: bool
    # A select's options with each value selected in turn ("" for no value).
    options: dict[str, str] = field(default_factory=dict)


def _attrs_html(attrs: dict) -> str:
    # As `measures.widgets._attrs`: False leaves an attribute out, True writes its name.
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _options(choices, selected: str | None) -> str:
    # As `measures.widgets.Select`.
    return "".join(
        f'\n  <option value="{escape(value)}"{" selected" if value == selected else ""}>'
        f"{escape(label)}</option>\n"
        for value, label in choices
    )


@lru_cache(maxsize=64)
def _inputs(kind: str | None, source: str | None, language: str) -> dict[str, _Input]:
    """The fields of a StatusRowForm for a row whose indicator has this kind and source,
    read off a form built once (the choices' names are in `language`, active now)."""
    indicator = Indicator(kind=kind, source=source, name="") if kind else None
    row = SimpleNamespace(
        pk=0,
        measure=SimpleNamespace(indicators=SimpleNamespace(all=lambda: [indicator] * bool(kind))),
        version=0,
        status=MeasureStatus.Status.NOT_STARTED,
        progress=None,
        comment="",
        value_number=None,
        value_bool=None,
        value_text="",
    )
    inputs = {}
    for name, form_field in StatusRowForm(row=row).fields.items():
        widget = form_field.widget
        choices = [(str(value), str(label)) for value, label in getattr(form_field, "choices", ())]
        inputs[name] = _Input(
            tag="select"
            if isinstance(widget, forms.Select)
            else "textarea"
            if isinstance(widget, forms.Textarea)
            else "input",
            input_type=getattr(widget, "input_type", ""),
            attrs=_attrs_html(widget.attrs),
            localize=form_field.localize,
            options={
                selected: _options(choices, selected)
                for selected in [None, *(value for value, _label in choices)]
            },
        )
    return inputs


def _unbound_input(spec: _Input, html_name: str, value) -> str:
    """One field of an unbound StatusRowForm, as its widget (measures.widgets) draws it:
    escaped, ready to be marked safe."""
    if spec.tag == "select":
        # A select marks its empty choice when there is no value (Select.format_value).
        text = "" if value is None else str(value)
        options = spec.options.get(text, spec.options[None])
        return f'<select name="{html_name}"{spec.attrs} id="id_{html_name}">{options}\n</select>'
    if value is None or value == "":
        text = None
    else:
        text = formats.localize_input(value) if spec.localize else str(value)
    if spec.tag == "textarea":
        body = escape(text or "")
        return f'<textarea name="{html_name}"{spec.attrs} id="id_{html_name}">\n{body}</textarea>'
    value_html = "" if text is None else f' value="{escape(text)}"'
    return (
        f'<input type="{spec.input_type}" name="{html_name}"{value_html}{spec.attrs}'
        f' id="id_{html_name}">'
    )


# --- A row as the table draws it -----------------------------------------------------------


class RowView:
    """What the row template reads of a status row, worked out here so the template only
    looks things up: its inputs' HTML and messages, its indicator, whether it is editable.

    `form` is the row's bound form (the user's values with their errors) or a form with
    a conflict; without one, the inputs are written from the row itself.
    """

    def __init__(self, row: MeasureStatus, *, editable: bool, form: StatusRowForm | None):
        self.row = row
        self.editable = editable
        self.indicator = next(iter(row.measure.indicators.all()), None)
        source = self.indicator.source if self.indicator else None
        self.value_is_counted = source in COUNTED_SOURCES
        self.value_is_outside = source in OUTSIDE_SOURCES
        self.conflict = getattr(form, "conflict", None)
        inputs = _inputs(self.indicator.kind if self.indicator else None, source, _language())
        self.has_value_input = "value" in inputs
        self.value_label = (
            _("Value: %(indicator)s") % {"indicator": self.indicator.name}
            if self.has_value_input
            else ""
        )
        self.errors = dict.fromkeys(inputs, "")
        self.non_field_errors: list[str] = []
        self.has_errors = False
        if not editable:
            self.inputs = {}
        elif form is not None and (form.is_bound or self.conflict is not None):
            self.inputs = {name: mark_safe(str(form[name])) for name in inputs}  # noqa: S308
            self.errors = {name: _errors_html(form[name]) for name in inputs}
            self.non_field_errors = list(form.non_field_errors())
            self.has_errors = bool(form.errors)
        else:
            initial = _row_initial(row)
            prefix = f"s{row.pk}-"
            self.inputs = {
                # Escaped by _unbound_input and _attrs_html.
                name: mark_safe(_unbound_input(spec, prefix + name, initial[name]))  # noqa: S308
                for name, spec in inputs.items()
            }


def _language() -> str:
    return get_language() or ""


def _errors_html(bound_field) -> SafeString:
    """A field's messages, tied to it by id (the form's aria-describedby points here)."""
    if not bound_field.errors:
        return mark_safe("")
    messages = "".join(format_html("<p>{}</p>", error) for error in bound_field.errors)
    return format_html(
        '<div class="ds-validation-message" data-color="danger" id="{}_error">{}</div>',
        bound_field.auto_id,
        mark_safe(messages),  # noqa: S308 -- each message escaped by format_html
    )


def saver_name(user) -> str:
    """As `{{ user.get_full_name|default:user|default:"" }}`."""
    if user is None:
        return ""
    return user.get_full_name() or str(user)


def value_html(status: MeasureStatus, indicator: Indicator | None) -> SafeString:
    """A row's indicator value in words, "–" (muted) when there is none."""
    none = mark_safe('<span class="muted">–</span>')
    if indicator is None:
        return none
    if indicator.kind == Indicator.Kind.YES_NO:
        if status.value_bool is None:
            return none
        return escape(row_words()["yes" if status.value_bool else "no"])
    if indicator.kind == Indicator.Kind.MILESTONE:
        return escape(status.value_text or "–")
    if status.value_number is None:
        return none
    if indicator.kind == Indicator.Kind.PERCENTAGE:
        return escape(format_percent(status.value_number))
    return escape(format_number(status.value_number))


def _urls() -> dict:
    return {
        name: url_maker(name)
        for name in (
            "status_save",
            "status_copy_previous",
            "status_correct",
            "measure_history",
            "status_row",
            "status_page",
        )
    }


def render_table(views: list[RowView], *, request) -> SafeString:
    """The status page's table: a heading row, a group per goal, a tbody per row."""
    template = get_template("measures/status_table.html", using="jinja2")
    return mark_safe(  # noqa: S308 -- Jinja2 escapes; see qualityplan.jinja2
        template.render(_context(rows=views, empty_text=_("No rows match the filters.")), request)
    )


def render_row(view: RowView, *, request, saved: bool = False, error: str | None = None) -> str:
    """One row's tbody, as an inline save returns it."""
    template = get_template("measures/status_row.html", using="jinja2")
    return template.render(_context(row=view, saved=saved, error=error), request)


def _context(**context) -> dict:
    return {
        "L": row_words(),
        "u": _urls(),
        "saver_name": saver_name,
        "value_html": value_html,
        "saved": False,
        "error": None,
        **context,
    }
