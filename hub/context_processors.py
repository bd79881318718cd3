from django.utils.functional import SimpleLazyObject

from hub import nav


def navigation(request):
    """Role-aware header navigation, with the counts it shows, for every page. Lazy: worked out (two queries) only
    when a template shows the header, so a partial or an error page without it costs nothing."""
    if not request.user.is_authenticated:
        return {"nav": None}
    return {"nav": SimpleLazyObject(lambda: nav.header_for(request))}
