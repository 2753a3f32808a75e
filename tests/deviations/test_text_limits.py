"""A deviation's texts have a length limit; an oversized one is refused without being
drawn back into the page."""

from django.urls import reverse

from deviations.models import Deviation
from tests.deviations.test_views import report_data


def test_a_five_megabyte_description_is_refused_and_not_echoed(client, users, org):
    client.force_login(users.employee)
    huge = "Qx" * 2_500_000
    response = client.post(reverse("deviation_create"), report_data(org, description=huge))
    assert response.status_code == 200
    assert "This text is too long: at most 4000 characters fit" in response.text
    assert "QxQxQxQx" not in response.text
    assert len(response.content) < 200_000
    assert not Deviation.objects.exists()


def test_a_description_at_the_limit_is_accepted(client, users, org):
    client.force_login(users.employee)
    text = "Beboer falt. " + "x" * (4000 - 13)
    response = client.post(reverse("deviation_create"), report_data(org, description=text))
    assert response.status_code == 302
    assert len(Deviation.objects.get().description) == 4000


def test_an_oversized_closing_text_is_refused(client, users, org):
    from tests.deviations.factories import DeviationFactory

    deviation = DeviationFactory(org_unit=org.unit_a)
    client.force_login(users.leader_a)
    url = reverse("deviation_start_treatment", args=[deviation.pk])
    response = client.post(url, {"start_treatment-note": "n" * 2001})
    assert response.status_code == 200
    assert "at most 2000 characters fit" in response.text
