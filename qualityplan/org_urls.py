from django.urls import path

from . import admin_views

urlpatterns = [
    path("", admin_views.org_tree, name="org_tree"),
    path("setup/", admin_views.municipality_setup_page, name="municipality_setup"),
    path("import/", admin_views.table_import, {"kind": "org"}, name="org_import"),
    path(
        "import/confirm/",
        admin_views.table_import_confirm,
        {"kind": "org"},
        name="org_import_confirm",
    ),
    path("export.csv", admin_views.org_export, name="org_export"),
    path("people/import/", admin_views.table_import, {"kind": "people"}, name="people_import"),
    path(
        "people/import/confirm/",
        admin_views.table_import_confirm,
        {"kind": "people"},
        name="people_import_confirm",
    ),
    path("units/<int:pk>/", admin_views.org_unit_detail, name="org_unit"),
    path("memberships/<int:pk>/end/", admin_views.membership_end_view, name="membership_end"),
    path("roles/", admin_views.role_list, name="role_list"),
    path("roles/new/", admin_views.role_edit, name="role_create"),
    path("roles/<int:pk>/", admin_views.role_edit, name="role_edit"),
]
