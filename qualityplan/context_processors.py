from django.conf import settings

from .access import get_access


def site(request):
    return {
        "municipality_name": settings.MUNICIPALITY_NAME,
        "access": get_access(request.user) if hasattr(request, "user") else None,
    }
