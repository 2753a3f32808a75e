"""Learning networks: groups of units that meet to learn from one another's quality work,
with the meetings' notes and the areas they worked on. The office forms the networks;
the office and the leaders of the member units record the meetings."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _

from .models import LearningNetwork, NetworkMeeting, QualityArea
from .permissions import StaircaseRights


def networks_for_user(*, rights: StaircaseRights) -> QuerySet[LearningNetwork]:
    networks = LearningNetwork.objects.select_related("framework").annotate(
        meeting_count=Count("meetings", distinct=True), unit_count=Count("units", distinct=True)
    )
    if not rights.is_superuser:
        seen = rights.read_unit_ids | rights.office_unit_ids | rights.edit_unit_ids
        networks = networks.filter(units__in=seen).distinct()
    return networks.order_by("name")


def network_detail(*, pk: int) -> LearningNetwork | None:
    meetings = NetworkMeeting.objects.prefetch_related("areas").select_related("created_by")
    return (
        LearningNetwork.objects.select_related("framework")
        .prefetch_related("units__parent", Prefetch("meetings", queryset=meetings))
        .filter(pk=pk)
        .first()
    )


def current_areas(*, network: LearningNetwork) -> QuerySet[QualityArea]:
    version = network.framework.versions.order_by("-number").first()
    return QualityArea.objects.filter(version=version).order_by("position")


@transaction.atomic
def network_create(*, name: str, description: str, framework, units, user: User) -> LearningNetwork:
    network = LearningNetwork(name=name, description=description, framework=framework)
    network.full_clean(exclude=["framework"], validate_unique=False)
    if LearningNetwork.objects.filter(framework=framework, name__iexact=name).exists():
        raise ValidationError(
            _("There is already a learning network called “%(name)s”.") % {"name": name}
        )
    network.save()
    network.units.set(units)
    return network


@transaction.atomic
def meeting_record(
    *, network: LearningNetwork, date, attendees: str, notes: str, areas, user: User
) -> NetworkMeeting:
    allowed = set(current_areas(network=network).values_list("pk", flat=True))
    if any(area.pk not in allowed for area in areas):
        raise ValidationError(_("An area does not belong to the network's framework."))
    duplicate = NetworkMeeting.objects.filter(network=network, date=date, notes=notes).first()
    if duplicate is not None:
        return duplicate  # a double submit
    meeting = NetworkMeeting(
        network=network, date=date, attendees=attendees, notes=notes, created_by=user
    )
    meeting.full_clean(exclude=["network"])
    meeting.save()
    meeting.areas.set(areas)
    return meeting
