"""Frameworks, rounds and assessments for staircase tests (and for apps built on it)."""

from datetime import date

from staircase.models import (
    AssessmentRound,
    Criterion,
    Framework,
    FrameworkVersion,
    Perspective,
    QualityArea,
)

PERSPECTIVES = [("Ledelse", "management"), ("Ansatte", "staff"), ("Brukere", "users")]


def make_framework(
    *, name: str = "Helse og omsorg", areas: int = 2, per_step: int = 2, steps: int = 7
) -> FrameworkVersion:
    framework, _ = Framework.objects.get_or_create(name=name)
    number = framework.versions.count() + 1
    version = FrameworkVersion.objects.create(framework=framework, number=number)
    Perspective.objects.bulk_create(
        Perspective(version=version, position=i, name=n, kind=k)
        for i, (n, k) in enumerate(PERSPECTIVES, 1)
    )
    area_rows = QualityArea.objects.bulk_create(
        QualityArea(version=version, position=i, name=f"Område {i}") for i in range(1, areas + 1)
    )
    Criterion.objects.bulk_create(
        Criterion(area=area, step=step, position=p, text=f"{area.name} trinn {step} krav {p}")
        for area in area_rows
        for step in range(1, steps + 1)
        for p in range(1, per_step + 1)
    )
    return version


def make_round(*, version: FrameworkVersion, owner, year: int = 2025, deadline=None):
    return AssessmentRound.objects.create(
        framework_version=version,
        owner=owner,
        year=year,
        deadline=deadline or date(year, 11, 30),
    )


def criteria_up_to(area, step: int) -> set[int]:
    return set(area.criteria.filter(step__lte=step).values_list("pk", flat=True))
