"""The status pages' URLs, mounted under /status/ by the project's URLconf.

A module of their own so that the project includes them by name and the core
app imports nothing from measures.
"""

from .urls import status_urlpatterns as urlpatterns

__all__ = ["urlpatterns"]
