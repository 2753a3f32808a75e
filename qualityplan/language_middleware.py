"""A Swedish municipality gets Swedish: its default language until a person chooses one.

Runs after LocaleMiddleware. When the person has not chosen a language (no language
cookie) and the municipality has been set up, its language wins over the browser's.
"""

from django.conf import settings
from django.utils import translation

from .municipality import municipality_settings


class MunicipalityLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            language = municipality_settings().language
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
