from django.urls import path

from . import views

app_name = "improvement"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("new/", views.project_create, name="project_create"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("<int:pk>/cycles/new/", views.cycle_create, name="cycle_create"),
    path("<int:pk>/cycles/<int:cycle_pk>/", views.cycle_edit, name="cycle_edit"),
    path("<int:pk>/points/", views.point_add, name="point_add"),
    path("<int:pk>/points/<int:point_pk>/delete/", views.point_delete, name="point_delete"),
    path("units/<int:unit_pk>/run-chart/", views.unit_run_chart, name="unit_run_chart"),
    path(
        "duties/<int:plan_pk>/<int:year>/<int:unit_pk>/",
        views.duty_statements,
        name="duty_statements",
    ),
    path("duties/overview/", views.duty_overview, name="duty_overview"),
    path("duties/", views.duty_list, name="duty_list"),
    path("reviews/<int:unit_pk>/<int:year>/", views.review, name="review"),
    path("reviews/<int:unit_pk>/<int:year>/decisions/", views.decision_add, name="decision_add"),
    path(
        "reviews/<int:unit_pk>/<int:year>/decisions/<int:decision_pk>/",
        views.decision_done,
        name="decision_done",
    ),
]
