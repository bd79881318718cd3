from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from qiportal import health, selectors
from qiportal.models import Ward


@require_GET
def home(request):
    return render(request, "qiportal/home.html", selectors.home_context(request.user))


@require_GET
def ward_detail(request, slug):
    ward = get_object_or_404(Ward.objects.select_related("directorate"), slug=slug)
    return render(request, "qiportal/ward_detail.html", selectors.ward_page_context(ward, request.user))


@login_not_required
@never_cache
@require_GET
def healthz(request):
    checks = {"database": health.database_status(), "broker": health.broker_status()}
    healthy = checks["database"] == "ok" and checks["broker"] in ("ok", "eager")
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without context processors: the fault may be the database they would query.
    return HttpResponse(loader.get_template("500.html").render({}), status=500)
