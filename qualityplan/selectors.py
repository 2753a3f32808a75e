from django.contrib.auth.models import User
from django.db.models import Count, QuerySet

from .access import get_access
from .models import OrgUnit, QualityPlan, UserProfile
from .municipality import default_language


def plan_list_for_user(*, user: User) -> QuerySet[QualityPlan]:
    """The plans the user may read, with their owner and sizes, newest first."""
    access = get_access(user)
    plans = QualityPlan.objects.select_related("owner").annotate(
        goal_count=Count("goals", distinct=True),
        measure_count=Count("goals__measures", distinct=True),
    )
    if not access.is_superuser:
        plans = plans.filter(owner_id__in=access.member_org_unit_ids)
    return plans.order_by("-first_year", "title")


def manageable_units_for_user(*, user: User) -> QuerySet[OrgUnit]:
    """Org units whose plans the user may create and edit."""
    access = get_access(user)
    units = OrgUnit.objects.filter(is_active=True)
    if not access.is_superuser:
        units = units.filter(pk__in=access.manage_unit_ids)
    return units.order_by("kind", "name")


def language_for_user(*, user: User) -> str:
    """The language to write to a person in: the one they chose, else the site's default."""
    try:
        language = user.profile.language
    except UserProfile.DoesNotExist:
        language = ""
    return language or default_language()


def overlapping_active_plans(
    *, owner_id: int, first_year: int, last_year: int, exclude_pk: int | None = None
) -> QuerySet[QualityPlan]:
    """The owner's active plans sharing a year with first_year–last_year."""
    plans = QualityPlan.objects.filter(
        owner_id=owner_id,
        status=QualityPlan.Status.ACTIVE,
        first_year__lte=last_year,
        last_year__gte=first_year,
    )
    return plans.exclude(pk=exclude_pk) if exclude_pk else plans


def unit_paths() -> dict[int, str]:
    """Every org unit's path from the top ("Helse og omsorg › Område Hjemme › Nord"),
    from one query: names repeat across areas, paths do not."""
    rows = {
        pk: (name, parent)
        for pk, name, parent in OrgUnit.objects.values_list("id", "name", "parent_id")
    }
    paths: dict[int, str] = {}

    def path(pk: int, seen: frozenset = frozenset()) -> str:
        if pk not in paths:
            name, parent = rows[pk]
            above = parent in rows and parent not in seen
            paths[pk] = f"{path(parent, seen | {pk})} › {name}" if above else name
        return paths[pk]

    for pk in rows:
        path(pk)
    return paths
