"""`__any_of` finds what `__in` finds, on PostgreSQL as one array parameter."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from measures.models import MeasureStatus
from qualityplan.models import OrgUnit


def test_any_of_finds_what_in_finds(org):
    wanted = [org.unit_a.pk, org.unit_c.pk, 10**9]
    found = set(OrgUnit.objects.filter(pk__any_of=wanted).values_list("pk", flat=True))
    assert found == set(OrgUnit.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    assert found == {org.unit_a.pk, org.unit_c.pk}
    # On a foreign key and in a Q across a join as well, and nothing for no ids.
    assert list(MeasureStatus.objects.filter(org_unit_id__any_of=wanted)) == []
    assert not OrgUnit.objects.filter(pk__any_of=[]).exists()
    assert OrgUnit.objects.filter(parent__any_of=[org.area.pk]).count() == 2


def test_any_of_sends_the_ids_as_one_parameter_on_postgresql(org):
    ids = list(OrgUnit.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        assert OrgUnit.objects.filter(pk__any_of=ids).count() == len(ids)
    sql = queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql
    else:
        assert " IN (" in sql


def test_any_of_takes_whole_numbers_only(org):
    with pytest.raises(ValueError):
        list(OrgUnit.objects.filter(pk__any_of=["1; drop table x"]))
