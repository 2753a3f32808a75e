"""The status page draws a row nobody has typed into without building its form
(measures/status_rows.py): those inputs must be exactly what the form would draw."""

from decimal import Decimal

import pytest
from django.utils import translation

from measures.forms import StatusRowForm
from measures.models import Indicator, MeasureStatus
from measures.periods import period_open
from measures.status_rows import RowView, render_row
from tests.factories import GoalFactory, IndicatorFactory, MeasureFactory

# (indicator kind, source, the row's values): every kind, empty and filled, with
# text that must be escaped and numbers that must be written in the language's way.
CASES = [
    (None, None, {}),
    ("count", "manual", {"value_number": Decimal("12")}),
    ("count", "manual", {"value_number": None, "progress": 0}),
    ("percentage", "manual", {"value_number": Decimal("12.50"), "progress": 100}),
    ("percentage", "manual", {"value_number": Decimal("1234.5")}),
    ("yes_no", "manual", {"value_bool": True}),
    ("yes_no", "manual", {"value_bool": False}),
    ("yes_no", "manual", {"value_bool": None}),
    ("milestone", "manual", {"value_text": 'Plan "<vedtatt>" & sendt'}),
    ("milestone", "manual", {"value_text": ""}),
    ("count", "deviations_reported", {"value_number": Decimal("4")}),
    ("percentage", "imported", {"value_number": Decimal("87.5")}),
    ("count", "statistics", {"value_number": None}),
]


@pytest.fixture
def row(org, users, plan):
    measure = MeasureFactory(goal=GoalFactory(plan=plan), roles=["VL"])
    period, _created = period_open(plan=plan, year=2022, number=1, deadline=None, user=None)
    return period.statuses.filter(measure=measure).select_related("measure").first()


def _with(row: MeasureStatus, kind, source, values: dict) -> MeasureStatus:
    if kind is not None:
        IndicatorFactory(measure=row.measure, kind=kind, source=source, name="Fall <per> 1000")
    row.status = "at_risk"
    row.comment = 'Linje 1\n<script>alert("x")</script> & mer'
    for name, value in values.items():
        setattr(row, name, value)
    # As the page's selector loads it: the indicators fetched with the row, the values
    # set in memory (a form never saves them here).
    fresh = MeasureStatus.objects.prefetch_related("measure__indicators").get(pk=row.pk)
    for name in ("status", "comment", "progress", "value_number", "value_bool", "value_text"):
        setattr(fresh, name, getattr(row, name))
    return fresh


@pytest.mark.parametrize(("kind", "source", "values"), CASES)
def test_an_unbound_row_is_drawn_as_its_form_would_draw_it(row, kind, source, values):
    row = _with(row, kind, source, values)
    for language in ["nb", "sv", "en"]:
        with translation.override(language):
            view = RowView(row, editable=True, form=None)
            form = StatusRowForm(row=row)
            assert set(view.inputs) == set(form.fields)
            for name in form.fields:
                assert view.inputs[name] == str(form[name]), (language, name)
            assert view.has_value_input == ("value" in form.fields)


def test_a_row_with_errors_is_drawn_from_its_bound_form(row, rf):
    row = _with(row, "percentage", "manual", {})
    prefix = f"s{row.pk}"
    data = {
        f"{prefix}-version": row.version,
        f"{prefix}-status": "at_risk",
        f"{prefix}-progress": "140",
        f"{prefix}-value": "12,345",
        f"{prefix}-comment": "Mine <egne> ord",
    }
    form = StatusRowForm(data, row=row)
    assert not form.is_valid()
    with translation.override("nb"):
        html = render_row(RowView(row, editable=True, form=form), request=rf.get("/"))
    # The user's values stay, each error sits under its field and is named by it.
    assert 'value="140"' in html
    assert "Mine &lt;egne&gt; ord" in html
    assert f'aria-describedby="id_{prefix}-progress_error"' in html
    assert f'id="id_{prefix}-progress_error"' in html
    assert "Fremdriften må være mellom 0 og 100." in html
    assert f'id="id_{prefix}-value_error"' in html
    assert html.count('aria-invalid="true"') == 2
    assert "Raden ble ikke lagret" in html


def test_a_row_the_user_may_not_change_shows_its_values_as_text(row, rf):
    row = _with(row, "yes_no", "manual", {"value_bool": True, "progress": 40})
    with translation.override("nb"):
        html = render_row(RowView(row, editable=False, form=None), request=rf.get("/"))
    assert "<input" not in html and "<select" not in html and "<textarea" not in html
    assert "40 %" in html and ">Ja<" in html
    # The comment's line break is kept and its markup escaped.
    assert "Linje 1<br>&lt;script&gt;" in html


def test_a_value_from_outside_is_shown_with_a_link_to_correct_it(row, rf):
    row = _with(row, "percentage", "imported", {"value_number": Decimal("87.5")})
    with translation.override("nb"):
        html = render_row(RowView(row, editable=True, form=None), request=rf.get("/"))
    assert "87,5" in html and "importert fra fil" in html
    assert f"/status/rows/{row.pk}/correct/" in html
    assert f'name="s{row.pk}-value"' not in html


def test_indicator_kinds_cover_every_kind():
    assert {kind for kind, _source, _values in CASES} - {None} == set(Indicator.Kind.values)
