"""The initiative log's pages, by page group. Pages that also show other apps' data (an initiative's own page and
its sponsor review, with measures and readiness) are in hub.views."""
