from datetime import timedelta

import factory
from django.utils import timezone

from deviations.models import Deviation, DeviationCategory, QualityCouncilMeeting


def category(name: str = "Fall") -> DeviationCategory:
    """A category as the data migration makes it (browser tests empty the tables first)."""
    return DeviationCategory.objects.get_or_create(name=name)[0]


class DeviationFactory(factory.django.DjangoModelFactory):
    """A deviation written straight to the table, numbered from 9000 to stay clear of the
    numbers the report service gives out."""

    class Meta:
        model = Deviation

    year = factory.LazyFunction(lambda: timezone.localdate().year)
    number = factory.Sequence(lambda n: 9000 + n)
    occurred_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))
    category = factory.LazyFunction(category)
    description = "Beboer falt på badet, fikk hjelp opp av to ansatte."
    consequence = 3
    probability = 2


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QualityCouncilMeeting

    held_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    attendees = "Virksomhetsleder, fagutviklingssykepleier, verneombud"
    minutes = "Gjennomgang av avvik siste måned."
