"""The scan lists identity numbers already stored (history included) without printing
them, and masks them on confirmation through the normal save."""

import io

import pytest
from django.core.management import CommandError, call_command

from measures.models import MeasureStatus
from measures.periods import period_open
from qualityplan.models import Goal
from tests.factories import GoalFactory, MeasureFactory
from tests.qualityplan.test_free_text import NUMBER

OTHER = "14038512405"


@pytest.fixture
def stored(plan, org, users):
    """Numbers written before the check existed: a status comment with its history, and
    a goal title (saved without full_clean, as old code did)."""
    goal = GoalFactory(plan=plan, position=1, title=f"Trygghet for {OTHER}")
    MeasureFactory(goal=goal, title="Brukerråd", roles=["VL"])
    period, _ = period_open(plan=plan, year=2022, number=1, deadline=None, user=None)
    row = period.statuses.get(org_unit=org.unit_a)
    row.comment = f"Beboer {NUMBER} falt i går, fulgt opp."
    row.progress = 10
    row.save()
    return row


def _run(*args) -> str:
    out = io.StringIO()
    call_command("scan_identity_numbers", *args, stdout=out)
    return out.getvalue()


def test_the_scan_lists_every_place_with_a_masked_excerpt(stored):
    output = _run()
    assert NUMBER not in output and OTHER not in output
    lines = output.splitlines()
    assert f"measures.MeasureStatus\tcomment\t{stored.pk}\tBeboer *********** falt" in output
    history = stored.history.latest()
    assert f"measures.HistoricalMeasureStatus\tcomment\t{history.history_id}\t" in output
    goal = Goal.objects.get()
    assert f"qualityplan.Goal\ttitle\t{goal.pk}\tTrygghet for ***********" in output
    assert lines[-1] == "3 place(s) hold a national identity number."
    assert NUMBER in MeasureStatus.objects.get(pk=stored.pk).comment


def test_mask_asks_first_and_does_nothing_without_yes(stored, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Nothing was masked"):
        _run("--mask")
    assert NUMBER in MeasureStatus.objects.get(pk=stored.pk).comment


def test_mask_masks_rows_and_history_and_records_the_change(stored, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    before = stored.history.count()
    output = _run("--mask")
    assert "Masked 3 place(s)." in output
    row = MeasureStatus.objects.get(pk=stored.pk)
    assert row.comment == "Beboer *********** falt i går, fulgt opp."
    assert Goal.objects.get().title == "Trygghet for ***********"
    assert row.history.count() == before + 1
    assert not row.history.filter(comment__contains=NUMBER).exists()
    assert row.history.latest().comment == row.comment
    assert _run().splitlines()[-1] == "0 place(s) hold a national identity number."


def test_no_input_masks_without_asking(stored):
    _run("--mask", "--no-input")
    assert "*" * 11 in MeasureStatus.objects.get(pk=stored.pk).comment


def test_the_admin_log_and_typed_usernames_are_scanned_and_masked(db, django_user_model):
    from axes.models import AccessAttempt
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    admin = django_user_model.objects.create_superuser("root", "r@example.org", "x" * 12)
    entry = LogEntry.objects.create(
        user=admin,
        content_type=ContentType.objects.get_for_model(Goal),
        object_id="1",
        object_repr=f"Mål for {NUMBER}",
        action_flag=2,
    )
    attempt = AccessAttempt.objects.create(
        username=OTHER, ip_address="10.0.0.1", user_agent="x", failures_since_start=1
    )
    output = _run()
    assert f"admin.LogEntry\tobject_repr\t{entry.pk}\tMål for ***********" in output
    assert f"axes.AccessAttempt\tusername\t{attempt.pk}\t***********" in output
    _run("--mask", "--no-input")
    entry.refresh_from_db()
    attempt.refresh_from_db()
    assert (entry.object_repr, attempt.username) == ("Mål for ***********", "*" * 11)
