from django.urls import path

from . import views
from .models import DeviationEvent

Action = DeviationEvent.Action

urlpatterns = [
    path("", views.deviation_list, name="deviation_list"),
    path("new/", views.deviation_create, name="deviation_create"),
    path("export.csv", views.deviation_export, {"fmt": "csv"}, name="deviation_export_csv"),
    path("export.xlsx", views.deviation_export, {"fmt": "xlsx"}, name="deviation_export_xlsx"),
    path("statistics/", views.deviation_statistics, name="deviation_statistics"),
    path("<int:pk>/", views.deviation_detail, name="deviation_detail"),
    path("<int:pk>/receipt/", views.deviation_receipt, name="deviation_receipt"),
    path(
        "<int:pk>/treatment/",
        views.deviation_act,
        {"action": Action.START_TREATMENT},
        name="deviation_start_treatment",
    ),
    path("<int:pk>/close/", views.deviation_act, {"action": Action.CLOSE}, name="deviation_close"),
    path(
        "<int:pk>/reject/", views.deviation_act, {"action": Action.REJECT}, name="deviation_reject"
    ),
    path(
        "<int:pk>/reopen/", views.deviation_act, {"action": Action.REOPEN}, name="deviation_reopen"
    ),
    path(
        "<int:pk>/measure/",
        views.deviation_act,
        {"action": Action.LINK_MEASURE},
        name="deviation_link_measure",
    ),
    path(
        "<int:pk>/regime/",
        views.deviation_act,
        {"action": Action.CLASSIFY},
        name="deviation_classify",
    ),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
]
