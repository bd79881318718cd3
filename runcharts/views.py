"""Measures, weekly data entry, uploads and charts. Thin views: permissions decide, services write."""

from __future__ import annotations

import csv
import io
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from projects.models import Initiative
from qiportal import permissions
from qiportal.exports import safe_cell
from qiportal.once import submit_once
from runcharts import charts, selectors, services, uploads
from runcharts.forms import AnnotationForm, MeasureForm, RephaseForm, UploadForm, WeekGridForm
from runcharts.models import Annotation, Measure, Rephase

GRID_WEEKS = 12
GRID_MAX_WEEKS = 104
TEMPLATE_WEEKS = 8


def _initiative_url(initiative: Initiative) -> str | None:
    try:
        return initiative.get_absolute_url()
    except NoReverseMatch:  # the initiative pages are another app's; until they are mounted, no link
        return None


def _crumbs(initiative: Initiative, measure: Measure | None = None) -> list[tuple[str, str]]:
    crumbs = [("Home", reverse("home"))]
    url = _initiative_url(initiative)
    if url:
        crumbs.append((initiative.title, url))
    if measure is not None:
        crumbs.append((measure.name, measure.get_absolute_url()))
    return crumbs


def _measure(request, pk: int, *, edit: bool = False) -> Measure:
    measure = get_object_or_404(selectors.visible_measures(request.user), pk=pk)
    allowed = permissions.can_edit_measure if edit else permissions.can_view_measure
    if not allowed(request.user, measure):
        raise PermissionDenied
    return measure


def _redirect(request, url: str):
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_http_methods(["GET", "POST"])
@submit_once
def measure_create(request, initiative_pk: int | None = None):
    initiative_pk = initiative_pk or request.GET.get("initiative")
    if not str(initiative_pk or "").isdigit():
        raise Http404("Choose the initiative the measure belongs to")
    initiative = get_object_or_404(Initiative.objects.visible_to(request.user), pk=int(initiative_pk))
    if not permissions.can_add_measure(request.user, initiative):
        raise PermissionDenied
    form = MeasureForm(request.POST or None, initiative=initiative, submit_label="Add measure")
    if form.is_valid():
        try:
            measure = services.create_measure(initiative=initiative, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"You added the measure ‘{measure.name}’. Now enter its weekly values.")
            return redirect(measure)
    return render(
        request,
        "runcharts/measure_form.html",
        {"form": form, "initiative": initiative, "crumbs": _crumbs(initiative), "heading": "Add a measure"},
    )


@require_http_methods(["GET", "POST"])
def measure_edit(request, pk: int):
    measure = _measure(request, pk, edit=True)
    form = MeasureForm(request.POST or None, instance=measure, initiative=measure.initiative)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_measure(measure_id=measure.pk, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"You saved the measure ‘{form.cleaned_data['name']}’.")
            return redirect(measure)
    return render(
        request,
        "runcharts/measure_form.html",
        {
            "form": form,
            "initiative": measure.initiative,
            "measure": measure,
            "crumbs": _crumbs(measure.initiative, measure),
            "heading": f"Edit ‘{measure.name}’",
        },
    )


def alt_text(measure: Measure, analysis) -> str:
    kind = {"xmr": "XmR chart", "anhoej": "Run chart (Anhøj rules)", "ihi": "Run chart (IHI rules)"}[analysis.chart]
    parts = [f"{kind} of {measure.name}, {len(analysis.rows)} weeks.", analysis.summary, *analysis.meanings]
    if measure.target is not None:
        parts.append(f"Target: {measure.target:g}.")
    return " ".join(parts)


@require_GET
def measure_detail(request, pk: int):
    measure = _measure(request, pk)
    analysis = selectors.measure_analysis(measure)
    rows = list(reversed(analysis.rows))
    return render(
        request,
        "runcharts/measure_detail.html",
        {
            "measure": measure,
            "initiative": measure.initiative,
            "analysis": analysis,
            "rows": rows,
            "alt": alt_text(measure, analysis),
            "signal": analysis.signal,
            "can_edit": permissions.can_edit_measure(request.user, measure),
            "rephases": measure.rephases.select_related("created_by"),
            "annotations": measure.annotations.all(),
            "cycles": measure.pdsa_cycles.order_by("starts_on", "number"),
            "crumbs": _crumbs(measure.initiative),
            "version": measure.data_version,
        },
    )


@require_http_methods(["GET", "POST"])
def data_entry(request, pk: int):
    measure = _measure(request, pk, edit=True)
    try:
        count = min(max(int(request.GET.get("weeks", GRID_WEEKS)), 1), GRID_MAX_WEEKS)
    except ValueError:
        count = GRID_WEEKS
    weeks = selectors.recent_weeks(timezone.localdate(), count)
    existing = dict(measure.points.filter(week_start__in=weeks).values_list("week_start", "value"))
    form = WeekGridForm(request.POST or None, measure=measure, weeks=weeks, existing=existing)
    if request.method == "POST" and form.is_valid():
        changes = services.save_week_values(measure_id=measure.pk, by=request.user, values=form.values())
        if changes.total:
            messages.success(
                request,
                f"Values saved: {changes.added} added, {changes.replaced} changed, {changes.removed} removed.",
            )
        else:
            messages.success(request, "No values changed.")
        return redirect(measure)
    return render(
        request,
        "runcharts/data_entry.html",
        {
            "measure": measure,
            "form": form,
            "count": count,
            "more": min(count * 2, GRID_MAX_WEEKS) if count < GRID_MAX_WEEKS else None,
            "crumbs": _crumbs(measure.initiative, measure),
        },
    )


def _session_key(measure: Measure) -> str:
    return f"runcharts:upload:{measure.pk}"


@require_http_methods(["GET", "POST"])
def upload(request, pk: int):
    measure = _measure(request, pk, edit=True)
    form = UploadForm(request.POST or None, request.FILES or None)
    form.helper.attrs = {
        "hx-post": reverse("runcharts:upload", args=[measure.pk]),
        "hx-encoding": "multipart/form-data",
        "hx-target": "#maincontent",
        "hx-select": "#maincontent",
        "hx-swap": "outerHTML",
    }
    parsed = None
    if request.method == "POST" and form.is_valid():
        try:
            parsed = uploads.parse_upload(form.cleaned_data["file"], measure=measure)
        except uploads.UploadRefused as error:
            form.add_error("file", str(error))
        else:
            if parsed.is_valid:
                request.session[_session_key(measure)] = {
                    "name": form.cleaned_data["file"].name[:100],
                    "rows": [[row.week_start.isoformat(), row.value] for row in parsed.rows],
                    "warnings": parsed.warnings,
                }
                return _redirect(request, reverse("runcharts:upload_preview", args=[measure.pk]))
    return render(
        request,
        "runcharts/upload.html",
        {
            "measure": measure,
            "form": form,
            "parsed": parsed,
            "max_mb": f"{uploads.max_bytes() / 1_048_576:g}",
            "crumbs": _crumbs(measure.initiative, measure),
        },
    )


@require_http_methods(["GET", "POST"])
def upload_preview(request, pk: int):
    measure = _measure(request, pk, edit=True)
    stored = request.session.get(_session_key(measure))
    if not stored:
        messages.success(request, "There is no upload waiting to be saved. Upload a file first.")
        return redirect("runcharts:upload", measure.pk)
    rows = [(date.fromisoformat(week), float(value)) for week, value in stored["rows"]]
    if request.method == "POST":
        if "cancel" in request.POST:
            del request.session[_session_key(measure)]
            messages.success(request, "Upload cancelled. Nothing was saved.")
            return redirect(measure)
        try:
            changes = services.import_values(measure_id=measure.pk, by=request.user, rows=rows)
        except ValidationError as error:
            del request.session[_session_key(measure)]
            messages.success(request, f"Nothing was saved: {' '.join(error.messages)}. Upload the file again.")
            return redirect("runcharts:upload", measure.pk)
        del request.session[_session_key(measure)]
        messages.success(request, f"Upload saved: {changes.added} weeks added, {changes.replaced} replaced.")
        return redirect(measure)
    existing = dict(measure.points.values_list("week_start", "value"))
    preview = [
        {
            "week_start": week,
            "value": value,
            "current": existing.get(week),
            "action": "add" if week not in existing else ("unchanged" if existing[week] == value else "replace"),
        }
        for week, value in rows
    ]
    summary = {action: sum(1 for p in preview if p["action"] == action) for action in ("add", "replace", "unchanged")}
    return render(
        request,
        "runcharts/upload_preview.html",
        {
            "measure": measure,
            "stored": stored,
            "preview": preview,
            "summary": summary,
            "crumbs": _crumbs(measure.initiative, measure),
        },
    )


@require_GET
def upload_template(request, pk: int, fmt: str):
    measure = _measure(request, pk, edit=True)
    weeks = selectors.recent_weeks(timezone.localdate(), TEMPLATE_WEEKS + 1)[1:]
    rows = uploads.template_rows(measure, weeks)
    if fmt == "csv":
        response = HttpResponse(uploads.template_csv(rows), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            uploads.template_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404("Unknown format")
    response["Content-Disposition"] = f'attachment; filename="measure-{measure.pk}-weekly-values.{fmt}"'
    return response


def _chart_input(measure: Measure, pdsa) -> charts.ChartInput:
    return charts.ChartInput(
        measure_id=measure.pk,
        data_version=measure.data_version,
        title=measure.name,
        unit=measure.get_unit_display(),
        target=measure.target,
        analysis=selectors.measure_analysis(measure),
        annotations=list(measure.annotations.values_list("on", "text")),
        pdsa=pdsa,
    )


@require_GET
def chart(request, pk: int, fmt: str):
    measure = _measure(request, pk)
    if fmt not in charts.KINDS:
        raise Http404("Unknown format")
    pdsa = selectors.pdsa_markers(measure)
    key = charts.cache_key(measure.pk, measure.data_version, fmt, pdsa)
    drawing = charts.cached_chart(key, fmt, lambda: _chart_input(measure, pdsa))
    response = HttpResponse(drawing, content_type="image/svg+xml" if fmt == "svg" else "image/png")
    if request.GET.get("v") == charts.version_token(measure.data_version, pdsa):
        # The address names this exact drawing: a browser may keep it until the data or PDSA marks change.
        response["Cache-Control"] = "private, max-age=31536000, immutable"
    else:
        response["Cache-Control"] = "private, max-age=300"
    if fmt == "png" or request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="measure-{measure.pk}-chart.{fmt}"'
    return response


@require_GET
def data_csv(request, pk: int):
    measure = _measure(request, pk)
    analysis = selectors.measure_analysis(measure)
    notes = {}
    for on, text in measure.annotations.values_list("on", "text"):
        notes.setdefault(selectors.week_start(on), []).append(text)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    centre = "mean" if analysis.chart == "xmr" else "median"
    writer.writerow(
        ["week_start", "value", centre, "lower_limit", "upper_limit", "period", "special_cause", "point_type", "note"]
    )
    for row in analysis.rows:
        writer.writerow(
            [
                row.week_start.isoformat(),
                f"{row.value:g}",
                f"{row.centre:.6g}",
                "" if row.lower_limit is None else f"{row.lower_limit:.6g}",
                "" if row.upper_limit is None else f"{row.upper_limit:.6g}",
                row.period + 1,
                row.special_cause or "",
                row.point_type,
                safe_cell("; ".join(notes.get(row.week_start, []))),
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="measure-{measure.pk}-data.csv"'
    return response


@require_http_methods(["GET", "POST"])
def rephase_add(request, pk: int):
    measure = _measure(request, pk, edit=True)
    form = RephaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_rephase(measure_id=measure.pk, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The chart starts a new period from that week.")
            return redirect(measure)
    return render(
        request,
        "runcharts/rephase_form.html",
        {"measure": measure, "form": form, "crumbs": _crumbs(measure.initiative, measure)},
    )


@require_POST
def rephase_remove(request, pk: int, rephase_pk: int):
    measure = _measure(request, pk, edit=True)
    rephase = get_object_or_404(Rephase, measure=measure, pk=rephase_pk)
    services.remove_rephase(rephase_id=rephase.pk, by=request.user)
    messages.success(request, "The new period was removed. Its reason is kept in the history.")
    return redirect(measure)


@require_http_methods(["GET", "POST"])
def annotation_add(request, pk: int):
    measure = _measure(request, pk, edit=True)
    form = AnnotationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_annotation(measure_id=measure.pk, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Note added to the chart.")
            return redirect(measure)
    return render(
        request,
        "runcharts/annotation_form.html",
        {"measure": measure, "form": form, "crumbs": _crumbs(measure.initiative, measure)},
    )


@require_POST
def annotation_remove(request, pk: int, annotation_pk: int):
    measure = _measure(request, pk, edit=True)
    annotation = get_object_or_404(Annotation, measure=measure, pk=annotation_pk)
    services.remove_annotation(annotation_id=annotation.pk, by=request.user)
    messages.success(request, "Note removed from the chart.")
    return redirect(measure)
