from django.urls import path

from . import public_views

urlpatterns = [
    path("<str:token>/", public_views.survey_answer, name="survey_answer"),
    path("<str:token>/thanks/", public_views.survey_thanks, name="survey_thanks"),
]
