"""Parts of reporting's pages that newer apps add, named in settings so that reporting
never imports them: each setting is a list of dotted paths to functions called with
keyword arguments, returning a `HookPart` (or None to add nothing)."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class HookPart:
    anchor: str
    title: str
    html: SafeString


def hook_parts(setting: str, **kwargs) -> list[HookPart]:
    parts = []
    for path in getattr(settings, setting, []):
        part = import_string(path)(**kwargs)
        if part is not None:
            parts.append(part)
    return parts
