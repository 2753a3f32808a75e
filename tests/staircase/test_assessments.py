import pytest
from django.core.exceptions import ValidationError

from staircase.models import AreaAssessment, SelfAssessment
from staircase.services import (
    AreaInput,
    AssessmentConflict,
    assessment_approve,
    assessment_copy_previous,
    assessment_save,
    assessment_send_back,
    assessment_start,
    assessment_submit,
)

from .factories import criteria_up_to, make_round

pytestmark = pytest.mark.django_db


def _inputs(stair, steps: dict[int, int], evidence="Vi har gått gjennom rutinene i personalmøte."):
    return {
        area.pk: AreaInput(
            met=frozenset(criteria_up_to(area, steps.get(area.position, 0))),
            perspectives=frozenset(stair.version.perspectives.values_list("pk", flat=True)[:1]),
            evidence=evidence,
        )
        for area in stair.areas
    }


def test_starting_twice_gives_one_assessment_with_a_row_per_area(stair, org, users):
    first = assessment_start(round=stair.round, unit=org.unit_a, user=users.leader_a)
    again = assessment_start(round=stair.round, unit=org.unit_a, user=users.leader_a)
    assert first.pk == again.pk
    assert first.framework_version == stair.version
    assert AreaAssessment.objects.filter(assessment=first).count() == 2


def test_saving_keeps_the_step_reached_per_area(stair, org, users):
    assessment = assessment_start(round=stair.round, unit=org.unit_a, user=users.leader_a)
    saved = assessment_save(
        assessment=assessment,
        user=users.leader_a,
        revision=1,
        summary="",
        areas=_inputs(stair, {1: 3, 2: 0}),
    )
    steps = dict(
        AreaAssessment.objects.filter(assessment=saved).values_list(
            "area__position", "step_reached"
        )
    )
    assert steps == {1: 3, 2: 0}
    assert saved.revision == 2


def test_a_stale_revision_is_a_conflict_but_the_same_values_again_are_a_double_submit(
    stair, org, users
):
    assessment = assessment_start(round=stair.round, unit=org.unit_a, user=users.leader_a)
    inputs = _inputs(stair, {1: 2})
    assessment_save(
        assessment=assessment, user=users.leader_a, revision=1, summary="", areas=inputs
    )
    again = assessment_save(
        assessment=assessment, user=users.leader_a, revision=1, summary="", areas=inputs
    )
    assert again.revision == 2
    with pytest.raises(AssessmentConflict) as caught:
        assessment_save(
            assessment=assessment,
            user=users.leader_a,
            revision=1,
            summary="",
            areas=_inputs(stair, {1: 4}),
        )
    assert caught.value.current.revision == 2


def test_a_criterion_of_another_area_is_refused(stair, org, users):
    assessment = assessment_start(round=stair.round, unit=org.unit_a, user=users.leader_a)
    other = criteria_up_to(stair.areas[1], 1)
    bad = {stair.areas[0].pk: AreaInput(frozenset(other), frozenset(), "")}
    with pytest.raises(ValidationError):
        assessment_save(
            assessment=assessment, user=users.leader_a, revision=1, summary="", areas=bad
        )


def test_an_identity_number_in_the_evidence_is_refused(stair, org, users):
    assessment = assessment_start(round=stair.round, unit=org.unit_a, user=users.leader_a)
    with pytest.raises(ValidationError):
        assessment_save(
            assessment=assessment,
            user=users.leader_a,
            revision=1,
            summary="",
            areas=_inputs(stair, {1: 1}, evidence="Gjelder 15076500565"),
        )


def test_submit_needs_evidence_in_every_area_then_approve_or_send_back(stair, org, users):
    assessment = assessment_start(round=stair.round, unit=org.unit_a, user=users.leader_a)
    with pytest.raises(ValidationError) as caught:
        assessment_submit(assessment=assessment, user=users.leader_a)
    assert len(caught.value.messages) == 2
    assessment_save(
        assessment=assessment,
        user=users.leader_a,
        revision=1,
        summary="",
        areas=_inputs(stair, {1: 2}),
    )
    submitted = assessment_submit(assessment=assessment, user=users.leader_a)
    assert assessment_submit(assessment=assessment, user=users.leader_a).status == "submitted"
    with pytest.raises(ValidationError):
        assessment_send_back(assessment=submitted, user=users.area_leader, comment=" ")
    back = assessment_send_back(
        assessment=submitted, user=users.area_leader, comment="Mer om område 2"
    )
    assert back.status == "draft" and back.return_comment == "Mer om område 2"
    assessment_submit(assessment=back, user=users.leader_a)
    approved = assessment_approve(assessment=back, user=users.area_leader)
    assert approved.status == "approved"
    assert [e.action for e in approved.events.all()] == [
        "create",
        "submit",
        "send_back",
        "submit",
        "approve",
    ]


def test_copy_from_last_year_carries_ticks_and_evidence_across_versions(stair, org, users):
    last = assessment_start(round=stair.round, unit=org.unit_a, user=users.leader_a)
    assessment_save(
        assessment=last,
        user=users.leader_a,
        revision=1,
        summary="I fjor",
        areas=_inputs(stair, {1: 3, 2: 1}),
    )
    from .factories import make_framework

    newer = make_framework()  # the same framework's version 2, same words
    assert newer.framework_id == stair.version.framework_id
    this_year = make_round(version=newer, owner=org.department, year=2026)
    current = assessment_start(round=this_year, unit=org.unit_a, user=users.leader_a)
    copied = assessment_copy_previous(assessment=current, user=users.leader_a, revision=1)
    steps = dict(
        AreaAssessment.objects.filter(assessment=copied).values_list(
            "area__position", "step_reached"
        )
    )
    assert steps == {1: 3, 2: 1}
    assert copied.summary == "I fjor" and copied.copied_from == last
    assert SelfAssessment.objects.get(pk=current.pk).framework_version == newer
