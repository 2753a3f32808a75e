"""Uploaded files waiting between their preview and their confirmation.

A pending upload is a `PendingUpload` row with the bytes in storage; the preview's
confirmation form carries its token. Rules kept here:

- a token belongs to the person who uploaded it: anyone else gets a 404;
- a token is used once: claiming deletes the row, so a double submit of the
  confirmation applies the file once and the second gets `None`;
- a token older than `PENDING_UPLOAD_HOURS` has expired: claiming says so in words,
  and the nightly `pending_uploads_purge` removes what nobody confirmed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import PendingUpload


class UploadExpired(ValidationError):
    """The token is the user's, but it waited too long to be confirmed."""


@dataclass(frozen=True)
class ClaimedUpload:
    data: bytes
    name: str
    params: dict


def _max_age() -> timedelta:
    return timedelta(hours=settings.PENDING_UPLOAD_HOURS)


def _file_delete_on_commit(name: str) -> None:
    if name:
        storage = PendingUpload._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(name))


def pending_upload_create(
    *, user, kind: str, data: bytes, name: str, params: dict, keep: int = 3
) -> PendingUpload:
    """Keep the file under a new token; at most `keep` of a kind wait per person, the
    oldest go first, so an abandoned preview does not pile up."""
    upload = PendingUpload(
        token=secrets.token_urlsafe(24),
        user=user,
        kind=kind,
        original_name=PurePath(name).name[:255],
        params=params,
    )
    upload.full_clean(exclude=["file"])
    suffix = PurePath(name).suffix.lower()[:10]
    with transaction.atomic():
        upload.file.save(f"{upload.token}{suffix}", ContentFile(data), save=False)
        upload.save()
        older = PendingUpload.objects.filter(user=user, kind=kind).order_by("-created_at", "-pk")
        for stale in older[keep:]:
            _file_delete_on_commit(stale.file.name)
            stale.delete()
    return upload


def _expired_error() -> UploadExpired:
    hours = settings.PENDING_UPLOAD_HOURS
    return UploadExpired(
        ngettext(
            "This upload waited more than %(hours)d hour without being confirmed and has "
            "expired. Upload the file again.",
            "This upload waited more than %(hours)d hours without being confirmed and has "
            "expired. Upload the file again.",
            hours,
        )
        % {"hours": hours},
        code="expired",
    )


def _read(upload: PendingUpload) -> bytes | None:
    try:
        with upload.file.open("rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def _find(*, user, kind: str, token: str) -> PendingUpload | None:
    upload = PendingUpload.objects.filter(token=token, kind=kind).first() if token else None
    if upload is not None and upload.user_id != user.pk:
        raise Http404
    return upload


def _remove(upload: PendingUpload) -> bool:
    """Delete the row and, once committed, its file; False when someone else was first."""
    with transaction.atomic():
        # The delete is the claim: of two confirmations racing, one deletes the row.
        deleted, _rows = PendingUpload.objects.filter(pk=upload.pk).delete()
        if deleted:
            _file_delete_on_commit(upload.file.name)
    return bool(deleted)


def _checked(upload: PendingUpload) -> ClaimedUpload:
    data = _read(upload)
    if upload.created_at < timezone.now() - _max_age():
        _remove(upload)
        raise _expired_error()
    if data is None:
        _remove(upload)
        raise ValidationError(
            _("The uploaded file is no longer there. Upload it again."), code="missing"
        )
    return ClaimedUpload(data=data, name=upload.original_name, params=upload.params)


def pending_upload_read(*, user, kind: str, token: str) -> ClaimedUpload | None:
    """The upload waiting under `token`, left waiting (to show its preview again).

    `None` when it has already been used (or purged); `Http404` when it is another
    person's; `UploadExpired` when it waited too long (it is removed then)."""
    upload = _find(user=user, kind=kind, token=token)
    return None if upload is None else _checked(upload)


def pending_upload_claim(*, user, kind: str, token: str) -> ClaimedUpload | None:
    """The upload waiting under `token`, taken out so that it is used once only; the
    answers are those of `pending_upload_read`."""
    upload = _find(user=user, kind=kind, token=token)
    if upload is None:
        return None
    claimed = _checked(upload)
    return claimed if _remove(upload) else None


def pending_upload_discard(*, user, kind: str, token: str) -> None:
    """Drop an upload its owner cancelled; an unknown or used token changes nothing."""
    upload = _find(user=user, kind=kind, token=token)
    if upload is not None:
        _remove(upload)


def pending_uploads_purge(*, now=None) -> int:
    """Remove the uploads nobody confirmed in time, with their files; returns how many."""
    cutoff = (now or timezone.now()) - _max_age()
    stale = list(PendingUpload.objects.filter(created_at__lt=cutoff).only("pk", "file"))
    with transaction.atomic():
        for upload in stale:
            _file_delete_on_commit(upload.file.name)
        PendingUpload.objects.filter(pk__in=[upload.pk for upload in stale]).delete()
    return len(stale)
