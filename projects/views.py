from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from projects import forms, selectors, services
from projects.filters import PortfolioFilter
from projects.models import Decision, Initiative, PdsaCycle, Status
from qiportal import exports, permissions
from qiportal.forms import add_service_errors

K = Decision.Kind
INITIATIVE_CHARTS = 6  # run charts drawn on an initiative's page; every measure is listed with its signal
WIZARD_SESSION_KEY = "new_initiative"
DECISION_BUTTONS = {
    K.APPROVE: "Approve initiative",
    K.REQUEST_CHANGES: "Request changes",
    K.NOT_APPROVE: "Do not approve",
    K.PAUSE: "Pause initiative",
    K.RESUME: "Resume initiative",
    K.HALT: "Halt initiative",
    K.COMPLETE: "Mark as completed",
    K.REVIEW_DONE: "Record review",
}


def _crumbs(*extra):
    return [("Home", reverse("home")), ("Initiatives", reverse("projects:portfolio")), *extra]


def _initiative(request, pk) -> Initiative:
    try:
        return selectors.initiative_for_page(pk, request.user)
    except Initiative.DoesNotExist as missing:
        raise Http404 from missing


# The log -------------------------------------------------------------------------------------------


@require_GET
def portfolio(request):
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        return _export(_portfolio_rows(request)[1], export)
    context = {
        **_portfolio_context(request),
        "can_create": permissions.can_create_initiative(request.user),
        "crumbs": [("Home", reverse("home"))],
    }
    return render(request, "projects/initiative_list.html", context)


def _portfolio_rows(request):
    filterset = PortfolioFilter(request.GET or None, queryset=selectors.portfolio(request.user))
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    if not request.GET.get("sort"):
        queryset = queryset.order_by("-updated_at", "-pk")
    return filterset, selectors.portfolio_rows(queryset), queryset


def _portfolio_context(request) -> dict:
    filterset, rows, queryset = _portfolio_rows(request)
    counts = selectors.status_counts(queryset)
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "filter": filterset,
        "filter_form": filterset.form,
        "page": Paginator(rows, 25).get_page(request.GET.get("page")),
        "counts": counts,
        "status_rows": [(value, label, counts[value]) for value, label in Status.choices],
        "query": query.urlencode(),
    }


EXPORT_HEADER = [
    "ID",
    "Title",
    "Status",
    "Strategic priority",
    "Scope",
    "Wards",
    "Directorate",
    "Lead",
    "Sponsor",
    "Planned start",
    "Planned end",
    "Next review",
    "Progress score",
    "PDSA cycles",
    "Aim",
]


def _export(queryset, kind):
    rows = (
        [
            i.pk,
            i.title,
            i.get_status_display(),
            i.priority.name,
            i.get_scope_display(),
            "; ".join(w.name for w in i.wards.all()),
            i.directorate.name if i.directorate else "Trust-wide",
            i.lead.display_name,
            i.sponsor.display_name,
            i.planned_start_on,
            i.planned_end_on,
            i.next_review_on,
            i.progress_score,
            i.cycle_count,
            i.aim,
        ]
        for i in queryset
    )
    stamp = timezone.localdate().isoformat()
    if kind == "csv":
        return exports.csv_response(f"initiatives-{stamp}.csv", EXPORT_HEADER, rows)
    return exports.xlsx_response(f"initiatives-{stamp}.xlsx", EXPORT_HEADER, rows, title="Initiatives")


# Logging a new initiative: four short pages, then check your answers --------------------------------


def _wizard_data(request) -> dict:
    return request.session.setdefault(WIZARD_SESSION_KEY, {})


def _bound_steps(data: dict):
    """Each step's form bound to what the user has entered so far."""
    return [(key, title, form_class(data.get(key))) for key, title, form_class in forms.WIZARD_STEPS]


@require_http_methods(["GET", "POST"])
def initiative_create(request, step=None):
    if not permissions.can_create_initiative(request.user):
        raise PermissionDenied
    keys = [key for key, _, _ in forms.WIZARD_STEPS]
    if step is None:
        request.session[WIZARD_SESSION_KEY] = {}
        return redirect("projects:initiative_create_step", step=keys[0])
    if step not in keys:
        raise Http404
    index = keys.index(step)
    _, title, form_class = forms.WIZARD_STEPS[index]
    data = _wizard_data(request)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            data[step] = {
                key: request.POST.getlist(key) if key in ("wards", "team") else request.POST.get(key, "")
                for key in form.fields
            }
            request.session.modified = True
            if request.GET.get("change") or index == len(keys) - 1:
                return redirect("projects:initiative_check")
            return redirect("projects:initiative_create_step", step=keys[index + 1])
    elif step in data:
        form = form_class(data[step])  # what they entered before, to check or change
    else:
        form = form_class(initial={"lead": request.user.pk} if step == "people" else None)
    form.helper = forms._helper(form, "Continue")
    back = (
        reverse("projects:initiative_create_step", args=[keys[index - 1]]) if index else reverse("projects:portfolio")
    )
    return render(
        request,
        "projects/initiative_form_step.html",
        {"form": form, "step_title": title, "number": index + 1, "total": len(keys), "back": back},
    )


@require_http_methods(["GET", "POST"])
def initiative_check(request):
    if not permissions.can_create_initiative(request.user):
        raise PermissionDenied
    data = _wizard_data(request)
    steps = _bound_steps(data)
    for key, _, form in steps:
        if not form.is_valid():
            messages.error(request, "Some answers are missing. Check this page and continue.")
            return redirect("projects:initiative_create_step", step=key)
    cleaned = {}
    for _, _, form in steps:
        cleaned.update(form.cleaned_data)
    similar = selectors.similar_live_initiatives(
        cleaned["title"], cleaned.get("wards") or [], cleaned["scope"], cleaned.get("directorate")
    )
    if request.method == "POST":
        try:
            initiative = services.create_initiative(
                by=request.user,
                change_ideas=cleaned.pop("change_ideas", "").splitlines(),
                **cleaned,
            )
            if request.POST.get("action") == "submit":
                services.decide(initiative_id=initiative.pk, kind=K.SUBMIT, by=request.user)
                messages.success(
                    request, f"You submitted ‘{initiative.title}’ for review. The sponsor will be emailed."
                )
            else:
                messages.success(request, f"You saved ‘{initiative.title}’ as a draft.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("projects:initiative_check")
        request.session.pop(WIZARD_SESSION_KEY, None)
        return redirect(initiative)
    return render(
        request,
        "projects/initiative_check.html",
        {"similar": similar, "summary": [(key, title, _answers(form)) for key, title, form in steps]},
    )


def _answers(form) -> list[tuple[str, str]]:
    """A step's answers as a person reads them, for the check-your-answers page."""
    rows = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if hasattr(field, "choices") and not hasattr(value, "pk") and not isinstance(value, list | tuple):
            value = dict(field.choices).get(value, value)
        if hasattr(value, "all") or isinstance(value, list | tuple):
            value = ", ".join(getattr(item, "display_name", str(item)) for item in value)
        elif hasattr(value, "strftime"):
            value = f"{value:%-d %B %Y}"
        elif value is not None and hasattr(value, "pk"):
            value = getattr(value, "display_name", str(value))
        rows.append((field.label, "" if value is None else str(value)))
    return rows


@require_http_methods(["GET", "POST"])
def initiative_edit(request, pk):
    initiative = _initiative(request, pk)
    if not permissions.can_edit_initiative(request.user, initiative):
        raise PermissionDenied
    form = forms.CharterForm(request.POST or None, initial=forms.CharterForm.initial_for(initiative))
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.update_charter(
                initiative_id=pk,
                by=request.user,
                wards=data.pop("wards"),
                team=data.pop("team"),
                change_ideas=data.pop("change_ideas").splitlines(),
                **data,
            )
            messages.success(request, "Your changes to the charter were saved. The history below shows them.")
            return redirect(initiative)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "projects/initiative_edit.html",
        {"form": form, "initiative": initiative, "crumbs": _crumbs((initiative.title, initiative.get_absolute_url()))},
    )


@require_http_methods(["GET", "POST"])
def initiative_submit(request, pk):
    initiative = _initiative(request, pk)
    if not permissions.can_submit_initiative(request.user, initiative):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.decide(initiative_id=pk, kind=K.SUBMIT, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(initiative)
        messages.success(request, f"You submitted ‘{initiative.title}’ for review. The sponsor will be emailed.")
        return redirect(initiative)
    return render(
        request,
        "projects/initiative_submit.html",
        {"initiative": initiative, "crumbs": _crumbs((initiative.title, initiative.get_absolute_url()))},
    )


# Sponsor decisions ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def decide(request, pk, kind):
    initiative = _initiative(request, pk)
    if not permissions.can_make_decision(request.user, initiative, kind):
        raise PermissionDenied
    if kind not in services.allowed_decisions(initiative):
        messages.error(request, f"You cannot do that to an initiative that is ‘{initiative.get_status_display()}’.")
        return redirect(initiative)
    readiness_warning = kind == K.APPROVE and _readiness_warning(initiative)
    form = forms.DecisionForm(
        request.POST or None,
        kind=kind,
        button=DECISION_BUTTONS[kind],
        initial_review=timezone.localdate() + timezone.timedelta(weeks=initiative.review_interval_weeks),
        warning_needed=readiness_warning,
    )
    if form.is_valid():
        try:
            services.decide(initiative_id=pk, kind=kind, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            verb = services.TRANSITIONS[kind].verb
            messages.success(request, f"You {verb} ‘{initiative.title}’. The team will be emailed.")
            return redirect(initiative)
    return render(
        request,
        "projects/initiative_decide.html",
        {
            "initiative": initiative,
            "form": form,
            "kind": kind,
            "heading": DECISION_BUTTONS[kind],
            "readiness_warning": readiness_warning,
            "crumbs": _crumbs((initiative.title, initiative.get_absolute_url())),
        },
    )


def _readiness_warning(initiative) -> bool:
    """Approving needs a reason when any of the initiative's wards has readiness missing, stale or weak."""
    return any(ward.needs_readiness_warning() for ward in initiative.wards.all())


@require_GET
def review_queue(request):
    if not permissions.can_view_reviews(request.user):
        raise PermissionDenied
    context = {**_review_queue_context(request), "crumbs": [("Home", reverse("home"))]}
    return render(request, "projects/review_queue.html", context)


def _review_queue_context(request) -> dict:
    # Paged: a trust-wide sponsor or admin may have hundreds waiting; the groups split each page.
    page = Paginator(selectors.review_queue(request.user), 50).get_page(request.GET.get("page"))
    queue = list(page)
    today = timezone.localdate()
    groups = {
        "submitted": [i for i in queue if i.status == Status.SUBMITTED],
        "overdue": [i for i in queue if i.status != Status.SUBMITTED and i.next_review_on and i.next_review_on < today],
        "due": [i for i in queue if i.status != Status.SUBMITTED and i.next_review_on and i.next_review_on >= today],
        "flagged": [i for i in queue if i.flagged_for_attention or i.is_stalled],
    }
    return {"groups": groups, "total": page.paginator.count, "page": page, "query": ""}


# PDSA cycles ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def pdsa_create(request, pk):
    initiative = _initiative(request, pk)
    if not permissions.can_record_pdsa(request.user, initiative):
        raise PermissionDenied
    form = forms.PdsaPlanForm(request.POST or None, initiative=initiative)
    if form.is_valid():
        try:
            cycle = services.plan_pdsa_cycle(initiative_id=pk, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"You planned PDSA cycle {cycle.number}. Record what happened when you have run it."
            )
            return redirect(cycle)
    return render(
        request,
        "projects/pdsa_form.html",
        {
            "form": form,
            "initiative": initiative,
            "heading": "Plan a PDSA cycle",
            "crumbs": _crumbs((initiative.title, initiative.get_absolute_url())),
        },
    )


def _cycle(request, pk, number):
    initiative = _initiative(request, pk)
    cycle = next((c for c in initiative.pdsa_cycles.all() if c.number == number), None)
    if cycle is None:
        raise Http404
    return initiative, cycle


@require_GET
def pdsa_detail(request, pk, number):
    initiative, cycle = _cycle(request, pk, number)
    if not permissions.can_view_initiative(request.user, initiative):
        raise Http404
    return render(
        request,
        "projects/pdsa_detail.html",
        {
            "initiative": initiative,
            "cycle": cycle,
            "can_edit": permissions.can_record_pdsa(request.user, initiative),
            "stages": [PdsaCycle.Stage.DO, PdsaCycle.Stage.STUDY, PdsaCycle.Stage.ACT],
            "crumbs": _crumbs((initiative.title, initiative.get_absolute_url())),
        },
    )


@require_http_methods(["GET", "POST"])
def pdsa_stage(request, pk, number, stage):
    initiative, cycle = _cycle(request, pk, number)
    if not permissions.can_record_pdsa(request.user, initiative):
        raise PermissionDenied
    if stage == PdsaCycle.Stage.PLAN:
        form = forms.PdsaPlanForm(request.POST or None, instance=cycle, initiative=initiative)
    elif stage in (PdsaCycle.Stage.DO, PdsaCycle.Stage.STUDY, PdsaCycle.Stage.ACT):
        form = forms.stage_form(stage)(request.POST or None, instance=cycle)
    else:
        raise Http404
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.fields}
        complete = "later" not in request.POST and stage != PdsaCycle.Stage.PLAN
        try:
            services.save_pdsa_stage(cycle_id=cycle.pk, by=request.user, stage=stage, complete=complete, **values)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            label = PdsaCycle.Stage(stage).label
            messages.success(
                request,
                f"You completed the {label} stage of PDSA cycle {cycle.number}."
                if complete
                else f"Your {label} notes for PDSA cycle {cycle.number} are saved.",
            )
            return redirect(cycle)
    return render(
        request,
        "projects/pdsa_form.html",
        {
            "form": form,
            "initiative": initiative,
            "cycle": cycle,
            "heading": f"PDSA cycle {cycle.number}: {PdsaCycle.Stage(stage).label}",
            "crumbs": _crumbs(
                (initiative.title, initiative.get_absolute_url()), (f"PDSA {cycle.number}", cycle.get_absolute_url())
            ),
        },
    )


# Progress score --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def progress_score(request, pk):
    initiative = _initiative(request, pk)
    if not permissions.can_set_progress_score(request.user, initiative):
        raise PermissionDenied
    suggestion = services.suggest_progress_score(initiative)
    form = forms.ProgressScoreForm(request.POST or None, initial={"score": str(suggestion.score)})
    if form.is_valid():
        try:
            entry = services.set_progress_score(initiative_id=pk, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"You set the progress score to {entry.score}.")
            return redirect(initiative)
    return render(
        request,
        "projects/progress_score_form.html",
        {
            "form": form,
            "initiative": initiative,
            "suggestion": suggestion,
            "scale": services.IHI_SCALE,
            "crumbs": _crumbs((initiative.title, initiative.get_absolute_url())),
        },
    )
