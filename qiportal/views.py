from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from qiportal import health
from qiportal.models import Notification


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


@require_http_methods(["GET", "POST"])
def notification_list(request):
    """In-app notifications, newest first; opening the page marks them read."""
    notifications = list(
        Notification.objects.filter(recipient=request.user).select_related("recipient").order_by("-created_at")[:100]
    )
    unread_ids = [n.pk for n in notifications if n.read_at is None]
    if request.method == "POST" and unread_ids:
        Notification.objects.filter(pk__in=unread_ids).update(read_at=timezone.now())
        messages.success(request, "All notifications marked as read.")
        return redirect("notification_list")
    return render(
        request,
        "qiportal/notification_list.html",
        {"notifications": notifications, "unread": len(unread_ids), "crumbs": [("Home", reverse("home"))]},
    )
