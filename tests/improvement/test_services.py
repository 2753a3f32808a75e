"""Writes to improvement work: version checks, double submits, numbering, the duties."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from improvement import services
from improvement.models import DataPoint, DutyStatement, PdsaCycle, RegulationDuty
from qualityplan.validators import IDENTITY_NUMBER_MESSAGE
from reporting import services as reporting_services
from tests.qualityplan.test_validators import VALID_NO


def test_a_project_needs_a_unit(users):
    with pytest.raises(ValidationError):
        services.project_create(user=users.leader_a, units=[], ideas=[], title="Uten enhet")


def test_project_text_refuses_an_identity_number(org, users):
    with pytest.raises(ValidationError) as error:
        services.project_create(
            user=users.leader_a, units=[org.unit_a], ideas=[], title="Fall",
            problem=f"Gjelder bruker {VALID_NO}",
        )  # fmt: skip
    assert str(IDENTITY_NUMBER_MESSAGE) in str(error.value)


def test_change_ideas_are_kept_reordered_and_dropped(project, users, org):
    first = project.change_ideas.get(text="Fast tid for tilsyn")
    services.project_update(
        project=project, user=users.leader_a, version=project.version, units=[org.unit_a],
        ideas=["Ny idé", "Fast tid for tilsyn"], title=project.title,
    )  # fmt: skip
    ideas = list(project.change_ideas.all())
    assert [i.text for i in ideas] == ["Ny idé", "Fast tid for tilsyn"]
    assert ideas[1].pk == first.pk


def test_stale_project_save_is_a_conflict_with_the_current_row(project, users, org):
    services.project_update(
        project=project, user=users.leader_a, version=1, units=[org.unit_a], ideas=[],
        title="Første versjon",
    )  # fmt: skip
    with pytest.raises(services.EditConflict) as conflict:
        services.project_update(
            project=project, user=users.quality_office, version=1, units=[org.unit_a],
            ideas=[], title="Annen versjon",
        )  # fmt: skip
    assert conflict.value.current.title == "Første versjon"


def test_the_same_save_twice_is_saved_once(project, users, org):
    for _ in range(2):
        saved = services.project_update(
            project=project, user=users.leader_a, version=1, units=[org.unit_a], ideas=[],
            title="Samme tittel",
        )  # fmt: skip
    assert saved.version == 2


def test_cycles_are_numbered_in_the_project(project, users):
    one = services.cycle_create(project=project, user=users.leader_a, starts_on=date(2025, 1, 6))
    two = services.cycle_create(project=project, user=users.leader_a, starts_on=date(2025, 2, 3))
    assert (one.number, two.number) == (1, 2)


def test_a_cycle_cannot_end_before_it_starts(project, users):
    with pytest.raises(ValidationError):
        services.cycle_create(
            project=project, user=users.leader_a, starts_on=date(2025, 3, 1),
            ends_on=date(2025, 2, 1),
        )  # fmt: skip
    assert not PdsaCycle.objects.exists()


def test_a_second_value_for_a_date_replaces_the_first(project):
    services.data_point_save(project=project, measured_on=date(2025, 1, 31), value=Decimal(4))
    services.data_point_save(project=project, measured_on=date(2025, 1, 31), value=Decimal(3))
    assert list(DataPoint.objects.values_list("value", flat=True)) == [Decimal(3)]


def test_a_point_cannot_belong_to_another_projects_cycle(project, users, org):
    other = services.project_create(user=users.leader_b, units=[org.unit_b], ideas=[], title="B")
    cycle = services.cycle_create(project=other, user=users.leader_b, starts_on=date(2025, 1, 1))
    with pytest.raises(ValidationError):
        services.data_point_save(
            project=project, measured_on=date(2025, 1, 1), value=Decimal(1), cycle=cycle
        )


def test_default_duties_load_once(db):
    assert services.duties_load_defaults(country="no") == 4
    assert services.duties_load_defaults(country="no") == 0
    assert RegulationDuty.objects.filter(code="§ 8").exists()


def test_duty_statements_are_saved_with_a_draft_and_refused_once_submitted(plan, org, users):
    services.duties_load_defaults(country="no")
    duty = RegulationDuty.objects.get(code="§ 6")
    report = reporting_services.unit_report_save(
        plan=plan, year=2022, unit=org.unit_a, user=users.leader_a, went_well="",
        to_improve="", goals={},
    )  # fmt: skip
    statements = {duty.pk: {"how": "Rutiner i kvalitetssystemet.", "assessment": "met"}}
    services.duty_statements_save(report=report, user=users.leader_a, statements=statements)
    assert DutyStatement.objects.get().assessment == "met"
    report.status = report.Status.SUBMITTED
    report.save()
    with pytest.raises(ValidationError):
        services.duty_statements_save(report=report, user=users.leader_a, statements=statements)


def test_review_is_one_per_unit_and_year_and_checks_versions(org, users):
    first = services.review_save(
        unit=org.unit_a, year=2025, user=users.leader_a, version=None, summary="Gjennomgått."
    )
    services.review_save(
        unit=org.unit_a, year=2025, user=users.leader_a, version=first.version, summary="Ny."
    )
    with pytest.raises(services.EditConflict):
        services.review_save(
            unit=org.unit_a, year=2025, user=users.leader_a, version=first.version,
            summary="Gammel side.",
        )  # fmt: skip


def test_the_same_decision_twice_is_one_decision(org, users):
    review = services.review_save(
        unit=org.unit_a, year=2025, user=users.leader_a, version=None, summary="."
    )
    services.decision_add(review=review, text="Innføre sjekkliste")
    services.decision_add(review=review, text="Innføre sjekkliste")
    assert review.decisions.count() == 1


def test_load_regulation_duties_command_adds_the_swedish_chapters(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("load_regulation_duties", "--country", "se", stdout=out)
    assert "5 added" in out.getvalue()
    assert RegulationDuty.objects.filter(code="5 kap. 7 §").exists()
