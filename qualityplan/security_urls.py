from django.urls import path

from . import security_views

urlpatterns = [
    path("", security_views.security_log, name="security_log"),
    path("export.csv", security_views.security_log_export, {"fmt": "csv"}, name="security_csv"),
    path("export.xlsx", security_views.security_log_export, {"fmt": "xlsx"}, name="security_xlsx"),
    path("unlock/<int:pk>/", security_views.security_unlock, name="security_unlock"),
]
