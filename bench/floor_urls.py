"""The project's URLs plus /bench-floor/: the cheapest page Django can serve through the same middleware."""

from django.http import HttpResponse
from django.template import Context, Template
from django.urls import include, path
from django.views.decorators.http import require_GET

FLOOR = Template("<!DOCTYPE html><title>Floor</title><p>Hello {{ user.username }}</p>")


@require_GET
def floor(request):
    return HttpResponse(FLOOR.render(Context({"user": request.user})))


urlpatterns = [path("bench-floor/", floor, name="bench_floor"), path("", include("qiportal.urls"))]
handler403 = "qiportal.views.permission_denied"
handler404 = "qiportal.views.page_not_found"
handler500 = "qiportal.views.server_error"
