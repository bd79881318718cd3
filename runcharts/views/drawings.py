"""A measure's chart as SVG or PNG (cached per data version), and its data and analysis as CSV."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from qiportal import exports
from runcharts import charts, kinds, selectors, uploads
from runcharts.models import Measure
from runcharts.views._common import measure_for


def _chart_input(measure: Measure, pdsa) -> charts.ChartInput:
    return charts.ChartInput(
        measure_id=measure.pk,
        data_version=measure.data_version,
        title=measure.name,
        unit=measure.axis_label,
        target=measure.target,
        analysis=selectors.measure_analysis(measure),
        annotations=list(measure.annotations.values_list("on", "text")),
        pdsa=pdsa,
    )


@require_GET
def chart(request, pk: int, fmt: str):
    measure = measure_for(request, pk)
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


def _number(value: float | None):
    """A number to 6 significant figures, as a number (so a negative limit is not quoted as if a formula)."""
    return "" if value is None else float(f"{value:.6g}")


@require_GET
def data_csv(request, pk: int):
    measure = measure_for(request, pk)
    analysis = selectors.measure_analysis(measure)
    notes: dict = {}
    for on, text in measure.annotations.values_list("on", "text"):
        notes.setdefault(kinds.period_start(measure.frequency, on), []).append(text)
    period_column = uploads.columns(measure)[0]
    header = [
        period_column,
        *(["numerator", "denominator"] if measure.has_ratio else []),
        "value",
        analysis.centre_name.lower(),
        "lower_limit",
        "upper_limit",
        "period",
        "special_cause",
        "point_type",
        "finding",
        "note",
    ]
    rows = []
    for row in analysis.rows:
        ratio = [_number(row.reading.numerator), _number(row.reading.denominator)] if measure.has_ratio else []
        rows.append(
            [
                row.period_start.isoformat(),
                *ratio,
                "" if row.value is None else float(f"{row.value:.10g}"),
                _number(row.centre),
                _number(row.lower_limit),
                _number(row.upper_limit),
                row.period + 1,
                row.special_cause or "",
                row.point_type,
                row.finding,
                "; ".join(notes.get(row.period_start, [])),
            ]
        )
    return exports.csv_response(f"measure-{measure.pk}-data.csv", header, rows)
