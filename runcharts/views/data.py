"""Entering a measure's data: the grid of recent weeks or months (or events), and uploading a spreadsheet."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from qiportal import exports
from runcharts import kinds, selectors, services, uploads
from runcharts.forms import EventGridForm, PeriodGridForm, UploadForm
from runcharts.models import Measure
from runcharts.views._common import crumbs, htmx_redirect, measure_for

GRID_PERIODS = {kinds.WEEKLY: 12, kinds.MONTHLY: 12, kinds.EVENT: 10}
GRID_MAX_PERIODS = 104
TEMPLATE_PERIODS = 8


def _grid_form(request, measure: Measure, count: int):
    if measure.frequency == kinds.EVENT:
        events = selectors.recent_events(measure, count)
        existing = selectors.readings(measure, events)
        return EventGridForm(request.POST or None, measure=measure, events=events, existing=existing)
    periods = kinds.recent_periods(measure.frequency, timezone.localdate(), count)
    existing = selectors.readings(measure, periods)
    return PeriodGridForm(request.POST or None, measure=measure, periods=periods, existing=existing)


@require_http_methods(["GET", "POST"])
def data_entry(request, pk: int):
    measure = measure_for(request, pk, edit=True)
    default = GRID_PERIODS[measure.frequency]
    try:
        count = min(max(int(request.GET.get("weeks", default)), 1), GRID_MAX_PERIODS)
    except ValueError:
        count = default
    form = _grid_form(request, measure, count)
    if request.method == "POST" and form.is_valid():
        changes = services.save_values(measure_id=measure.pk, by=request.user, values=form.values())
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
            "more": min(count * 2, GRID_MAX_PERIODS) if count < GRID_MAX_PERIODS else None,
            "crumbs": crumbs(measure.initiative, measure),
        },
    )


def _session_key(measure: Measure) -> str:
    return f"runcharts:upload:{measure.pk}"


@require_http_methods(["GET", "POST"])
def upload(request, pk: int):
    measure = measure_for(request, pk, edit=True)
    columns = uploads.columns(measure)
    form = UploadForm(request.POST or None, request.FILES or None, columns=columns)
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
                # Read and classified once: the preview shows exactly this, and the confirmation saves it.
                request.session[_session_key(measure)] = parsed.to_session()
                return htmx_redirect(request, reverse("runcharts:upload_preview", args=[measure.pk]))
    return render(
        request,
        "runcharts/upload.html",
        {
            "measure": measure,
            "form": form,
            "parsed": parsed,
            "columns": columns,
            "max_mb": f"{uploads.max_bytes() / 1_048_576:g}",
            "crumbs": crumbs(measure.initiative, measure),
        },
    )


@require_http_methods(["GET", "POST"])
def upload_preview(request, pk: int):
    measure = measure_for(request, pk, edit=True)
    stored = request.session.get(_session_key(measure))
    if not stored:
        messages.error(request, "There is no upload waiting to be saved. Upload a file first.")
        return redirect("runcharts:upload", measure.pk)
    parsed = uploads.ParsedUpload.from_session(stored)
    if request.method == "POST":
        del request.session[_session_key(measure)]
        if "cancel" in request.POST:
            messages.info(request, "Upload cancelled. Nothing was saved.")
            return redirect(measure)
        rows = [(row.period_start, row.reading) for row in parsed.rows]
        try:
            changes = services.import_values(measure_id=measure.pk, by=request.user, rows=rows)
        except ValidationError as error:
            messages.error(request, f"Nothing was saved: {' '.join(error.messages)}. Upload the file again.")
            return redirect("runcharts:upload", measure.pk)
        nouns = measure.period_nouns
        messages.success(request, f"Upload saved: {changes.added} {nouns} added, {changes.replaced} replaced.")
        return redirect(measure)
    return render(
        request,
        "runcharts/upload_preview.html",
        {
            "measure": measure,
            "parsed": parsed,
            "summary": {action: parsed.count(action) for action in ("add", "replace", "unchanged")},
            "crumbs": crumbs(measure.initiative, measure),
        },
    )


@require_GET
def upload_template(request, pk: int, fmt: str):
    measure = measure_for(request, pk, edit=True)
    periods = uploads.template_periods(measure, timezone.localdate(), TEMPLATE_PERIODS)
    rows = uploads.template_rows(measure, periods)
    filename = f"measure-{measure.pk}-{measure.frequency}-data.{fmt}"
    if fmt == "csv":
        return exports.csv_response(filename, uploads.columns(measure), rows)
    if fmt != "xlsx":
        raise Http404("Unknown format")
    response = HttpResponse(
        uploads.template_xlsx(measure, rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
