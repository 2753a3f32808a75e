from django.urls import path

from . import dashboard_views, pdf_job_views, unit_report_views

urlpatterns = [
    # Dashboards
    path("dashboards/", dashboard_views.dashboard_index, name="dashboard_index"),
    path("plans/<int:plan_id>/", dashboard_views.plan_dashboard, name="dashboard_plan"),
    path("plans/<int:plan_id>/matrix/", dashboard_views.plan_matrix, name="dashboard_matrix"),
    path(
        "plans/<int:plan_id>/indicators/",
        dashboard_views.plan_indicators,
        name="dashboard_indicators",
    ),
    path(
        "plans/<int:plan_id>/deviations/",
        dashboard_views.plan_deviations,
        name="dashboard_deviations",
    ),
    path(
        "periods/<int:period_id>/completeness/",
        dashboard_views.period_completeness,
        name="dashboard_completeness",
    ),
    path(
        "periods/<int:period_id>/completeness/remind/",
        dashboard_views.completeness_chase,
        name="dashboard_chase",
    ),
    path(
        "indicators/<int:indicator_id>/",
        dashboard_views.indicator_dashboard,
        name="dashboard_indicator",
    ),
    # Unit annual reports and the PDF report jobs
    path("annual/", unit_report_views.unit_report_overview_page, name="annual_overview"),
    path(
        "annual/<int:plan_pk>/<int:year>/<int:unit_pk>/",
        unit_report_views.unit_report_page,
        name="annual_report",
    ),
    path(
        "annual/<int:plan_pk>/<int:year>/<int:unit_pk>/<str:action>/",
        unit_report_views.unit_report_decide,
        name="annual_decide",
    ),
    path("reports/", pdf_job_views.pdf_job_list, name="report_job_list"),
    path("reports/new/", pdf_job_views.pdf_job_create, name="report_job_create"),
    path("reports/<int:pk>/", pdf_job_views.pdf_job_detail, name="report_job_detail"),
    path("reports/<int:pk>/retry/", pdf_job_views.pdf_job_retry, name="report_job_retry"),
    path("reports/<int:pk>/download/", pdf_job_views.pdf_job_download, name="report_job_download"),
]
