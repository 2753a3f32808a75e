from django.urls import path

from . import views
from .models import Goal, SubGoal

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("new/", views.plan_create, name="plan_create"),
    path("<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/delete/", views.plan_delete, name="plan_delete"),
    path("<int:pk>/activate/", views.plan_activate, name="plan_activate"),
    path("<int:pk>/goals/new/", views.goal_create, name="goal_create"),
    path("goals/<int:pk>/edit/", views.goal_edit, name="goal_edit"),
    path("goals/<int:pk>/delete/", views.part_delete, {"model": Goal}, name="goal_delete"),
    path("goals/<int:pk>/move/", views.part_move, {"model": Goal}, name="goal_move"),
    path("goals/<int:pk>/subgoals/new/", views.subgoal_create, name="subgoal_create"),
    path("subgoals/<int:pk>/edit/", views.subgoal_edit, name="subgoal_edit"),
    path("subgoals/<int:pk>/delete/", views.part_delete, {"model": SubGoal}, name="subgoal_delete"),
    path("subgoals/<int:pk>/move/", views.part_move, {"model": SubGoal}, name="subgoal_move"),
]
