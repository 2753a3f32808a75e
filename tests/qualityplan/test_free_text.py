"""Free text a person writes: identity numbers refused and a length limit, in every
field of every model (history included), and on every path that writes it."""

import io

import pytest
from django.core import checks
from django.core.exceptions import ValidationError
from django.db import models
from django.test.utils import isolate_apps
from django.urls import reverse

from measures.models import MeasureStatus
from measures.plan_import import parse_plan_table
from measures.plan_table import PlanImportError
from measures.plan_write import plan_import_apply
from qualityplan.checks import check_free_text_fields, free_text_fields, project_models
from qualityplan.fields import FreeTextField, free_text_problem
from qualityplan.forms import GoalForm, PlanForm
from qualityplan.models import QualityPlan
from qualityplan.validators import no_national_identity_number
from reporting import services as reporting_services
from reporting.models import UnitAnnualReport
from tests.factories import GoalFactory

# A valid fødselsnummer (both control digits right), built in test_validators.py's way.
NUMBER = "14038512324"


def _labels(model_fields) -> set[str]:
    return {f"{model._meta.label}.{field.name}" for model, field in model_fields}


def _all_free_text():
    return [(model, field) for model in project_models() for field in free_text_fields(model)]


def test_every_free_text_field_of_every_model_refuses_numbers_and_has_a_limit():
    found = _all_free_text()
    for model, field in found:
        assert no_national_identity_number in field.validators, (model, field.name)
        assert field.max_length, (model, field.name)
        assert free_text_problem(field) is None
    labels = _labels(found)
    # The places the issue named, and the historical copies, are among them.
    assert {
        "measures.MeasureStatus.comment",
        "measures.HistoricalMeasureStatus.comment",
        "measures.HistoricalMeasureStatus.value_text",
        "reporting.UnitAnnualReport.went_well",
        "reporting.UnitAnnualReport.return_comment",
        "reporting.UnitAnnualReportGoal.text",
        "reporting.UnitAnnualReportEvent.comment",
        "qualityplan.QualityPlan.title",
        "qualityplan.Goal.title",
        "qualityplan.SubGoal.title",
        "measures.Measure.title",
        "deviations.Deviation.description",
    } <= labels
    # Text the application writes itself is not a person's free text.
    assert "reporting.ReportJob.error" not in labels


def test_the_system_check_passes_for_the_project():
    assert check_free_text_fields() == []


@isolate_apps("qualityplan")
def test_the_system_check_fails_for_a_new_plain_text_field(monkeypatch):
    class Note(models.Model):
        body = models.TextField()
        title = models.CharField(max_length=150)
        code = models.CharField(max_length=20)
        checked = FreeTextField(max_length=100)

        class Meta:
            app_label = "qualityplan"

        def __str__(self):
            return self.title

    monkeypatch.setattr("qualityplan.checks.project_models", lambda: [Note])
    errors = check_free_text_fields()
    assert [(e.id, e.obj.name) for e in errors] == [
        ("qualityplan.E001", "body"),
        ("qualityplan.E001", "title"),
    ]
    assert all(isinstance(e, checks.Error) for e in errors)


def test_a_model_field_refuses_a_number_and_oversized_text():
    field = MeasureStatus._meta.get_field("comment")
    with pytest.raises(ValidationError) as error:
        field.clean(f"Beboer {NUMBER} falt", None)
    assert [e.code for e in error.value.error_list] == ["national_identity_number"]
    with pytest.raises(ValidationError):
        field.clean("x" * (field.max_length + 1), None)
    assert field.clean("Beboer falt, fulgt opp med lege", None)


# --- Plan, goal and measure titles; the plan import ---------------------------------------


def test_plan_and_goal_titles_refuse_a_number(plan):
    form = PlanForm(
        data={
            "title": f"Plan for {NUMBER}",
            "owner": plan.owner_id,
            "first_year": 2021,
            "last_year": 2024,
            "frequency": "tertial",
            "status": "active",
        },
        instance=QualityPlan(),
    )
    assert "looks like a national identity number" in str(form.errors["title"])
    goal = GoalFactory(plan=plan, position=1)
    form = GoalForm(data={"title": f"Mål {NUMBER}"}, instance=goal)
    assert not form.is_valid() and "title" in form.errors


def test_the_plan_import_refuses_a_title_with_a_number(org):
    text = f"Mål\tTiltak\tAnsvar\t2021\nMål: Trygg {NUMBER}\tGjøre noe\tVL\tX\n"
    table = parse_plan_table(data=text.encode(), filename="plan.tsv")
    with pytest.raises(PlanImportError, match="national identity number"):
        plan_import_apply(table=table, owner=org.department, title="Kvalitetsplan")
    assert not QualityPlan.objects.exists()


def test_the_import_page_refuses_a_plan_title_with_a_number(client, users, org):
    client.force_login(users.quality_office)
    data = io.BytesIO("Mål\tTiltak\tAnsvar\t2021\nMål: A\tB\tVL\tX\n".encode())
    data.name = "plan.tsv"
    response = client.post(
        reverse("plan_import"),
        {"file": data, "title": f"Plan {NUMBER}", "owner": org.department.pk},
    )
    assert response.status_code == 200
    assert "looks like a national identity number" in response.text
    assert not QualityPlan.objects.exists()


# --- The unit's annual report and the send-back comment -----------------------------------


def test_annual_report_texts_refuse_a_number(plan, org, users):
    with pytest.raises(ValidationError) as error:
        reporting_services.unit_report_save(
            plan=plan,
            year=2022,
            unit=org.unit_a,
            user=users.leader_a,
            went_well=f"Hjalp {NUMBER}",
            to_improve="",
            goals={},
        )
    assert "went_well" in error.value.message_dict


def test_send_back_comment_with_a_number_is_refused(client, plan, org, users):
    goal = GoalFactory(plan=plan, position=1)
    report = reporting_services.unit_report_save(
        plan=plan,
        year=2022,
        unit=org.unit_a,
        user=users.leader_a,
        went_well="Bra",
        to_improve="Mer",
        goals={goal.pk: ("partly", "Om målet")},
    )
    reporting_services.unit_report_submit(report=report, user=users.leader_a)
    with pytest.raises(ValidationError) as error:
        reporting_services.unit_report_send_back(
            report=report, user=users.quality_office, comment=NUMBER
        )
    assert "comment" in error.value.message_dict
    client.force_login(users.quality_office)
    url = reverse("annual_decide", args=[plan.pk, 2022, org.unit_a.pk, "send_back"])
    response = client.post(url, {"comment": f"Gjelder {NUMBER}"})
    assert response.status_code == 200
    assert "looks like a national identity number" in response.text
    assert UnitAnnualReport.objects.get().status == "submitted"
    assert not UnitAnnualReport.objects.filter(return_comment__contains=NUMBER).exists()
