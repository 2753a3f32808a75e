from django.urls import path

from . import import_views, results_views, views

urlpatterns = [
    path("", views.survey_list, name="survey_list"),
    path("new/", views.survey_create, name="survey_create"),
    path("<int:pk>/", views.survey_detail, name="survey_detail"),
    path("<int:pk>/edit/", views.survey_edit, name="survey_edit"),
    path("<int:pk>/open/", views.survey_action, {"action": "open"}, name="survey_open"),
    path("<int:pk>/close/", views.survey_action, {"action": "close"}, name="survey_close"),
    path("<int:pk>/copy/", views.survey_action, {"action": "copy"}, name="survey_copy"),
    path("<int:pk>/delete/", views.survey_action, {"action": "delete"}, name="survey_delete"),
    path("<int:pk>/sections/new/", views.section_create, name="section_create"),
    path("<int:pk>/sections/<int:section_id>/", views.section_edit, name="section_edit"),
    path("<int:pk>/questions/new/", views.question_edit, name="question_create"),
    path("<int:pk>/questions/<int:question_id>/", views.question_edit, name="question_edit"),
    path(
        "<int:pk>/questions/<int:question_id>/delete/",
        views.question_action,
        {"action": "delete"},
        name="question_delete",
    ),
    path(
        "<int:pk>/questions/<int:question_id>/up/",
        views.question_action,
        {"action": "up"},
        name="question_up",
    ),
    path(
        "<int:pk>/questions/<int:question_id>/down/",
        views.question_action,
        {"action": "down"},
        name="question_down",
    ),
    path("<int:pk>/bank/", views.bank_add, name="survey_bank_add"),
    path("<int:pk>/links/", views.survey_links, name="survey_links"),
    path("<int:pk>/links/<int:link_id>/poster.pdf", views.link_poster, name="survey_poster"),
    path("<int:pk>/codes/", views.survey_codes, name="survey_codes"),
    path("<int:pk>/results/", results_views.survey_results_page, name="survey_results"),
    path(
        "<int:pk>/results/export.<str:fmt>",
        results_views.survey_results_export,
        name="survey_results_export",
    ),
    path(
        "<int:pk>/follow-up/<int:unit_id>/",
        results_views.survey_follow_up,
        name="survey_follow_up",
    ),
    path("<int:pk>/import/", import_views.import_upload, name="survey_import"),
    path("<int:pk>/import/<str:token>/", import_views.import_map, name="survey_import_map"),
]
