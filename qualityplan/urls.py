from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import account_views, health, sessions, sso_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=account_views.LoginForm
        ),
        name="login",
    ),
    path("logout/", sso_views.logout, name="logout"),
    path("oidc/login/", sso_views.oidc_login, name="oidc_login"),
    path("oidc/callback/", sso_views.oidc_callback, name="oidc_callback"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("health/", health.health, name="health"),
    path("session/alive/", sessions.session_alive, name="session_alive"),
    path("plans/", include("qualityplan.plan_urls")),
    path("plans/", include("measures.urls")),
    path("deviations/", include("deviations.urls")),
    path("status/", include("measures.status_urls")),
    path("reporting/", include("reporting.urls")),
    path("improvement/", include("improvement.urls")),
    path("organisation/", include("qualityplan.org_urls")),
    path("sources/", include("sources.urls")),
    path("surveys/", include("surveys.urls")),
    path("s/", include("surveys.public_urls")),
    path("admin/", admin.site.urls),
    # Security log and a person's own account (issue 9).
    path("security/", include("qualityplan.security_urls")),
    path("account/password/", account_views.password_change, name="password_change"),
    path("account/reset/", account_views.password_reset, name="password_reset"),
    path("account/reset/sent/", account_views.password_reset_done, name="password_reset_done"),
    path(
        "account/reset/<uidb64>/<token>/",
        account_views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "account/reset/done/",
        account_views.password_reset_complete,
        name="password_reset_complete",
    ),
    path("staircase/", include("staircase.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
