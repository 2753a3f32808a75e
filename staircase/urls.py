from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path, reverse_lazy

from . import improvement_views, network_views, overview_views, review_views, views

app_name = "staircase"

urlpatterns = [
    path("", views.home, name="home"),
    path("frameworks/", views.framework_list, name="framework_list"),
    path("frameworks/import/", views.framework_import, name="framework_import"),
    path(
        "frameworks/import/confirm/",
        views.framework_import_confirm,
        name="framework_import_confirm",
    ),
    path("frameworks/versions/<int:pk>/", views.framework_version, name="framework_version"),
    path(
        "frameworks/versions/<int:pk>/export.xlsx",
        views.framework_export,
        name="framework_export",
    ),
    path("frameworks/<int:pk>/rule/", views.framework_rule, name="framework_rule"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path(
        "rounds/<int:round_pk>/units/<int:unit_pk>/start/",
        views.assessment_start,
        name="assessment_start",
    ),
    path("assessments/<int:pk>/", views.assessment, name="assessment"),
    path("assessments/<int:pk>/copy/", views.assessment_copy, name="assessment_copy"),
    path(
        "assessments/<int:pk>/decide/<str:action>/",
        views.assessment_decide,
        name="assessment_decide",
    ),
    path(
        "assessments/<int:pk>/areas/<int:area_pk>/evidence/",
        views.evidence_add,
        name="evidence_add",
    ),
    path(
        "assessments/<int:pk>/improvement/", improvement_views.improvement_plan, name="improvement"
    ),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", views.evidence_delete, name="evidence_delete"),
]

urlpatterns += [
    path("rounds/<int:round_pk>/reviewers/", review_views.review_appoint, name="review_appoint"),
    path("rounds/<int:pk>/chase/", review_views.round_chase, name="round_chase"),
    path("reviews/<int:pk>/", review_views.review, name="review"),
    path("reviews/<int:pk>/certify/", review_views.review_certify, name="review_certify"),
    path("certificates/", review_views.certificates, name="certificates"),
    path("overview/", overview_views.overview, name="overview"),
    path("networks/", network_views.network_list, name="network_list"),
    path("networks/new/", network_views.network_create, name="network_create"),
    path("networks/<int:pk>/", network_views.network_detail, name="network_detail"),
    path("certificates/<int:pk>.pdf", review_views.certificate_pdf, name="certificate_pdf"),
    path(
        "reviewer/welcome/<uidb64>/<token>/",
        login_not_required(
            auth_views.PasswordResetConfirmView.as_view(
                template_name="staircase/reviewer_welcome.html",
                success_url=reverse_lazy("login"),
                post_reset_login=False,
            )
        ),
        name="reviewer_welcome",
    ),
]
