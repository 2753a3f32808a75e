"""System checks for rules every app keeps.

`free_text_fields`: every free-text field of the project's models (every
TextField, every CharField of 100 characters or more, historical copies
included) refuses national identity numbers and has a max_length. A new field
or a new app that forgets fails `manage.py check`, and so every test run.
"""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import checks

from .fields import free_text_problem, is_free_text


def project_models() -> list:
    """The models of the project's own apps (not Django's or a library's), with the
    historical models simple_history adds to them."""
    base = Path(settings.BASE_DIR).resolve()
    found = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if base not in path.parents or ".venv" in path.parts or "site-packages" in path.parts:
            continue
        found.extend(config.get_models())
    return found


def free_text_fields(model) -> list:
    """The fields of `model` a person writes prose into. A historical model's own
    bookkeeping fields (history_change_reason and the like) are the library's, and its
    copy of a file field (a path as text) follows the field it copies."""
    tracked = getattr(model, "instance_type", None)
    tracked_names = (
        {f.name for f in tracked._meta.concrete_fields if is_free_text(f)} if tracked else None
    )
    return [
        field
        for field in model._meta.concrete_fields
        if is_free_text(field) and (tracked_names is None or field.name in tracked_names)
    ]


@checks.register(checks.Tags.models)
def check_free_text_fields(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    for model in project_models():
        for field in free_text_fields(model):
            problem = free_text_problem(field)
            if problem:
                errors.append(
                    checks.Error(
                        f"Free-text field {model._meta.label}.{field.name} {problem}.",
                        hint="Use qualityplan.fields.FreeTextField or FreeCharField "
                        "(or SystemTextField for text the application writes itself).",
                        obj=field,
                        id="qualityplan.E001",
                    )
                )
    return errors
