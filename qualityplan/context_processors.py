from django.conf import settings

from .access import get_access


def site(request):
    return {
        "municipality_name": settings.MUNICIPALITY_NAME,
        "access": get_access(request.user) if hasattr(request, "user") else None,
    }


def nav_hooks(request):
    """Menu entries of newer apps, named in settings.NAV_HOOKS so that the core never
    imports them: each hook takes the request and returns (label, url, current) items."""
    from django.utils.module_loading import import_string

    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"extra_nav": []}
    items = []
    for path in getattr(settings, "NAV_HOOKS", []):
        items.extend(import_string(path)(request))
    return {"extra_nav": items}
