from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from excellence import charts, export, selectors, services
from excellence.filters import ReportFilter
from excellence.forms import ConversationForm, ReportForm, SharingForm, ThankYouForm
from excellence.models import ExcellenceReport
from qiportal import permissions
from qiportal.forms import add_service_errors
from qiportal.models import User, Ward
from qiportal.once import submit_once


def _crumbs(*extra):
    return [("Home", reverse("home")), ("Learning from Excellence", reverse("excellence:report_list")), *extra]


def _visible_report(request, pk) -> ExcellenceReport:
    try:
        return selectors.report_detail(request.user, pk)
    except ExcellenceReport.DoesNotExist:
        raise Http404("No such report") from None


@require_GET
def report_list(request):
    report_filter = ReportFilter(request.GET or None, queryset=selectors.report_list(request.user))
    context = {
        **_report_list_context(request, report_filter),
        # The page title says "Error:" when a filter is wrong; with no filters there is nothing to check.
        "has_errors": bool(request.GET) and not report_filter.is_valid(),
        "crumbs": [("Home", reverse("home"))],
    }
    return render(request, "excellence/report_list.html", context)


def _report_list_context(request, report_filter) -> dict:
    valid = report_filter.is_bound and report_filter.is_valid()
    filtered = report_filter.qs if valid else report_filter.queryset
    ward = report_filter.form.cleaned_data.get("ward") if valid else None
    query = request.GET.copy()
    query.pop("page", None)
    counts = selectors.state_counts(filtered)
    paginator = Paginator(filtered, 25)
    paginator.count = counts["total"]  # already counted: spare the paginator its own COUNT query
    return {
        "filter_form": report_filter.form,
        "page": paginator.get_page(request.GET.get("page")),
        "query": query.urlencode(),
        "counts": counts,
        "themes": [t for t in selectors.theme_counts(filtered) if t.n],
        "trust_chart": selectors.weekly_chart(None),
        "ward_chart": selectors.weekly_chart(ward) if ward else None,
        "can_export": permissions.can_export_excellence(request.user),
    }


@require_GET
def weekly_chart(request, slug=None):
    ward = get_object_or_404(Ward, slug=slug) if slug else None
    analysis = charts.analyse(selectors.weekly_counts(ward))
    title = f"Excellence reports per week – {ward.name if ward else 'whole trust'}"
    response = HttpResponse(charts.render_svg(analysis, title), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_http_methods(["GET", "POST"])
@submit_once
def report_create(request):
    form = ReportForm(request.POST or None, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            report = services.submit_report(
                reporter=request.user,
                ward=data["ward"],
                team_ward=data["team_ward"],
                recipients=data["recipients"],
                happened_on=data["happened_on"],
                what_happened=data["what_happened"],
                why_excellent=data["why_excellent"],
                difference_made=data["difference_made"],
                organisation_learning=data["organisation_learning"],
                tags=data["tags"],
                reporter_agrees_to_share=data["share"] == "yes",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("excellence:report_sent", pk=report.pk)
    return render(
        request,
        "excellence/report_form.html",
        {"form": form, "crumbs": _crumbs()},
    )


@require_GET
def report_sent(request, pk):
    report = _visible_report(request, pk)
    if report.reporter_id != request.user.pk:
        raise PermissionDenied
    return render(request, "excellence/report_sent.html", {"report": report, "crumbs": _crumbs()})


def _detail_context(request, report, **forms) -> dict:
    user = request.user
    responses = list(report.responses.all())
    my_response = next((r for r in responses if r.recipient_id == user.pk), None)
    can_respond = permissions.can_respond_to_excellence_report(user, report, my_response)
    context = {
        "report": report,
        "responses": responses,
        "my_response": my_response,
        "conversation": selectors.conversation_of(report),
        "can_respond": can_respond,
        "can_record_conversation": permissions.can_record_excellence_conversation(user, report),
        "can_mark_learning_shared": permissions.can_mark_excellence_learning_shared(user, report),
        "can_start_initiative": permissions.can_start_initiative_from_excellence(user, report),
        "is_reporter": report.reporter_id == user.pk,
        "crumbs": _crumbs(),
    }
    if can_respond:
        context["thanks_form"] = forms.get("thanks_form") or ThankYouForm(
            action=reverse("excellence:thank_you", args=[report.pk]),
            initial={"message": my_response.thank_you_message},
        )
    if can_respond or context["is_reporter"]:
        current = my_response.agrees_to_share if my_response else report.reporter_agrees_to_share
        context["sharing_form"] = forms.get("sharing_form") or SharingForm(
            action=reverse("excellence:sharing", args=[report.pk]),
            initial={"share": {True: "yes", False: "no"}.get(current)},
        )
    return context


@require_GET
def report_detail(request, pk):
    report = _visible_report(request, pk)
    if any(r.recipient_id == request.user.pk and r.opened_at is None for r in report.responses.all()):
        services.open_report(report=report, user=request.user)
    return render(request, "excellence/report_detail.html", _detail_context(request, report))


@require_POST
def thank_you(request, pk):
    report = _visible_report(request, pk)
    response = next((r for r in report.responses.all() if r.recipient_id == request.user.pk), None)
    if not permissions.can_respond_to_excellence_report(request.user, report, response):
        raise PermissionDenied
    form = ThankYouForm(request.POST, action=reverse("excellence:thank_you", args=[pk]))
    if form.is_valid():
        try:
            services.say_thank_you(report=report, by=request.user, message=form.cleaned_data["message"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"You said thank you to {report.reporter.display_name}.")
            return redirect(report)
    return render(request, "excellence/report_detail.html", _detail_context(request, report, thanks_form=form))


@require_POST
def sharing(request, pk):
    report = _visible_report(request, pk)
    response = next((r for r in report.responses.all() if r.recipient_id == request.user.pk), None)
    if not (
        permissions.can_respond_to_excellence_report(request.user, report, response)
        or report.reporter_id == request.user.pk
    ):
        raise PermissionDenied
    form = SharingForm(request.POST, action=reverse("excellence:sharing", args=[pk]))
    if form.is_valid():
        report = services.set_sharing(report=report, by=request.user, agrees=form.cleaned_data["share"] == "yes")
        if form.cleaned_data["share"] == "yes":
            text = "You agreed this report may appear on the excellence wall."
            if not report.is_shared:
                text += " It will appear once everyone it is about agrees too."
        else:
            text = "This report will not appear on the excellence wall."
        messages.success(request, text)
        return redirect(report)
    return render(request, "excellence/report_detail.html", _detail_context(request, report, sharing_form=form))


@require_http_methods(["GET", "POST"])
def conversation(request, pk):
    report = _visible_report(request, pk)
    if not permissions.can_record_excellence_conversation(request.user, report):
        raise PermissionDenied
    existing = selectors.conversation_of(report)
    people = {user.pk for user in report.recipients.all()} | {r.recipient_id for r in report.responses.all()}
    people |= {request.user.pk}
    if report.team_ward_id:
        people |= set(User.objects.filter(wards=report.team_ward_id, is_active=True).values_list("pk", flat=True))
    if existing:
        people |= {user.pk for user in existing.participants.all()}
    participants = User.objects.filter(pk__in=people)
    initial = {}
    if existing:
        initial = {
            field: getattr(existing, field)
            for field in ("held_on", "strengths", "opportunities", "aspirations", "results", "what_to_spread")
        }
        initial["participants"] = [user.pk for user in existing.participants.all()]
    form = ConversationForm(request.POST or None, participants=participants, initial=initial)
    if form.is_valid():
        try:
            services.record_conversation(report=report, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "You recorded the appreciative-inquiry conversation.")
            return redirect(report)
    return render(
        request,
        "excellence/conversation_form.html",
        {"report": report, "form": form, "crumbs": _crumbs((f"Report {report.pk}", report.get_absolute_url()))},
    )


@require_POST
def learning_shared(request, pk):
    report = _visible_report(request, pk)
    if not permissions.can_mark_excellence_learning_shared(request.user, report):
        raise PermissionDenied
    services.mark_learning_shared(report=report, by=request.user)
    messages.success(request, "You marked the learning from this report as shared.")
    return redirect(report)


@require_http_methods(["GET", "POST"])
def start_initiative(request, pk):
    """Confirm first (what the draft will hold), then start it with a POST."""
    report = _visible_report(request, pk)
    if not permissions.can_start_initiative_from_excellence(request.user, report):
        raise PermissionDenied
    try:
        if request.method == "POST":
            initiative = services.start_initiative_from_report(report=report, by=request.user)
        else:
            draft = services.initiative_draft(report=report, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(report)
    if request.method == "GET":
        crumbs = _crumbs((f"Report {report.pk}", report.get_absolute_url()))
        return render(request, "excellence/start_initiative.html", {"report": report, "draft": draft, "crumbs": crumbs})
    messages.success(request, f"You started a draft initiative, ‘{initiative.title}’, from this report.")
    try:
        return redirect(reverse("initiative_detail", args=[initiative.pk]))
    except NoReverseMatch:
        return redirect(report)


@require_GET
def wall(request, slug=None):
    ward = get_object_or_404(Ward, slug=slug) if slug else None
    page = Paginator(selectors.wall(ward), 20).get_page(request.GET.get("page"))
    crumbs = _crumbs(("Excellence wall", reverse("excellence:wall"))) if ward else _crumbs()
    wards = Ward.objects.filter(is_active=True, excellence_reports__is_shared=True).distinct().order_by("name")
    return render(request, "excellence/wall.html", {"ward": ward, "page": page, "wards": wards, "crumbs": crumbs})


@require_GET
def export_csv(request):
    if not permissions.can_export_excellence(request.user):
        raise PermissionDenied
    response = HttpResponse(
        export.anonymised_csv(ExcellenceReport.objects.all()), content_type="text/csv; charset=utf-8"
    )
    filename = f"excellence-anonymised-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
