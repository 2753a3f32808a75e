from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from qualityplan.models import PendingUpload
from qualityplan.tasks import purge_pending_uploads
from qualityplan.uploads import UploadExpired, pending_upload_claim, pending_upload_create

KIND = PendingUpload.Kind.PLAN_IMPORT


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def create(user, data=b"a\tb\n", name="plan.tsv", **params):
    return pending_upload_create(user=user, kind=KIND, data=data, name=name, params=params)


def test_the_file_waits_in_storage_not_in_the_session(client, users):
    client.force_login(users.quality_office)
    upload = create(users.quality_office, data=b"x" * 1000, owner=7)
    assert upload.file.storage.exists(upload.file.name)
    assert upload.file.size == 1000
    assert PendingUpload.objects.get().params == {"owner": 7}


def test_claim_gives_the_bytes_once_and_removes_the_file(users, django_capture_on_commit_callbacks):
    upload = create(users.quality_office, data=b"goal\tmeasure\n")
    with django_capture_on_commit_callbacks(execute=True):
        claimed = pending_upload_claim(user=users.quality_office, kind=KIND, token=upload.token)
    assert claimed.data == b"goal\tmeasure\n" and claimed.name == "plan.tsv"
    assert not upload.file.storage.exists(upload.file.name)
    assert pending_upload_claim(user=users.quality_office, kind=KIND, token=upload.token) is None


def test_another_persons_token_is_404_and_stays_for_its_owner(users):
    upload = create(users.quality_office)
    with pytest.raises(Http404):
        pending_upload_claim(user=users.director, kind=KIND, token=upload.token)
    assert pending_upload_claim(user=users.quality_office, kind=KIND, token=upload.token)


def test_a_token_of_another_kind_is_not_found(users):
    upload = create(users.quality_office)
    kind = PendingUpload.Kind.STATUS_SHEET
    assert pending_upload_claim(user=users.quality_office, kind=kind, token=upload.token) is None


def test_an_expired_token_says_so_and_is_removed(users, settings):
    settings.PENDING_UPLOAD_HOURS = 24
    upload = create(users.quality_office)
    PendingUpload.objects.filter(pk=upload.pk).update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    with pytest.raises(UploadExpired) as raised:
        pending_upload_claim(user=users.quality_office, kind=KIND, token=upload.token)
    assert "waited more than 24 hours" in raised.value.messages[0]
    assert not PendingUpload.objects.exists()


def test_only_the_newest_few_wait_per_person(users):
    tokens = [
        pending_upload_create(
            user=users.quality_office, kind=KIND, data=b"x", name="p.tsv", params={}, keep=2
        ).token
        for _ in range(3)
    ]
    create(users.director)
    mine = set(
        PendingUpload.objects.filter(user=users.quality_office).values_list("token", flat=True)
    )
    assert mine == set(tokens[1:])


def test_a_file_name_with_an_identity_number_is_refused(users):
    with pytest.raises(ValidationError):
        create(users.quality_office, name="avvik 01019010046.tsv")
    assert not PendingUpload.objects.exists()


def test_nightly_purge_removes_old_uploads_and_their_files(
    users, django_capture_on_commit_callbacks
):
    old, new = create(users.quality_office), create(users.director)
    PendingUpload.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_pending_uploads() == 1
    assert list(PendingUpload.objects.values_list("pk", flat=True)) == [new.pk]
    assert not old.file.storage.exists(old.file.name)
    assert new.file.storage.exists(new.file.name)


def test_the_purge_runs_every_night(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["purge-pending-uploads"]
    assert entry["task"] == "qualityplan.tasks.purge_pending_uploads"
