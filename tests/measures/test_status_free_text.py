"""Status rows refuse identity numbers and oversized comments on every path that
writes them (htmx row save, full save, Excel upload), without echoing the text."""

from django.urls import reverse

from measures.models import MeasureStatus
from tests.qualityplan.test_free_text import NUMBER

HTMX = {"HTTP_HX_REQUEST": "true"}


def _row_data(row, **values):
    data = {"version": row.version, "status": "on_track", "progress": "50", "comment": ""}
    data.update(values)
    return {f"s{row.pk}-{key}": value for key, value in data.items()}


def test_status_comment_with_a_number_is_refused_and_nothing_is_stored(client, users, reporting):
    client.force_login(users.leader_a)
    url = reverse("status_save", args=[reporting.plain_a.pk])
    response = client.post(url, _row_data(reporting.plain_a, comment=f"Se {NUMBER}"), **HTMX)
    assert response.status_code == 200
    assert "looks like a national identity number" in response.text
    row = MeasureStatus.objects.get(pk=reporting.plain_a.pk)
    assert (row.version, row.comment) == (1, "")
    assert not row.history.filter(comment__contains=NUMBER).exists()


def test_an_oversized_status_comment_is_refused_without_echoing_it(client, users, reporting):
    client.force_login(users.leader_a)
    url = reverse("status_save", args=[reporting.plain_a.pk])
    huge = "Zq" * 50_000
    response = client.post(url, _row_data(reporting.plain_a, comment=huge), **HTMX)
    assert response.status_code == 200
    assert "This text is too long: at most 4000 characters fit" in response.text
    assert "ZqZqZqZq" not in response.text
    assert len(response.content) < 20_000
    assert MeasureStatus.objects.get(pk=reporting.plain_a.pk).version == 1


def test_an_oversized_comment_in_the_full_save_is_not_echoed(client, users, reporting):
    client.force_login(users.leader_a)
    data = {"unit": reporting.plain_a.org_unit_id}
    data.update(_row_data(reporting.plain_a, comment="Zq" * 50_000))
    response = client.post(
        reverse("status_save_all", args=[reporting.period.pk]), data, follow=True
    )
    assert response.redirect_chain  # redirect after POST; the row's message comes back once
    assert "This text is too long" in response.text
    assert "ZqZqZqZq" not in response.text


def test_the_excel_upload_refuses_a_comment_with_a_number(client, users, org, reporting):
    from tests.measures.test_status_xlsx import as_upload, fill, template, upload

    client.force_login(users.leader_a)
    workbook = template(client, reporting, org.unit_a)
    fill(workbook.worksheets[0], "Pårørendeplan", comment=f"Gjelder {NUMBER}")
    response = upload(client, reporting.period, org.unit_a, as_upload(workbook))
    assert response.status_code == 200
    assert "1 row has errors and will be left out." in response.text
    assert "looks like a national identity number" in response.text
    assert NUMBER not in MeasureStatus.objects.get(pk=reporting.plain_a.pk).comment
