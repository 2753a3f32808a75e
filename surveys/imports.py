"""Responses exported from other survey tools (SurveyXact, Netigate, Questback …).

A file has one row per respondent and one column per question, often under a few
title rows, with `;` and a BOM or Windows-1252 from Excel, and sometimes a total row
at the end. The office maps each column once (to a question, to the unit, or to
nothing); the mapping is kept on the survey for the next file. The preview reads
every row with the same checks as the answering page (identity numbers in free text
included) and the file is taken only when every row it keeps is good; blank rows and
total rows are skipped and said so. Imported answers go through the same anonymity
rule as the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qualityplan.table_reading import TableImportError as PlanImportError
from qualityplan.table_reading import decode as _decode
from qualityplan.table_reading import delimiters as _delimiters
from qualityplan.table_reading import open_workbook as _open_workbook
from qualityplan.table_reading import sheet_rows as _sheet_rows
from qualityplan.table_reading import split as _split
from qualityplan.validators import find_identity_numbers

from .models import FREE_TEXT_MAX, Answer, Question, Survey, SurveyImport, SurveyResponse

MAX_BYTES = 10 * 1024 * 1024
TOTAL_WORDS = {"total", "totalt", "totalsum", "sum", "summa", "samlet", "alle", "all"}
YES = {"ja", "yes", "j", "y", "1", "sant", "true"}
NO = {"nei", "nej", "no", "n", "0", "usant", "false"}
UNIT, SKIP = "unit", "skip"


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number in the file, cells)
    header_row: int


@dataclass
class Preview:
    responses: list[tuple[int, int, dict[int, object]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    per_unit: dict[str, int] = field(default_factory=dict)


def _rows_of(data: bytes, file_name: str) -> list[list[str]]:
    if not data.strip():
        raise ValidationError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."))
    if data.startswith(b"PK\x03\x04") or Path(file_name).suffix.lower() in (".xlsx", ".xlsm"):
        workbook = _open_workbook(data)
        try:
            rows, _formula = _sheet_rows(workbook.worksheets[0])
        finally:
            workbook.close()
        return rows
    text = _decode(data)
    if match := re.match(r"sep=(.)\r?\n", text):
        return _split(text[match.end() :], match[1])
    return _split(text, _delimiters(text)[0])


def read_table(data: bytes, file_name: str) -> Table:
    """The header row is the first row nearly as wide as the widest: title rows above it
    (the survey's name, the export date) have one or two cells."""
    try:
        rows = _rows_of(data, file_name)
    except PlanImportError as error:
        raise ValidationError(error.messages) from error
    widths = [sum(1 for cell in row if cell.strip()) for row in rows]
    widest = max(widths or [0])
    if widest < 2:
        raise ValidationError(_("The file has no row with column headings."))
    header_index = next(i for i, w in enumerate(widths) if w >= max(2, widest * 0.6))
    header = [cell.strip() for cell in rows[header_index]]
    body = [
        (number, row + [""] * (len(header) - len(row)))
        for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2)
    ]
    return Table(header=header, rows=body, header_row=header_index + 1)


def guess_mapping(survey: Survey, header: list[str], questions: list[Question]) -> dict[str, str]:
    """The survey's saved mapping, else a column whose heading is a question's text or
    names the unit."""
    saved = survey.import_mapping or {}
    texts = {}
    for question in questions:
        for code in ("nb", "sv", "en"):
            value = getattr(question, f"text_{code}")
            if value:
                texts[value.strip().lower()] = str(question.pk)
    mapping = {}
    for heading in header:
        key = heading.strip().lower()
        if heading in saved:
            mapping[heading] = saved[heading]
        elif key in texts:
            mapping[heading] = texts[key]
        elif key in ("enhet", "virksomhet", "verksamhet", "unit", "avdeling", "avdelning"):
            mapping[heading] = UNIT
        else:
            mapping[heading] = SKIP
    return mapping


def _value(question: Question, raw: str, options: dict[str, int]):
    """The cell as an answer value; ValueError with a sentence when it does not fit."""
    text = raw.strip()
    if not text:
        return None
    kind = Question.Kind
    if question.kind == kind.SCALE:
        match = re.match(r"\s*([1-5])(\D|$)", text)
        if not match:
            raise ValueError(_("“%(value)s” is not an answer from 1 to 5") % {"value": text})
        return int(match[1])
    if question.kind == kind.YES_NO:
        if text.lower() in YES:
            return 1
        if text.lower() in NO:
            return 0
        raise ValueError(_("“%(value)s” is not yes or no") % {"value": text})
    if question.kind in (kind.SINGLE, kind.MULTIPLE):
        parts = (
            [p.strip().lower() for p in re.split(r"[|,]", text)]
            if question.kind == kind.MULTIPLE
            else [text.lower()]
        )
        chosen = []
        for part in parts:
            if part not in options:
                raise ValueError(_("“%(value)s” is not one of the choices") % {"value": part})
            chosen.append(options[part])
        return chosen if question.kind == kind.MULTIPLE else chosen[0]
    if question.kind == kind.NUMBER:
        try:
            number = Decimal(text.replace(" ", "").replace("\u00a0", "").replace(",", "."))
        except InvalidOperation as error:
            raise ValueError(_("“%(value)s” is not a number") % {"value": text}) from error
        if (question.number_min is not None and number < question.number_min) or (
            question.number_max is not None and number > question.number_max
        ):
            raise ValueError(_("%(value)s is outside the question's range") % {"value": text})
        return number
    if len(text) > FREE_TEXT_MAX:
        raise ValueError(_("the text is longer than %(max)s characters") % {"max": FREE_TEXT_MAX})
    if find_identity_numbers(text):
        raise ValueError(_("the text holds what looks like a national identity number"))
    return text


def _option_keys(question: Question) -> dict[str, int]:
    keys = {}
    for option in question.options.all():
        keys[str(option.position)] = option.pk
        for code in ("nb", "sv", "en"):
            value = getattr(option, f"text_{code}")
            if value:
                keys[value.strip().lower()] = option.pk
    return keys


def _unit_keys(survey: Survey) -> dict[str, int]:
    keys = {}
    for link in survey.links.select_related("org_unit"):
        keys[link.org_unit.name.strip().lower()] = link.org_unit_id
        if link.org_unit.external_code:
            keys[link.org_unit.external_code.strip().lower()] = link.org_unit_id
    return keys


def preview(
    *, survey: Survey, table: Table, mapping: dict[str, str], fixed_unit: int | None
) -> Preview:
    questions = {str(q.pk): q for q in survey.questions.prefetch_related("options")}
    options = {pk: _option_keys(q) for pk, q in questions.items() if q.has_options}
    units = _unit_keys(survey)
    unit_names = dict(survey.links.values_list("org_unit_id", "org_unit__name"))
    unit_column = next((i for i, h in enumerate(table.header) if mapping.get(h) == UNIT), None)
    mapped = [
        (i, questions[mapping[h]])
        for i, h in enumerate(table.header)
        if mapping.get(h) in questions
    ]
    result = Preview()
    if not mapped:
        result.errors.append(_("No column is mapped to a question."))
    if unit_column is None and fixed_unit is None:
        result.errors.append(
            _("Choose the column that names the unit, or one unit for the whole file.")
        )
    if result.errors:
        return result
    for number, row in table.rows:
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        unit_cell = cells[unit_column] if unit_column is not None else ""
        if unit_cell.lower().rstrip(":") in TOTAL_WORDS or any(
            c.lower().rstrip(":") in TOTAL_WORDS for c in cells[:1]
        ):
            result.skipped.append(
                _("Row %(row)s is a total row and was skipped.") % {"row": number}
            )
            continue
        if not any(cells[i] for i, _q in mapped):
            result.skipped.append(
                _("Row %(row)s has no answers and was skipped.") % {"row": number}
            )
            continue
        unit_id = fixed_unit if unit_column is None else units.get(unit_cell.lower())
        if unit_id is None:
            result.errors.append(
                _("Row %(row)s: “%(unit)s” is not one of the survey's units.")
                % {"row": number, "unit": unit_cell}
            )
            continue
        values, problems = {}, []
        for index, question in mapped:
            try:
                values[question.pk] = _value(
                    question, cells[index], options.get(str(question.pk), {})
                )
            except ValueError as error:
                problems.append(f"{table.header[index]}: {error}")
        if problems:
            result.errors.append(
                _("Row %(row)s: %(problems)s.") % {"row": number, "problems": "; ".join(problems)}
            )
            continue
        result.responses.append((number, unit_id, values))
        name = unit_names.get(unit_id, str(unit_id))
        result.per_unit[name] = result.per_unit.get(name, 0) + 1
    if not result.responses and not result.errors:
        result.errors.append(_("The file has no rows with answers."))
    return result


@transaction.atomic
def import_apply(
    *,
    survey: Survey,
    file_name: str,
    answered_on: date,
    result: Preview,
    mapping: dict[str, str],
    user,
) -> SurveyImport:
    """Save the previewed responses as one batch; nothing is saved if the preview has errors."""
    if result.errors:
        raise ValidationError(_("The file has errors; nothing was imported."))
    batch = SurveyImport.objects.create(
        survey=survey,
        file_name=file_name[:200],
        answered_on=answered_on,
        created_by=user,
        row_count=len(result.responses),
    )
    questions = {q.pk: q for q in survey.questions.all()}
    responses = SurveyResponse.objects.bulk_create(
        SurveyResponse(
            survey=survey,
            org_unit_id=unit_id,
            answered_on=answered_on,
            source=SurveyResponse.Source.IMPORT,
            batch=batch,
        )
        for _n, unit_id, _v in result.responses
    )
    answers = []
    for response, (_n, _u, values) in zip(responses, result.responses, strict=True):
        for question_id, value in values.items():
            if value in (None, "", []):
                continue
            question = questions[question_id]
            if question.kind == Question.Kind.MULTIPLE:
                answers += [
                    Answer(response=response, question=question, option_id=o) for o in value
                ]
            elif question.kind == Question.Kind.SINGLE:
                answers.append(Answer(response=response, question=question, option_id=value))
            elif question.kind == Question.Kind.TEXT:
                answers.append(Answer(response=response, question=question, text=value))
            else:
                answers.append(Answer(response=response, question=question, number=Decimal(value)))
    Answer.objects.bulk_create(answers, batch_size=2000)
    survey.import_mapping = {**survey.import_mapping, **mapping}
    survey.save(update_fields=["import_mapping"])
    from .indicators import refresh_on_commit

    refresh_on_commit(survey.pk)
    return batch
