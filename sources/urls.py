from django.urls import path

from . import import_views, views

urlpatterns = [
    path("indicators/<int:indicator_id>/statistics/", views.statistic_link, name="statistic_link"),
    path(
        "indicators/<int:indicator_id>/statistics/refresh/",
        views.statistic_link_refresh,
        name="statistic_link_refresh",
    ),
    path("plans/<int:plan_id>/imports/", import_views.imports_page, name="indicator_imports"),
    path(
        "imports/<str:token>/mapping/",
        import_views.import_mapping,
        name="indicator_import_mapping",
    ),
    path("imports/<str:token>/", import_views.import_preview, name="indicator_import_preview"),
    path("imports/<str:token>/units/", import_views.import_aliases, name="indicator_import_units"),
    path(
        "imports/<str:token>/confirm/",
        import_views.import_confirm,
        name="indicator_import_confirm",
    ),
]
