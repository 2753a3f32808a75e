"""Model fields for text a person writes.

Every free text in the project's models (every TextField, and every CharField of
100 characters or more) is one of these: it refuses a national identity number
and has a length limit, in the model, so forms, imports and uploads that call
`full_clean()` all keep the rule. `qualityplan.checks` fails the system check
for a free-text field that is not one of them (or does not carry the
validator), so a new field or a new app cannot slip past.

A text the application writes itself (an error message, a token) is a
`SystemTextField`: it holds no person's writing, so it is exempt.

A form field made from these does not draw an oversized value back into the
page: a 9 MB comment is refused with the limit, not echoed whole.
"""

from __future__ import annotations

from django import forms
from django.core import validators as django_validators
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .validators import no_national_identity_number

# A mark the system check reads: text written by the application, not a person.
NOT_FREE_TEXT = "not_free_text"


def _with_identity_check(validators) -> list:
    validators = list(validators or [])
    if no_national_identity_number not in validators:
        validators.append(no_national_identity_number)
    return validators


def _without_implied_validator(deconstructed):
    # The class carries the identity check; migrations need not repeat it.
    name, path, args, kwargs = deconstructed
    rest = [v for v in kwargs.pop("validators", []) if v is not no_national_identity_number]
    if rest:
        kwargs["validators"] = rest
    return name, path, args, kwargs


class FreeTextFormField(forms.CharField):
    """A text input that refuses an oversized value without drawing it again."""

    default_error_messages = {
        "max_length": _(
            "This text is too long: at most %(limit_value)d characters fit, and it has "
            "%(show_value)d. It was not saved. Shorten it and write it again."
        ),
    }

    def __init__(self, *args, **kwargs):
        kwargs["validators"] = _with_identity_check(kwargs.get("validators"))
        super().__init__(*args, **kwargs)
        for validator in self.validators:
            if isinstance(validator, django_validators.MaxLengthValidator):
                validator.message = self.error_messages["max_length"]

    def bound_data(self, data, initial):
        # The page shows what is stored instead of the oversized text, which could be
        # megabytes long; the error message says what happened.
        if self.max_length is not None and isinstance(data, str) and len(data) > self.max_length:
            return initial
        return super().bound_data(data, initial)


class FreeTextField(models.TextField):
    """A long text a person writes (a description, a comment, a title)."""

    def __init__(self, *args, max_length: int = 4000, **kwargs):
        kwargs["validators"] = _with_identity_check(kwargs.get("validators"))
        super().__init__(*args, max_length=max_length, **kwargs)

    @cached_property
    def validators(self):
        # TextField leaves max_length to forms; imports and services need it too.
        return [*super().validators, django_validators.MaxLengthValidator(self.max_length)]

    def deconstruct(self):
        return _without_implied_validator(super().deconstruct())

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": FreeTextFormField, **kwargs})


class FreeCharField(models.CharField):
    """A one-line text a person writes, 100 characters or more (a name, a title)."""

    def __init__(self, *args, **kwargs):
        kwargs["validators"] = _with_identity_check(kwargs.get("validators"))
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        return _without_implied_validator(super().deconstruct())

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": FreeTextFormField, **kwargs})


class SystemTextField(models.TextField):
    """Text the application writes itself (an error it caught), never a person."""

    not_free_text = True


class SystemCharField(models.CharField):
    """A line the application writes itself (a path, a username as typed), never prose."""

    not_free_text = True


def is_free_text(field) -> bool:
    """A field a person could write prose into: every TextField, every CharField of
    100 characters or more, unless it is not editable or marked as system text."""
    if getattr(field, NOT_FREE_TEXT, False) or not getattr(field, "editable", True):
        return False
    if isinstance(field, models.TextField):
        return True
    return isinstance(field, models.CharField) and (field.max_length or 10**9) >= 100


def free_text_problem(field) -> str | None:
    """Why a free-text field breaks the rule, or None when it keeps it."""
    if no_national_identity_number not in field.validators:
        return "does not refuse national identity numbers"
    if not field.max_length:
        return "has no max_length"
    return None


def free_text_form_field(model_field, **kwargs) -> FreeTextFormField:
    """A form field for a declared (non-model) form that writes into `model_field`:
    the same limit and the same identity check, so the form follows the model."""
    return FreeTextFormField(max_length=model_field.max_length, **kwargs)
