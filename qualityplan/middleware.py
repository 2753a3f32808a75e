"""Cache-Control for what is private: no browser or proxy keeps a copy of a page seen
logged in, nor of any export (exports need a login, so the one rule covers them).

A response that already says `no-store` or `private` is left as it is; one that says
`public` for a logged-in person is overridden, since the page may carry personal data.
"""

from django.utils.cache import add_never_cache_headers, patch_cache_control


def no_store_when_private(get_response):
    def middleware(request):
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response

    return middleware
