from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("goals/<int:goal_pk>/measures/new/", views.measure_create, name="measure_create"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/delete/", views.measure_delete, name="measure_delete"),
    path("measures/<int:pk>/move/", views.measure_move, name="measure_move"),
]
