import pytest
from django.urls import reverse

from staircase.models import LearningNetwork, NetworkMeeting

pytestmark = pytest.mark.django_db


def test_office_forms_a_network_and_members_record_meetings(
    client, stair, org, users, django_assert_max_num_queries
):
    client.force_login(users.quality_office)
    data = {
        "name": "Nettverk nord",
        "description": "",
        "framework": stair.version.framework_id,
        "units": [org.unit_a.pk, org.unit_c.pk],
    }
    response = client.post(reverse("staircase:network_create"), data)
    network = LearningNetwork.objects.get()
    assert response.url == reverse("staircase:network_detail", args=[network.pk])
    url = response.url
    client.force_login(users.leader_a)
    meeting = {
        "date": "2025-03-04",
        "attendees": "Ledere fra to enheter",
        "notes": "Vi delte erfaringer om brukermedvirkning.",
        "areas": [stair.areas[0].pk],
    }
    assert client.post(url, meeting).status_code == 302
    assert client.post(url, meeting).status_code == 302  # a double submit
    assert NetworkMeeting.objects.get().areas.get() == stair.areas[0]
    with django_assert_max_num_queries(16):
        page = client.get(url)
    assert "Vi delte erfaringer" in page.content.decode()
    with django_assert_max_num_queries(12):
        assert "Nettverk nord" in client.get(reverse("staircase:network_list")).content.decode()
    client.force_login(users.leader_b)
    assert client.get(url).status_code == 404
    client.force_login(users.area_leader)
    assert client.post(url, meeting).status_code == 403
    client.force_login(users.leader_a)
    assert client.post(reverse("staircase:network_create"), data).status_code == 403
    bad = dict(meeting, notes="Gjaldt 15076500565")
    assert "national identity number" in client.post(url, bad).content.decode()
