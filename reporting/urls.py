from django.urls import path

from . import dashboard_views

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
]
