"""The project's URLs plus two floors served through the same middleware: /bench-floor/, the cheapest page Django
can serve, and /bench-layout-floor/, an empty page in the app's own layout (the NHS.UK header with the person's
navigation and counts, and the footer), which every real page starts from."""

from django.http import HttpResponse
from django.shortcuts import render
from django.template import Context, Template
from django.urls import include, path
from django.views.decorators.http import require_GET

FLOOR = Template("<!DOCTYPE html><title>Floor</title><p>Hello {{ user.username }}</p>")


@require_GET
def floor(request):
    return HttpResponse(FLOOR.render(Context({"user": request.user})))


@require_GET
def layout_floor(request):
    return render(request, "bench/layout_floor.html")


urlpatterns = [
    path("bench-floor/", floor, name="bench_floor"),
    path("bench-layout-floor/", layout_floor, name="bench_layout_floor"),
    path("", include("qiportal.urls")),
]
handler403 = "qiportal.views.permission_denied"
handler404 = "qiportal.views.page_not_found"
handler500 = "qiportal.views.server_error"
