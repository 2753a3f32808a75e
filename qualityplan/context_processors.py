from .access import get_access
from .municipality import municipality_name


def site(request):
    return {
        "municipality_name": municipality_name(),
        "access": get_access(request.user) if hasattr(request, "user") else None,
    }
