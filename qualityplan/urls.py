from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from measures.urls import status_urlpatterns

from . import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("health/", health.health, name="health"),
    path("plans/", include("qualityplan.plan_urls")),
    path("plans/", include("measures.urls")),
    path("deviations/", include("deviations.urls")),
    path("status/", include(status_urlpatterns)),
    path("reporting/", include("reporting.urls")),
    path("surveys/", include("surveys.urls")),
    path("s/", include("surveys.public_urls")),
    path("admin/", admin.site.urls),
    path("staircase/", include("staircase.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
