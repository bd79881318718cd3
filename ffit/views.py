from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from ffit import charts, selectors, services
from ffit.forms import ChooseWardForm, InviteForm, OpenAuditForm, SectionForm, openable_wards
from ffit.models import Audit, Response
from ffit.questionnaire import CAVEAT, INTRODUCTION, RESPONDENTS, SECTIONS
from qiportal import exports, permissions
from qiportal.models import Ward
from qiportal.once import submit_once


def _audit(request, pk) -> Audit:
    return get_object_or_404(
        Audit.objects.visible_to(request.user).select_related("ward__directorate", "owner", "initiative"), pk=pk
    )


def _own_response(request, audit) -> Response | None:
    response = Response.objects.filter(audit=audit, respondent=request.user).first()
    if response is not None:
        response.audit = audit
    return response


def _crumbs(audit: Audit | None = None):
    crumbs = [("Home", reverse("home")), ("Readiness audits", reverse("ffit:audit_list"))]
    if audit is not None:
        crumbs.append((f"{audit.ward} audit", audit.get_absolute_url()))
    return crumbs


@require_GET
def audit_list(request):
    context = selectors.audit_list(request.user)
    context.update(
        can_open=permissions.can_open_any_audit(request.user), crumbs=[("Home", reverse("home"))], caveat=CAVEAT
    )
    return render(request, "ffit/audit_list.html", context)


@require_http_methods(["GET", "POST"])
@submit_once
def audit_open(request):
    if not permissions.can_open_any_audit(request.user):
        raise PermissionDenied
    initial = {key: request.GET[key] for key in ("ward", "initiative") if request.GET.get(key, "").isdigit()}
    wards = openable_wards(request.user)
    chosen = (request.POST if request.method == "POST" else initial).get("ward")
    ward = wards.filter(pk=chosen).first() if str(chosen or "").isdigit() else None
    if ward is None and request.method == "GET":
        only = list(wards[:2])
        if len(only) == 1:  # one ward to choose from: no need to ask
            ward, initial["ward"] = only[0], only[0].pk
        else:  # ask for the ward first, so the initiatives offered are only those on it
            return render(
                request,
                "ffit/audit_open.html",
                {
                    "form": ChooseWardForm(user=request.user),
                    "choosing_ward": True,
                    "crumbs": _crumbs(),
                    "introduction": INTRODUCTION,
                },
            )
    form = OpenAuditForm(
        request.POST if request.method == "POST" else None, user=request.user, ward=ward, initial=initial
    )
    if form.is_valid():
        ward = form.cleaned_data["ward"]
        if not permissions.can_open_audit(request.user, ward):
            raise PermissionDenied
        try:
            audit = services.open_audit(ward=ward, owner=request.user, initiative=form.cleaned_data["initiative"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"You opened a readiness audit for {ward}. Now invite the people to answer it.")
            return redirect("ffit:audit_invite", audit.pk)
    return render(
        request,
        "ffit/audit_open.html",
        {"form": form, "crumbs": _crumbs(), "introduction": INTRODUCTION, "respondents_text": RESPONDENTS},
    )


@require_GET
def audit_detail(request, pk):
    audit = _audit(request, pk)
    own = _own_response(request, audit)
    responses = list(audit.responses.select_related("respondent").order_by("pk"))
    submitted = sum(1 for response in responses if response.is_submitted)
    return render(
        request,
        "ffit/audit_detail.html",
        {
            "audit": audit,
            "own": own,
            "responses": responses,
            "submitted": submitted,
            "can_answer": permissions.can_answer_audit(request.user, own),
            "can_invite": permissions.can_invite_to_audit(request.user, audit),
            "can_close": permissions.can_close_audit(request.user, audit),
            "can_view_results": submitted and permissions.can_view_audit_results(request.user, audit, own),
            "section_count": len(SECTIONS),
            "crumbs": _crumbs(),
        },
    )


@require_http_methods(["GET", "POST"])
def audit_invite(request, pk):
    audit = _audit(request, pk)
    if not permissions.can_invite_to_audit(request.user, audit):
        raise PermissionDenied
    form = InviteForm(request.POST if request.method == "POST" else None, audit=audit)
    if form.is_valid():
        try:
            invited = services.invite_respondents(audit_id=audit.pk, by=request.user, respondents=form.respondents())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            names = ", ".join(response.respondent.display_name for response in invited)
            messages.success(request, f"You invited {names}. They will be emailed.")
            return redirect(audit)
    return render(request, "ffit/audit_invite.html", {"audit": audit, "form": form, "crumbs": _crumbs(audit)})


def _answerable_response(request, pk) -> tuple[Audit, Response]:
    audit = _audit(request, pk)
    own = _own_response(request, audit)
    if not permissions.can_answer_audit(request.user, own):
        raise PermissionDenied
    return audit, own


@require_http_methods(["GET", "POST"])
def answer_section(request, pk, number):
    audit, own = _answerable_response(request, pk)
    if not 1 <= number <= len(SECTIONS):
        raise Http404
    section = SECTIONS[number - 1]
    later = "later" in request.POST
    form = SectionForm(
        request.POST if request.method == "POST" else None,
        section=section,
        initial_answers=own.answers,
        require_all=not later,
    )
    from_check = request.GET.get("from") == "check" or request.POST.get("from") == "check"
    if form.is_valid():
        try:
            services.save_section_answers(
                response_id=own.pk, by=request.user, section_number=number, answers=form.answers(), move_on=not later
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if later:
                messages.success(request, f"Your answers to section {number} are saved. You can come back any time.")
                return redirect(audit)
            if from_check or number == len(SECTIONS):
                return redirect("ffit:answer_check", audit.pk)
            return redirect("ffit:answer_section", audit.pk, number + 1)
    previous = reverse("ffit:answer_section", args=[audit.pk, number - 1]) if number > 1 else audit.get_absolute_url()
    return render(
        request,
        "ffit/answer_section.html",
        {
            "audit": audit,
            "section": section,
            "form": form,
            "number": number,
            "section_count": len(SECTIONS),
            "section_name": selectors.SECTION_NAMES[section.key],
            "from_check": from_check,
            "crumbs": _crumbs(audit),
            "back_url": previous,
        },
    )


@require_http_methods(["GET", "POST"])
def answer_check(request, pk):
    audit, own = _answerable_response(request, pk)
    error = None
    if request.method == "POST":
        try:
            services.submit_response(response_id=own.pk, by=request.user)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            return redirect("ffit:answer_done", audit.pk)
    sections = [
        (
            section,
            selectors.SECTION_NAMES[section.key],
            [(item, selectors.answer_label(own.answers.get(item.key))) for item in section.items],
        )
        for section in SECTIONS
    ]
    return render(
        request,
        "ffit/answer_check.html",
        {
            "audit": audit,
            "sections": sections,
            "error": error,
            "missing": services.unanswered_sections(own.answers),
            "crumbs": _crumbs(audit),
        },
    )


@require_GET
def answer_done(request, pk):
    audit = _audit(request, pk)
    own = _own_response(request, audit)
    if own is None or not own.is_submitted:
        raise PermissionDenied
    return render(
        request,
        "ffit/answer_done.html",
        {
            "audit": audit,
            "can_view_results": permissions.can_view_audit_results(request.user, audit, own),
            "crumbs": _crumbs(audit),
        },
    )


@require_http_methods(["GET", "POST"])
def audit_close(request, pk):
    audit = _audit(request, pk)
    if not permissions.can_close_audit(request.user, audit):
        raise PermissionDenied
    error = None
    if request.method == "POST":
        try:
            services.close_audit(audit_id=audit.pk, by=request.user)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, f"You closed the readiness audit for {audit.ward}. Its results are final.")
            return redirect("ffit:audit_results", audit.pk)
    pending = audit.responses.filter(submitted_at__isnull=True).select_related("respondent")
    return render(
        request,
        "ffit/audit_close.html",
        {"audit": audit, "pending": list(pending), "error": error, "crumbs": _crumbs(audit)},
    )


def _results_audit(request, pk) -> Audit:
    audit = _audit(request, pk)
    if not permissions.can_view_audit_results(request.user, audit, _own_response(request, audit)):
        raise PermissionDenied
    return audit


@require_GET
def audit_results(request, pk):
    audit = _results_audit(request, pk)
    results = selectors.audit_results(audit)
    if not results.responses:
        raise Http404("Nobody has submitted answers to this audit yet.")
    return render(
        request,
        "ffit/audit_results.html",
        {
            "audit": audit,
            "results": results,
            "caveat": CAVEAT,
            "weak_percent": selectors.weak_percent(),
            "can_view_history": permissions.can_view_readiness_history(request.user, audit.ward),
            "crumbs": _crumbs(audit),
        },
    )


@require_GET
def audit_chart(request, pk):
    audit = _results_audit(request, pk)
    results = selectors.audit_results(audit)
    if not results.responses:
        raise Http404
    svg = charts.section_chart_svg(results.sections, selectors.weak_percent())
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=60"
    return response


@require_GET
def audit_csv(request, pk):
    audit = _results_audit(request, pk)
    results = selectors.audit_results(audit)
    header = ["Ward", "Audit opened", "Audit closed", "Respondent", "Section", "Section name", "Total", "Maximum"]
    return exports.csv_response(
        f"ffit-{audit.ward.slug}-{audit.pk}.csv", [*header, "Percent"], _csv_rows(audit, results)
    )


CSV_HEADER = [
    *("Ward", "Audit opened", "Audit closed", "Respondent"),
    *("Section", "Section name", "Total", "Maximum", "Percent"),
]


def _csv_rows(audit, results):
    """One row per section for the combined answers, then for each respondent (formulas neutralised by exports)."""
    opened = audit.opened_at.date().isoformat()
    closed = audit.closed_at.date().isoformat() if audit.closed_at else ""
    for combined, per_respondent in results.table:
        people = [(r.respondent.display_name, row) for r, row in zip(results.responses, per_respondent, strict=True)]
        for name, row in [("Combined (mean per question)", combined), *people]:
            score = row.score
            yield [
                audit.ward.name,
                opened,
                closed,
                name,
                row.number,
                row.name,
                f"{score.total:g}" if score.answered else "",
                score.maximum,
                f"{score.percent:.1f}" if score.percent is not None else "",
            ]


@require_GET
def ward_history(request, slug):
    ward = get_object_or_404(Ward.objects.select_related("directorate"), slug=slug)
    if not permissions.can_view_readiness_history(request.user, ward):
        raise PermissionDenied
    rows = selectors.ward_history(ward)
    return render(
        request,
        "ffit/ward_history.html",
        {
            "ward": ward,
            "rows": rows,
            "section_names": [selectors.SECTION_NAMES[s.key] for s in SECTIONS],
            "stale_months": settings.QI["FFIT_STALE_MONTHS"],
            "can_open": permissions.can_open_audit(request.user, ward),
            "caveat": CAVEAT,
            "crumbs": [("Home", reverse("home")), ("Readiness audits", reverse("ffit:audit_list"))],
        },
    )
