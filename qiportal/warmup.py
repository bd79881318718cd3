"""Load every page's code when a process starts, not when it first needs a link.

Django reads the URL configuration lazily: the first `reverse()` or request in a process imports every view, and
with them matplotlib, pandas and openpyxl, about 2 s on our VM. Without this, the first person served by each new
web worker, and the first job each Celery worker runs (the ward scan's emails link to wards), waited for it; the
bench measured the scan's first run at 1.3–2.7 s, of which about 0.7 s was the scan.
"""

from django.urls import get_resolver


def load_pages() -> None:
    """Import the URL configuration and every view it names, and build its map of names to paths."""
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018  # imports the views
    resolver.reverse_dict  # noqa: B018  # builds the name -> path map reverse() reads
