"""Measures of an initiative and their weekly values. Analysis lives in spc.py (pure), drawing in charts.py."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from projects.models import Initiative
from qiportal.fields import MEDIUM, SHORT, free_line, free_text
from qiportal.models import User, Ward


class Measure(models.Model):
    class Kind(models.TextChoices):
        OUTCOME = "outcome", "Outcome"
        PROCESS = "process", "Process"
        BALANCING = "balancing", "Balancing"

    class Unit(models.TextChoices):
        COUNT = "count", "Count"
        PERCENT = "percent", "Percent"
        RATE = "rate", "Rate"
        MINUTES = "minutes", "Minutes"
        HOURS = "hours", "Hours"
        DAYS = "days", "Days"
        SCORE = "score", "Score"

    class Improvement(models.TextChoices):
        INCREASE = "increase", "An increase is an improvement"
        DECREASE = "decrease", "A decrease is an improvement"
        NEUTRAL = "neutral", "Neither (neutral)"

    class Chart(models.TextChoices):
        ANHOEJ = "anhoej", "Run chart with Anhøj rules"
        IHI = "ihi", "Run chart with IHI rules"
        XMR = "xmr", "XmR chart (Making Data Count)"

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="measures")
    ward = models.ForeignKey(Ward, on_delete=models.SET_NULL, null=True, blank=True, related_name="measures")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OUTCOME)
    name = free_line()
    definition = free_text("operational definition", max_length=MEDIUM)
    numerator = free_line(max_length=300, blank=True)
    denominator = free_line(max_length=300, blank=True)
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.COUNT)
    improvement = models.CharField(max_length=10, choices=Improvement.choices, default=Improvement.INCREASE)
    target = models.FloatField(null=True, blank=True)
    chart = models.CharField(max_length=10, choices=Chart.choices, default=Chart.ANHOEJ)
    baseline_points = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Fix the centre line on the first N points. Leave empty to use all."
    )
    owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_measures")
    # Bumped on every change that alters the chart, so cached drawings are keyed by it and never stale.
    data_version = models.PositiveIntegerField(default=1)
    latest_signal = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "data_version", "latest_signal"])

    class Meta:
        ordering = ["initiative", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(baseline_points__isnull=True) | Q(baseline_points__gte=2), name="measure_baseline_min"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("runcharts:measure_detail", args=[self.pk])


class DataPoint(models.Model):
    """One week's value. Weeks start on Monday (seed 000, step 6: measure weekly)."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="points")
    week_start = models.DateField()
    value = models.FloatField()
    entered_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    entered_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["entered_at"])

    class Meta:
        ordering = ["measure", "week_start"]
        constraints = [models.UniqueConstraint(fields=["measure", "week_start"], name="one_value_per_week")]

    def __str__(self) -> str:
        return f"{self.measure}: {self.week_start} = {self.value}"


class Rephase(models.Model):
    """A new period of the chart (new centre line and limits) from this week, with the reason."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="rephases")
    week_start = models.DateField()
    reason = free_text(max_length=SHORT)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "week_start"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "week_start"], name="one_rephase_per_week"),
            models.CheckConstraint(condition=~Q(reason=""), name="rephase_reason_required"),
        ]

    def __str__(self) -> str:
        return f"New period from {self.week_start}"


class Annotation(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="annotations")
    on = models.DateField("date")
    text = free_line()
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "on"]

    def __str__(self) -> str:
        return f"{self.on}: {self.text}"
