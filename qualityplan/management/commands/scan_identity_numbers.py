"""List (and on confirmation mask) national identity numbers already stored in free text.

Every free-text field of the project's models is read, history tables included.
Each place is printed as model, field, row id and an excerpt in which the number
is masked: the full number is never printed. With --mask, after a typed "yes"
(or --no-input), every number is replaced by as many asterisks. A live row is
changed through its normal save, so its history records the change; the history
rows that still hold the number are masked in place, since a record of the past
must not keep what should never have been written.
"""

from __future__ import annotations

from collections import defaultdict

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from qualityplan.checks import free_text_fields, project_models
from qualityplan.validators import find_identity_numbers

EXCERPT_CHARS = 30
# Texts outside the project's models that copy what people wrote: the admin's log
# repeats object names (a goal's title) and the login throttling keeps typed usernames.
OTHER_TEXTS = [
    ("admin", "LogEntry", "object_repr"),
    ("admin", "LogEntry", "change_message"),
    ("axes", "AccessAttempt", "username"),
]


def mask_numbers(text: str) -> str:
    for written in find_identity_numbers(text):
        text = text.replace(written, "*" * len(written))
    return text


def _excerpt(text: str) -> str:
    """The text around the first number, with every number masked."""
    first = find_identity_numbers(text)[0]
    start = text.find(first)
    masked = mask_numbers(text)
    begin, end = max(0, start - EXCERPT_CHARS), start + len(first) + EXCERPT_CHARS
    excerpt = masked[begin:end].replace("\n", " ")
    return ("…" if begin else "") + excerpt + ("…" if end < len(masked) else "")


def _text_fields():
    for model in project_models():
        for field in free_text_fields(model):
            yield model, field
    for app_label, model_name, field_name in OTHER_TEXTS:
        if apps.is_installed(f"django.contrib.{app_label}") or apps.is_installed(app_label):
            model = apps.get_model(app_label, model_name)
            yield model, model._meta.get_field(field_name)


def find_stored_numbers() -> list[tuple[type, str, object, str]]:
    """(model, field name, row id, excerpt) for every stored text holding a number."""
    found = []
    for model, field in _text_fields():
        rows = (
            model._default_manager.exclude(**{field.attname: ""})
            .values_list("pk", field.attname)
            .order_by("pk")
        )
        for pk, text in rows.iterator(chunk_size=2000):
            if text and find_identity_numbers(text):
                found.append((model, field.attname, pk, _excerpt(text)))
    return found


def _in_place(model) -> bool:
    """History rows, and rows outside the project's models, are masked in place; a
    live row of ours goes through its save."""
    return getattr(model, "instance_type", None) is not None or model not in project_models()


@transaction.atomic
def mask_stored_numbers(places) -> int:
    """Mask the numbers in `places`: history and other rows in place first, then each
    live row in one save of all its fields (so the history row it adds holds none)."""
    live: dict[tuple[type, object], list[str]] = defaultdict(list)
    for model, name, pk, _excerpt_text in places:
        if _in_place(model):
            text = model._default_manager.values_list(name, flat=True).get(pk=pk)
            model._default_manager.filter(pk=pk).update(**{name: mask_numbers(text)})
        else:
            live[(model, pk)].append(name)
    for (model, pk), names in live.items():
        row = model._default_manager.select_for_update().get(pk=pk)
        for name in names:
            setattr(row, name, mask_numbers(getattr(row, name)))
        row.save(update_fields=names)
    return len(places)


class Command(BaseCommand):
    help = "List identity numbers stored in free text (history included); --mask masks them."

    def add_arguments(self, parser):
        parser.add_argument("--mask", action="store_true", help="Mask the numbers found.")
        parser.add_argument(
            "--no-input", action="store_true", dest="no_input", help="Do not ask to confirm."
        )

    def handle(self, *args, mask: bool, no_input: bool, **options):
        places = find_stored_numbers()
        for model, name, pk, excerpt in places:
            self.stdout.write(f"{model._meta.label}\t{name}\t{pk}\t{excerpt}")
        self.stdout.write(f"{len(places)} place(s) hold a national identity number.")
        if not mask or not places:
            return
        if not no_input:
            answer = input(f"Mask the numbers in these {len(places)} place(s)? Type 'yes': ")
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing was masked.")
        count = mask_stored_numbers(places)
        self.stdout.write(f"Masked {count} place(s).")
