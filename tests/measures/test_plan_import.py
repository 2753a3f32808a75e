import csv
import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from measures.models import Indicator, Measure, MeasureYear
from measures.plan_import import PlanImportError, parse_plan_table
from measures.plan_write import plan_import_apply
from qualityplan.models import Goal, OrgUnit, QualityPlan, Role, SubGoal

REAL_FILE = Path(__file__).resolve().parent.parent / "data" / "ho-kvalitetsplan-2021-2024.tsv"
REAL_NAME = REAL_FILE.name


def real_bytes() -> bytes:
    return REAL_FILE.read_bytes()


def real_rows() -> list[list[str]]:
    return [line.split("\t") for line in real_bytes().decode("utf-8").splitlines()]


def parse_real():
    return parse_plan_table(data=real_bytes(), filename=REAL_NAME)


def find_measure(table, title: str):
    return next(m for m in table.measures if m.title.startswith(title))


def notes_on(table, row: int) -> list[str]:
    return [note.message for note in table.notes if note.row == row]


def as_csv(rows: list[list[str]], delimiter: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def as_xlsx(rows: list[list], extra_first_sheet: bool = False) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if extra_first_sheet:
        sheet.title = "Forside"
        sheet.append(["Kvalitetsplan for helse og omsorg"])
        sheet = workbook.create_sheet("Handlingsplan")
    for row in rows:
        sheet.append([int(cell) if cell.isdigit() else (cell or None) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def nothing_created() -> bool:
    models = (QualityPlan, Goal, SubGoal, Measure, MeasureYear, Indicator)
    return all(model.objects.count() == 0 for model in models)


def structure(table) -> list:
    """Goals, sub-goals and measures with what the import keeps of them, for comparing."""

    def measure(m):
        return (m.title, sorted(m.responsible_codes), m.is_continuous, sorted(m.years))

    return [
        (
            goal.title,
            [measure(m) for m in goal.measures_without_subgoal],
            [(sub.title, [measure(m) for m in sub.measures]) for sub in goal.subgoals],
        )
        for goal in table.goals
    ]


# --- The real table -------------------------------------------------------------------------


def test_real_table_has_six_goals_eight_subgoals_and_eighteen_measures(db):
    table = parse_real()
    assert (table.goal_count, table.subgoal_count, table.measure_count) == (6, 8, 18)
    assert table.years == [2021, 2022, 2023, 2024]


def test_goal_titles_start_without_their_label(db):
    titles = [goal.title for goal in parse_real().goals]
    assert titles[0].startswith("Virksomhetene leverer et helhetlig")
    assert titles[1].startswith("Tjenestene er i samsvar")
    assert not any(title.lower().startswith("mål") for title in titles)


def test_header_row_is_also_the_first_goal(db):
    table = parse_real()
    assert table.goals[0].source_row == 1
    assert any("header row also holds the first goal" in m for m in notes_on(table, 1))


def test_empty_subgoal_label_is_skipped_with_a_note(db):
    table = parse_real()
    skipped = [note for note in table.notes if note.kind == "skipped"]
    assert [note.row for note in skipped] == [2]


def test_unlabelled_rows_under_a_goal_become_subgoals_with_a_note(db):
    table = parse_real()
    assert table.goals[0].subgoals[0].title == "Kvalitetsplan er utarbeidet"
    for row in (3, 10, 15, 16):
        assert any("read as a sub-goal" in message for message in notes_on(table, row))


def test_goal_row_carrying_a_measure_gives_the_goal_and_the_measure(db):
    goal = parse_real().goals[2]
    assert goal.title.startswith("Virksomhetene mottar helsejenester")
    assert [m.title for m in goal.measures_without_subgoal] == [
        "Systematisere og etterleve rutine for primærkontakter/primærgrupper."
    ]


def test_measure_years_come_from_the_x_columns(db):
    table = parse_real()
    assert find_measure(table, "Etablere og implementere rutine for primærkons").years == [2021]
    assert find_measure(table, "Rapportere og følge opp avvik").years == [2021, 2022, 2023, 2024]


def test_measure_without_period_is_not_continuous_and_keeps_its_unknown_role(db):
    measure = find_measure(parse_real(), "Utredde brukerråd Hjemmejeneste")
    assert measure.responsible_codes == ["DL"]
    assert measure.years == [2021]
    assert measure.is_continuous is False


def test_lopende_makes_a_measure_continuous(db):
    table = parse_real()
    assert find_measure(table, "Implementere kvalitetsplan").is_continuous
    assert sum(m.is_continuous for m in table.measures) == 16


def test_responsibility_names_and_typos_are_mapped_to_role_codes(db):
    table = parse_real()
    assert find_measure(table, "Implementere kvalitetsplan").responsible_codes == ["KD", "OL"]
    assert find_measure(table, "Ruletende plan").responsible_codes == ["VL", "KUK"]
    assert find_measure(table, "Etablere system for å hente").responsible_codes == ["KUK"]


def test_roles_in_the_indicator_column_are_read_as_responsible(db):
    table = parse_real()
    training = find_measure(table, "Gjennomføre opplæring")
    structure_measure = find_measure(table, "Strukturen er synlig")
    assert sorted(training.responsible_codes) == ["AL", "VL"]
    assert training.indicator == ""
    assert sorted(structure_measure.responsible_codes) == ["KD", "KUK", "OL", "VL"]
    assert any("holds only roles (“AL”)" in m for m in notes_on(table, 16))
    assert any("holds only roles (“Kommunaldirektør/OL”)" in m for m in notes_on(table, 19))


def test_measure_without_any_x_is_noted(db):
    table = parse_real()
    assert find_measure(table, "Vedlikehold av lik struktur").years == []
    assert any("No year is marked" in message for message in notes_on(table, 20))


def test_unknown_abbreviation_is_noted_and_becomes_a_new_role(db):
    table = parse_real()
    roles = {role.code: role for role in table.roles}
    assert roles["DL"].exists is False
    assert any("“DL” is not a known role" in message for message in notes_on(table, 8))


def test_abbreviation_for_an_existing_role_is_noted_not_applied(db):
    table = parse_real()
    roles = {role.code: role for role in table.roles}
    assert roles["OL"].source == "abbreviations"
    assert roles["OL"].name == "Områdeleder"
    assert any("already exists" in message for message in notes_on(table, 26))


def test_indicator_kind_is_guessed_from_the_text(db):
    table = parse_real()
    assert find_measure(table, "Følge opp etablerte").indicator_kind == Indicator.Kind.COUNT
    assert find_measure(table, "Oppfølging og fokus").indicator_kind == Indicator.Kind.MILESTONE


def test_title_hint_comes_from_the_filename_and_the_years(db):
    assert parse_real().title_hint == "Kvalitetsplan 2021–2024"


# --- Rules shown on small tables ------------------------------------------------------------

SMALL_HEADER = "Mål\tTiltak\tMåleindikator\tAnsvar\tOppstart/slutt\t2021\t2022"


def small(*lines: str, before: str = ""):
    text = before + "\n".join([SMALL_HEADER, *lines])
    return parse_plan_table(data=text.encode(), filename="plan.tsv")


@pytest.mark.parametrize("label", ["Mål", "Mål/delmål", "Mål - delmål", "Delmål", "Goal", ""])
def test_goal_column_may_be_labelled_in_many_ways(db, label):
    text = f"{label}\tTiltak\tAnsvar\t2021\nMål: A\tB\tVL\tX\n"
    table = parse_plan_table(data=text.encode(), filename="plan.tsv")
    assert [goal.title for goal in table.goals] == ["A"]


def test_rows_above_the_header_are_skipped_with_a_note(db):
    table = small("Mål: A\tGjøre noe\t\tVL\t\tX", before="Handlingsplan\n\n")
    assert table.goals[0].title == "A"
    assert [(n.row, n.kind) for n in table.notes if n.kind == "skipped"] == [(1, "skipped")]


def test_text_before_any_goal_becomes_a_goal_with_a_note(db):
    table = small("Trygge tjenester\tGjøre noe\t\tVL\t\tX")
    assert table.goals[0].title == "Trygge tjenester"
    assert "read as a goal" in notes_on(table, 2)[0]


def test_measure_before_any_goal_is_skipped_with_a_note(db):
    table = small("\tGjøre noe\t\tVL\t\tX", "Mål: A\tGjøre mer\t\tVL\t\tX")
    assert [m.title for m in table.measures] == ["Gjøre mer"]
    assert notes_on(table, 2) == ["A measure before any goal."]


def test_repeated_header_row_is_skipped(db):
    table = small("Mål: A\tB\t\tVL\t\tX", SMALL_HEADER, "\tC\t\tVL\t\tx")
    assert [m.title for m in table.measures] == ["B", "C"]
    assert notes_on(table, 3) == ["A repeated header row."]


def test_measure_details_without_a_title_are_skipped_with_a_note(db):
    table = small("Mål: A\tB\t\tVL\t\tX", "\t\tAntall\tVL\t\tX")
    assert table.measure_count == 1
    assert notes_on(table, 3) == ["The row has measure details but no measure title."]


@pytest.mark.parametrize(
    "text,start,end,continuous",
    [
        ("Løpende", None, None, True),
        ("2021–2022", date(2021, 1, 1), date(2022, 12, 31), False),
        ("01.03.2021 - 30.06.2022", date(2021, 3, 1), date(2022, 6, 30), False),
        ("2021-03-01", date(2021, 3, 1), None, False),
        ("03.2021–06.2021", date(2021, 3, 1), date(2021, 6, 30), False),
        ("innen 2022", None, date(2022, 12, 31), False),
        ("Fortløpende fra 2021", date(2021, 1, 1), None, True),
    ],
)
def test_start_and_end_are_read(db, text, start, end, continuous):
    measure = small(f"Mål: A\tB\t\tVL\t{text}\tX").measures[0]
    assert (measure.start_date, measure.end_date, measure.is_continuous) == (start, end, continuous)
    assert measure.start_end_text == text


def test_unreadable_start_and_end_is_noted(db):
    table = small("Mål: A\tB\t\tVL\tSnarest\tX")
    assert table.measures[0].start_date is None
    assert "Could not read the start/end “Snarest”; left empty." in notes_on(table, 2)


@pytest.mark.parametrize("mark", ["X", "x ", "✓", "ja", "Yes"])
def test_year_marks_other_than_x_are_read(db, mark):
    assert small(f"Mål: A\tB\t\tVL\t\t{mark}\t").measures[0].years == [2021]


def test_unknown_text_in_a_year_column_counts_as_running_with_a_note(db):
    table = small("Mål: A\tB\t\tVL\t\tQ3\tnei")
    assert table.measures[0].years == [2021]
    assert any("Read “Q3” under 2021" in message for message in notes_on(table, 2))


def test_abbreviations_in_one_cell_with_other_separators_name_new_roles(db):
    abbreviations = '"Forkortelser:\nDL = driftsleder\nFL: fagleder"'
    table = small("Mål: A\tB\t\tDL/FL\t\tX", "", abbreviations)
    assert table.measures[0].responsible_codes == ["DL", "FL"]
    roles = {role.code: (role.name, role.source, role.exists) for role in table.roles}
    assert roles["DL"] == ("Driftsleder", "abbreviations", False)
    assert roles["FL"] == ("Fagleder", "abbreviations", False)
    assert not any("not a known role" in note.message for note in table.notes)


def test_unknown_role_name_becomes_a_role_with_a_code_from_its_name(db):
    table = small("Mål: A\tB\t\tFagsykepleier\t\tX")
    assert table.measures[0].responsible_codes == ["FAGSYKEPLEIER"]
    assert table.roles[0].name == "Fagsykepleier"


def test_excel_sep_line_names_the_delimiter(db):
    text = 'sep=,\nMål,Tiltak,Ansvar,2021\nMål: A,"Gjøre noe; og mer",VL,X\n'
    table = parse_plan_table(data=text.encode(), filename="plan.csv")
    assert table.measures[0].title == "Gjøre noe; og mer"


# --- Applying ---------------------------------------------------------------------------------


def test_apply_creates_plan_goals_subgoals_measures_years_and_indicators(org):
    table = parse_real()
    plan = plan_import_apply(table=table, owner=org.department, title="Kvalitetsplan")
    assert (plan.first_year, plan.last_year) == (2021, 2024)
    # Defect 1: an import made the plan active at once; it is a draft until activated.
    assert plan.status == QualityPlan.Status.DRAFT
    assert Goal.objects.filter(plan=plan).count() == 6
    assert SubGoal.objects.filter(goal__plan=plan).count() == 8
    assert Measure.objects.filter(goal__plan=plan).count() == 18
    with_indicator = sum(1 for measure in table.measures if measure.indicator)
    assert Indicator.objects.count() == with_indicator == 14
    assert MeasureYear.objects.count() == sum(len(m.years) for m in table.measures)


def test_apply_creates_missing_roles_and_maps_known_ones(org):
    plan = plan_import_apply(table=parse_real(), owner=org.department, title="Kvalitetsplan")
    measure = Measure.objects.get(goal__plan=plan, title__startswith="Strukturen er synlig")
    codes = sorted(measure.responsible_roles.values_list("code", flat=True))
    assert codes == ["KD", "KUK", "OL", "VL"]
    assert Role.objects.get(code="DL").manages_plan is False
    utredde = Measure.objects.get(title__startswith="Utredde brukerråd")
    assert list(utredde.responsible_roles.values_list("code", flat=True)) == ["DL"]
    assert list(utredde.years.values_list("year", flat=True)) == [2021]


def test_apply_never_changes_existing_roles(org):
    before = {role.code: (role.name, role.manages_plan, role.scope) for role in Role.objects.all()}
    plan_import_apply(table=parse_real(), owner=org.department, title="Kvalitetsplan")
    for role in Role.objects.exclude(code="DL"):
        assert before[role.code] == (role.name, role.manages_plan, role.scope)


def test_apply_keeps_goal_and_measure_order(org):
    plan = plan_import_apply(table=parse_real(), owner=org.department, title="Kvalitetsplan")
    goal = plan.goals.get(position=3)
    measures = list(goal.measures.order_by("position"))
    assert measures[0].subgoal is None
    assert measures[1].subgoal.title == "Samarbeid med brukere og pårørende er satt i system"


def test_apply_that_fails_creates_nothing_at_all(org):
    with pytest.raises(PlanImportError, match="could not be saved"):
        plan_import_apply(table=parse_real(), owner=org.department, title="x" * 301)
    assert nothing_created()
    assert not Role.objects.filter(code="DL").exists()


# --- Other shapes of the same table ---------------------------------------------------------


def test_semicolon_csv_from_norwegian_excel_gives_the_same_table(db):
    data = as_csv(real_rows(), ";").encode("utf-8-sig")
    table = parse_plan_table(data=data, filename="plan.csv")
    assert structure(table) == structure(parse_real())


def test_windows_1252_csv_is_read(db):
    data = as_csv(real_rows(), ";").encode("cp1252")
    table = parse_plan_table(data=data, filename="plan.csv")
    assert table.goals[1].subgoals[0].title.startswith("Samarbeid med brukere og pårørende")
    assert structure(table) == structure(parse_real())


def test_utf16_with_bom_is_read(db):
    data = real_bytes().decode("utf-8").encode("utf-16")
    assert structure(parse_plan_table(data=data, filename="plan.txt")) == structure(parse_real())


def test_xlsx_gives_the_same_table_from_the_sheet_with_the_header(db):
    data = as_xlsx(real_rows(), extra_first_sheet=True)
    table = parse_plan_table(data=data, filename="plan.xlsx")
    assert structure(table) == structure(parse_real())


SWEDISH = [
    ["Ansvarig", "Åtgärd", "Mål", "Nyckeltal", "2025", "2026", "Period"],
    ["", "", "Mål: Trygg vård", "", "", "", ""],
    ["", "", "Delmål: Färre fallolyckor", "", "", "", ""],
    ["Verksamhetschef", "Införa fallriskbedömning", "", "Andel bedömda (%)", "x", "X", "Löpande"],
    ["Områdeschef/VL", "Följa upp avvikelser", "", "Antal avvikelser", "X", "", "2025-2026"],
    ["", "", "Mål: Delaktighet", "", "", "", ""],
    ["Enhetschef", "Starta brukarråd", "", "", "", "x", ""],
]


def test_swedish_headers_in_another_order(db):
    table = parse_plan_table(data=as_csv(SWEDISH, ";").encode(), filename="verksamhetsplan.csv")
    assert (table.goal_count, table.subgoal_count, table.measure_count) == (2, 1, 3)
    first, second = table.goals[0].subgoals[0].measures
    assert (first.responsible_codes, first.is_continuous, first.years) == (
        ["VL"],
        True,
        [2025, 2026],
    )
    assert first.indicator_kind == Indicator.Kind.PERCENTAGE
    assert second.responsible_codes == ["OL", "VL"]
    assert (second.start_date.isoformat(), second.end_date.isoformat()) == (
        "2025-01-01",
        "2026-12-31",
    )
    assert table.goals[1].measures_without_subgoal[0].years == [2026]
    assert table.title_hint == "Verksamhetsplan 2025–2026"


ENGLISH = [
    ["Responsible", "Indicator", "Action", "Goal", "2024", "2023", "Start/end"],
    ["", "", "", "Goal: Safe care", "", "", ""],
    [
        "Unit leader",
        "Number of falls",
        "Assess fall risk",
        "Sub-goal: Fewer falls",
        "x",
        "x",
        "ongoing",
    ],
    ["Area leader, section leader", "Percentage of staff trained", "Train staff", "", "", "x", ""],
    ["Director/Quality office", "", "Report yearly", "", "x", "", "continuous"],
]


def test_english_headers_in_another_order(db):
    table = parse_plan_table(data=as_csv(ENGLISH, ",").encode(), filename="plan.csv")
    assert table.years == [2023, 2024]
    measures = table.goals[0].subgoals[0].measures
    assert [m.title for m in measures] == ["Assess fall risk", "Train staff", "Report yearly"]
    assert measures[0].responsible_codes == ["VL"]
    assert measures[0].years == [2023, 2024]
    assert measures[1].responsible_codes == ["OL", "AL"]
    assert measures[1].years == [2023]
    assert measures[2].responsible_codes == ["KD", "KUK"]
    assert measures[2].is_continuous


# --- Files we refuse --------------------------------------------------------------------------


def tsv_with(row: int, column: int, text: str) -> bytes:
    rows = real_rows()
    rows[row - 1][column] = text
    return "\n".join("\t".join(cells) for cells in rows).encode()


def xlsx_with_formula() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in real_rows():
        sheet.append([cell or None for cell in row])
    sheet["C6"] = "=1+1"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


BROKEN = {
    "empty": (b"", "plan.tsv", "empty"),
    "only blank lines": (b"  \r\n\r\n\t\t\n", "plan.tsv", "empty"),
    "binary garbage": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01", "plan.csv", "not a text"),
    "unreadable encoding": ("Привет мир".encode("koi8-r") * 20, "plan.csv", "not a text"),
    "control bytes": (b"M\xe5l\tTiltak\n" + bytes(range(0x80, 0xA0)), "plan.csv", "not a text"),
    "no header": ("Hei\tpå\tdeg\nen\tto\ttre\n".encode(), "plan.tsv", "no header row"),
    "header without goals": (b"M\xc3\xa5l\tTiltak\tAnsvar\t2021\n\n", "plan.tsv", "no goals"),
    "xlsx that is not a zip": (b"Mal\tTiltak\tAnsvar\n", "plan.xlsx", "not an Excel workbook"),
    "broken zip": (b"PK\x03\x04" + b"\x00garbage" * 10, "plan.xlsx", "not an Excel workbook"),
    "old xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "plan.xls", "old Excel"),
    "too many years": (
        ("Mål\tTiltak\t" + "\t".join(str(y) for y in range(2020, 2032)) + "\n"
         "Mål: A\tB\tX\n").encode(),
        "plan.tsv",
        "at most ten years",
    ),
}  # fmt: skip


@pytest.mark.parametrize("data,filename,message", BROKEN.values(), ids=BROKEN.keys())
def test_broken_file_is_refused_with_a_clear_message(db, data, filename, message):
    with pytest.raises(PlanImportError, match=message):
        parse_plan_table(data=data, filename=filename)
    assert nothing_created()


@pytest.mark.parametrize(
    "formula",
    ["=SUM(A1:A3)", "+47+cmd", "-2+3+cmd|' /C calc'!A0", "@SUM(1)", "-SUM(A1)", " =1+1"],
)
def test_formula_in_a_text_cell_is_refused_with_its_cell(db, formula):
    with pytest.raises(PlanImportError, match="Cell B6 contains a formula"):
        parse_plan_table(data=tsv_with(6, 1, formula), filename="plan.tsv")
    assert nothing_created()


@pytest.mark.parametrize("text", ["-", "- se under", "-5", "-Antall (se under)"])
def test_cell_starting_with_a_plain_dash_is_not_a_formula(db, text):
    table = parse_plan_table(data=tsv_with(6, 2, text), filename="plan.tsv")
    assert table.measure_count == 18


def test_formula_cell_in_xlsx_is_refused_with_its_cell(db):
    with pytest.raises(PlanImportError, match="Cell C6"):
        parse_plan_table(data=xlsx_with_formula(), filename="plan.xlsx")
    assert nothing_created()


def test_file_over_the_size_limit_is_refused(db, settings):
    settings.PLAN_IMPORT_MAX_BYTES = 1000
    with pytest.raises(PlanImportError, match="largest file we accept"):
        parse_plan_table(data=real_bytes(), filename=REAL_NAME)


def test_table_with_more_than_2000_rows_is_refused(db):
    rows = ["Mål: Ett mål\tTiltak\tAnsvar\t2021"] + ["\tGjøre noe\tVL\tX"] * 2001
    with pytest.raises(PlanImportError, match="more than 2000 rows"):
        parse_plan_table(data="\n".join(rows).encode(), filename="plan.tsv")


# --- The command ------------------------------------------------------------------------------


def test_import_command_dry_run_prints_the_summary_and_notes_and_saves_nothing(org):
    out = io.StringIO()
    call_command("import_plan", str(REAL_FILE), "--dry-run", stdout=out)
    text = out.getvalue()
    assert "6 goals, 8 sub-goals, 18 measures" in text
    assert "row 16: interpreted: The indicator column holds only roles" in text
    assert "Nothing saved." in text
    assert nothing_created()


def test_import_command_creates_the_plan_under_the_only_department(org):
    call_command(
        "import_plan", str(REAL_FILE), "--plan-title", "HO 2021–2024", stdout=io.StringIO()
    )
    plan = QualityPlan.objects.get()
    assert (plan.title, plan.owner) == ("HO 2021–2024", org.department)


def test_import_command_asks_for_the_owner_when_there_are_two_departments(org):
    OrgUnit.objects.create(name="Oppvekst", kind=OrgUnit.Kind.DEPARTMENT)
    with pytest.raises(CommandError, match="--owner"):
        call_command("import_plan", str(REAL_FILE), stdout=io.StringIO())
    call_command("import_plan", str(REAL_FILE), "--owner", "Oppvekst", stdout=io.StringIO())
    assert QualityPlan.objects.get().owner.name == "Oppvekst"


def test_import_command_reports_a_bad_file_as_a_command_error(org, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match="not an Excel workbook"):
        call_command("import_plan", str(path), stdout=io.StringIO())
    assert nothing_created()


@pytest.mark.parametrize("word", ["Årligen", "årlig", "Hvert år", "Varje år", "Annually"])
def test_a_yearly_start_end_reads_as_continuous_like_lopende(db, word):
    """Defect 8: "Årligen" in the start/end column was not understood."""
    table = parse_plan_table(data=tsv_with(8, 4, word), filename="plan.tsv")
    measure = find_measure(table, "Utredde brukerråd Hjemmejeneste")
    assert measure.is_continuous
    assert not any("start/end" in message.lower() for message in notes_on(table, 8))


def test_a_role_given_only_by_code_asks_for_a_name(db):
    """Defect 8: the role "DL" was created with "DL" as its name."""
    role = next(role for role in parse_real().roles if role.code == "DL")
    assert role.needs_name
    assert not next(role for role in parse_real().roles if role.code == "VL").needs_name
