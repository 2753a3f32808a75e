import io
from datetime import date

from django.core.management import call_command
from openpyxl import load_workbook

from measures.models import Measure
from measures.plan_export import plan_export_xlsx
from measures.plan_import import parse_plan_table
from measures.plan_write import plan_import_apply
from tests.factories import GoalFactory, MeasureFactory, SubGoalFactory

from .test_plan_import import parse_real, structure


def imported_plan(owner):
    return plan_import_apply(table=parse_real(), owner=owner, title="Kvalitetsplan 2021–2024")


def reimport(plan):
    return parse_plan_table(data=plan_export_xlsx(plan=plan), filename="export.xlsx")


def sheet_rows(data: bytes) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(data))
    return list(workbook.active.iter_rows(values_only=True))


def test_export_and_reimport_keep_every_goal_subgoal_measure_role_and_year(org):
    original = parse_real()
    again = reimport(imported_plan(org.department))
    assert structure(again) == structure(original)
    assert again.years == original.years


def test_export_keeps_indicators_and_needs_no_interpretation_beyond_missing_data(org):
    again = reimport(imported_plan(org.department))
    original = parse_real()
    assert [m.indicator for m in again.measures] == [m.indicator for m in original.measures]
    assert {note.message for note in again.notes} == {
        "No year is marked with X; the measure is not placed in any year.",
        "No one is responsible for the measure.",
    }


def test_export_has_the_shape_of_the_published_table(org):
    rows = sheet_rows(plan_export_xlsx(plan=imported_plan(org.department)))
    assert rows[0][:5] == ("Goal / sub-goal", "Measure", "Indicator", "Responsible", "Start/end")
    assert rows[0][5:] == (2021, 2022, 2023, 2024)
    assert rows[1][0].startswith("Goal: Virksomhetene leverer")
    assert rows[2][:5] == (
        "Sub-goal: Kvalitetsplan er utarbeidet",
        "Implementere kvalitetsplan",
        "Pågår, kontinuerlig",
        "KD/OL",
        "Continuous",
    )
    assert rows[2][5:] == ("X", None, None, None)
    assert rows[-6][0] == "Abbreviations: AL – Avdelingsleder"
    assert rows[-1][0] == "VL – Virksomhetsleder"


def test_start_and_end_dates_survive_the_round_trip(plan):
    goal = GoalFactory(plan=plan)
    subgoal = SubGoalFactory(goal=goal)
    MeasureFactory(
        goal=goal,
        subgoal=subgoal,
        is_continuous=False,
        start_date=date(2021, 3, 1),
        end_date=date(2022, 6, 30),
    )
    MeasureFactory(goal=goal, is_continuous=True, start_date=date(2022, 1, 1), years=[2022])
    measures = {m.title: m for m in reimport(plan).measures}
    dated = measures[Measure.objects.get(subgoal=subgoal).title]
    assert (dated.start_date, dated.end_date, dated.is_continuous) == (
        date(2021, 3, 1),
        date(2022, 6, 30),
        False,
    )
    continuous = measures[Measure.objects.get(subgoal=None).title]
    assert (continuous.start_date, continuous.is_continuous) == (date(2022, 1, 1), True)


def test_text_that_looks_like_a_formula_is_exported_as_text(plan):
    MeasureFactory(goal=GoalFactory(plan=plan, title='=HYPERLINK("x")'), title="Tiltak")
    workbook = load_workbook(io.BytesIO(plan_export_xlsx(plan=plan)))
    cell = workbook.active["A2"]
    assert cell.data_type == "s"
    assert cell.value == 'Goal: =HYPERLINK("x")'


def test_export_query_count_does_not_grow_with_the_plan(org, django_assert_max_num_queries):
    plan = imported_plan(org.department)
    with django_assert_max_num_queries(12):
        plan_export_xlsx(plan=plan)


def test_export_command_writes_the_workbook(org, tmp_path):
    plan = imported_plan(org.department)
    path = tmp_path / "plan.xlsx"
    call_command("export_plan", str(plan.pk), "--output", str(path), stdout=io.StringIO())
    assert sheet_rows(path.read_bytes())[1][0].startswith("Goal: ")


def test_export_columns_fit_their_content_with_a_frozen_filtered_header(org):
    """Defect 4: widths were fixed (45, 50, 40 …) and there was no filter."""
    plan = imported_plan(org.department)
    sheet = load_workbook(io.BytesIO(plan_export_xlsx(plan=plan))).active
    width = {letter: sheet.column_dimensions[letter].width for letter in "ABCDEFGH"}
    assert width["F"] < 10  # a year column holds "X" and the year
    assert width["B"] == 60  # long measure titles: the widest column, wrapped
    assert any(cell.alignment.wrap_text for cell in sheet["B"] if cell.value)
    assert sheet.freeze_panes == "A2"
    last = sheet.auto_filter.ref.split(":")[1]
    assert sheet.auto_filter.ref.startswith("A1:") and last.startswith("I")
    # The filter covers the table, not the abbreviations under it.
    assert "Abbreviations" not in str(sheet.cell(int(last[1:]), 1).value)
