from django.urls import path

from . import period_views, plan_import_views, status_views, status_xlsx_views, views

urlpatterns = [
    path("import/", plan_import_views.plan_import, name="plan_import"),
    path("import/confirm/", plan_import_views.plan_import_confirm, name="plan_import_confirm"),
    path("<int:pk>/export.xlsx", plan_import_views.plan_export, name="plan_export"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("goals/<int:goal_pk>/measures/new/", views.measure_create, name="measure_create"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/delete/", views.measure_delete, name="measure_delete"),
    path("measures/<int:pk>/move/", views.measure_move, name="measure_move"),
]

status_urlpatterns = [
    path("", status_views.my_measures, name="my_measures"),
    path("periods/<int:period_pk>/", status_views.status_page, name="status_page"),
    path("periods/<int:period_pk>/save/", status_views.status_save_all, name="status_save_all"),
    path(
        "periods/<int:period_pk>/copy/",
        status_views.status_copy_previous_all,
        name="status_copy_previous_all",
    ),
    path("rows/<int:pk>/", status_views.status_row, name="status_row"),
    path("rows/<int:pk>/save/", status_views.status_save, name="status_save"),
    path("rows/<int:pk>/copy/", status_views.status_copy_previous, name="status_copy_previous"),
    path("rows/<int:pk>/correct/", status_views.status_correct, name="status_correct"),
    path("measures/<int:pk>/", status_views.measure_history, name="measure_history"),
    path("plans/<int:plan_pk>/periods/", period_views.period_list, name="period_list"),
    # Before period_action: "upload" would otherwise read as an action's slug.
    path(
        "periods/<int:period_pk>/template.xlsx",
        status_xlsx_views.status_template_download,
        name="status_template",
    ),
    path("periods/<int:period_pk>/upload/", status_xlsx_views.status_upload, name="status_upload"),
    path(
        "periods/<int:period_pk>/upload/confirm/",
        status_xlsx_views.status_upload_confirm,
        name="status_upload_confirm",
    ),
    path("periods/<int:pk>/<slug:action>/", period_views.period_action, name="period_action"),
]
