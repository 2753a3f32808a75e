from django.conf import settings

from .access import get_access
from .municipality import municipality_name
from .sso import sso_enabled


def site(request):
    return {
        "municipality_name": municipality_name(),
        "sso_enabled": sso_enabled(),
        "sso_provider_name": settings.OIDC_PROVIDER_NAME,
        "access": get_access(request.user) if hasattr(request, "user") else None,
    }
