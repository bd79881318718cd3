from hub import nav


def navigation(request):
    """Role-aware header navigation, with the counts it shows, for every page."""
    if not request.user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": nav.items_for(request)}
