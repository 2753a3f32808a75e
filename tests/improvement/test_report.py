"""Improvement work in the annual quality report and on the unit's yearly report page."""

from datetime import date
from decimal import Decimal

from improvement import services
from improvement.report import pdf_section
from reporting import services as reporting_services
from reporting.pdf import report_data, report_html


def test_pdf_section_counts_projects_with_a_signal_and_duty_assessments(plan, org, users, project):
    for month, value in enumerate([9, 9, 8, 9, 10, 9, 3, 2, 3, 2, 3, 2], start=1):
        services.data_point_save(
            project=project, measured_on=date(2022, month, 1), value=Decimal(value)
        )
    quiet = services.project_create(
        user=users.leader_b, units=[org.unit_b], ideas=[], title="Stille prosjekt"
    )
    services.duties_load_defaults(country="no")
    report = reporting_services.unit_report_save(
        plan=plan, year=2022, unit=org.unit_a, user=users.leader_a, went_well="",
        to_improve="", goals={},
    )  # fmt: skip
    duty = services.RegulationDuty.objects.get(code="§ 7")
    services.duty_statements_save(
        report=report, user=users.leader_a, statements={duty.pk: {"assessment": "partly"}}
    )
    section = pdf_section(
        plan=plan, year=2022, unit_ids={org.unit_a.pk, org.unit_b.pk}, user=users.director
    )
    assert section.anchor == "improvement"
    assert "Færre fall om natten" in section.html
    assert quiet.title in section.html
    assert "1 of them show a signal" in section.html


def test_pdf_section_is_left_out_when_there_is_nothing(plan, org, users):
    assert pdf_section(plan=plan, year=2022, unit_ids={org.unit_a.pk}, user=users.director) is None


def test_the_quality_report_has_the_chapter_and_lists_it(plan, org, users, project):
    data = report_data(plan=plan, year=2022, scope_unit=org.department, user=users.director)
    html = report_html(data=data)
    assert 'href="#improvement"' in html
    assert 'id="improvement"' in html
    assert "Færre fall om natten" in html


def test_duty_counts_in_the_pdf_are_numbers_per_assessment(plan, org, users):
    services.duties_load_defaults(country="no")
    report = reporting_services.unit_report_save(
        plan=plan, year=2022, unit=org.unit_a, user=users.leader_a, went_well="",
        to_improve="", goals={},
    )  # fmt: skip
    duty = services.RegulationDuty.objects.get(code="§ 6")
    services.duty_statements_save(
        report=report, user=users.leader_a, statements={duty.pk: {"assessment": "met"}}
    )
    section = pdf_section(
        plan=plan, year=2022, unit_ids={org.unit_a.pk, org.unit_b.pk}, user=users.director
    )
    row = section.html.split("§ 6 Planlegge")[1].split("</tr>")[0]
    cells = [cell.split("<")[0] for cell in row.split('class="numeric">')[1:]]
    assert cells == ["1", "0", "0", "1"]
