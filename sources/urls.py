from django.urls import path

from . import views

urlpatterns = [
    path("indicators/<int:indicator_id>/statistics/", views.statistic_link, name="statistic_link"),
    path(
        "indicators/<int:indicator_id>/statistics/refresh/",
        views.statistic_link_refresh,
        name="statistic_link_refresh",
    ),
]
