"""Measures and their values per period. Analysis lives in spc.py (pure), drawing in charts.py.

A measure belongs to an initiative, or it is a *standing* measure owned by a ward, a directorate or the whole trust
(falls per 1,000 bed days, staff sickness) that outlives any initiative; an initiative may link to a standing measure
as an outcome measure instead of copying it (``Measure.outcome_for``).

What a measure records (its data type), how often (its frequency) and which charts suit it are in kinds.py, which
the choices below are built from.
"""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from projects.models import Initiative
from qiportal.fields import MEDIUM, SHORT, free_line, free_text
from qiportal.models import Directorate, User, Ward
from qiportal.paths import path_for
from runcharts import kinds
from runcharts.latest import ASSURANCES, VARIATIONS

VARIATION_CHOICES = [(key, label) for key, (label, _words) in VARIATIONS.items() if key]
ASSURANCE_CHOICES = [(key, label) for key, (label, _words) in ASSURANCES.items() if key]
LATEST_FIELDS = (
    "latest_chart",
    "latest_variation",
    "latest_assurance",
    "latest_rule",
    "latest_period",
    "latest_value",
    "latest_values",
    "sparkline",
)


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

    class DataType(models.TextChoices):
        SINGLE = kinds.SINGLE, kinds.DATA_TYPES[kinds.SINGLE]
        PROPORTION = kinds.PROPORTION, kinds.DATA_TYPES[kinds.PROPORTION]
        RATE = kinds.RATE, kinds.DATA_TYPES[kinds.RATE]
        COUNT = kinds.COUNT, kinds.DATA_TYPES[kinds.COUNT]
        OPPORTUNITIES_BETWEEN = kinds.OPPORTUNITIES_BETWEEN, kinds.DATA_TYPES[kinds.OPPORTUNITIES_BETWEEN]
        TIME_BETWEEN = kinds.TIME_BETWEEN, kinds.DATA_TYPES[kinds.TIME_BETWEEN]

    class Frequency(models.TextChoices):
        WEEKLY = kinds.WEEKLY, kinds.FREQUENCIES[kinds.WEEKLY]
        MONTHLY = kinds.MONTHLY, kinds.FREQUENCIES[kinds.MONTHLY]
        EVENT = kinds.EVENT, kinds.FREQUENCIES[kinds.EVENT]

    class Chart(models.TextChoices):
        AUTO = "auto", kinds.CHARTS["auto"]
        ANHOEJ = "anhoej", kinds.CHARTS["anhoej"]
        IHI = "ihi", kinds.CHARTS["ihi"]
        XMR = "xmr", kinds.CHARTS["xmr"]
        I = "i", kinds.CHARTS["i"]  # noqa: E741 (qicharts2's name for the chart)
        P = "p", kinds.CHARTS["p"]
        PP = "pp", kinds.CHARTS["pp"]
        U = "u", kinds.CHARTS["u"]
        UP = "up", kinds.CHARTS["up"]
        C = "c", kinds.CHARTS["c"]
        G = "g", kinds.CHARTS["g"]
        T = "t", kinds.CHARTS["t"]

    class Scope(models.TextChoices):
        """Who owns the measure: exactly one of an initiative, a ward, a directorate or the trust."""

        INITIATIVE = "initiative", "Initiative"
        WARD = "ward", "Ward"
        DIRECTORATE = "directorate", "Directorate"
        TRUST = "trust", "Trust"

    scope = models.CharField(max_length=12, choices=Scope.choices, default=Scope.INITIATIVE)
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, null=True, blank=True, related_name="measures")
    # The ward the data is about; for a ward's standing measure, the ward that owns it.
    ward = models.ForeignKey(Ward, on_delete=models.SET_NULL, null=True, blank=True, related_name="measures")
    directorate = models.ForeignKey(
        Directorate, on_delete=models.PROTECT, null=True, blank=True, related_name="standing_measures"
    )
    # Initiatives that use this standing measure as an outcome measure (linked, not copied).
    outcome_for = models.ManyToManyField(Initiative, blank=True, related_name="linked_measures")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OUTCOME)
    name = free_line()
    definition = free_text("operational definition", max_length=MEDIUM)
    data_type = models.CharField(max_length=24, choices=DataType.choices, default=DataType.SINGLE)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    # Proportions are shown ×100 (percent); rates per 1, 100, 1,000 ... of their denominator ("per 1,000 bed days").
    multiplier = models.PositiveIntegerField(default=1)
    numerator = free_line(max_length=300, blank=True)
    denominator = free_line(max_length=300, blank=True)
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.COUNT)
    improvement = models.CharField(max_length=10, choices=Improvement.choices, default=Improvement.INCREASE)
    target = models.FloatField(null=True, blank=True)
    # "auto" follows kinds.suggest_chart as the data grows; any other choice was made by a person, for chart_reason.
    chart = models.CharField(max_length=10, choices=Chart.choices, default=Chart.AUTO)
    chart_reason = free_text("why this chart", max_length=MEDIUM, blank=True)
    baseline_points = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Fix the centre line on the first N points. Leave empty to use all."
    )
    owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_measures")
    # Bumped on every change that alters the chart, so cached drawings are keyed by it and never stale.
    data_version = models.PositiveIntegerField(default=1)
    latest_signal = models.CharField(max_length=20, blank=True)
    # The latest analysis, stored by services.data_changed in the same transaction as the data (runcharts/latest.py):
    # what the board of a ward, a directorate or the trust shows per measure without analysing anything.
    latest_chart = models.CharField(
        max_length=10, blank=True, choices=Chart.choices
    )  # the chart drawn ("auto" resolved)
    latest_variation = models.CharField(max_length=20, blank=True, choices=VARIATION_CHOICES)
    latest_assurance = models.CharField(max_length=12, blank=True, choices=ASSURANCE_CHOICES)
    latest_rule = models.CharField(max_length=400, blank=True)
    latest_period = models.DateField(null=True, blank=True)
    latest_value = models.FloatField(null=True, blank=True)
    latest_values = models.JSONField(default=list, blank=True)  # the last three: [[ISO date, value], ...]
    sparkline = models.JSONField(default=list, blank=True)  # up to 26 values, oldest first, None for a gap
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "data_version", "latest_signal", *LATEST_FIELDS])

    class Meta:
        ordering = ["initiative", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(baseline_points__isnull=True) | Q(baseline_points__gte=2), name="measure_baseline_min"
            ),
            models.CheckConstraint(condition=Q(multiplier__gte=1), name="measure_multiplier_min"),
            # Exactly one owner kind: an initiative's measure names its initiative (and perhaps a ward); a standing
            # measure names its ward, its directorate, or nothing (the trust), and no initiative.
            models.CheckConstraint(
                condition=(
                    Q(scope="initiative", initiative__isnull=False, directorate__isnull=True)
                    | Q(scope="ward", initiative__isnull=True, ward__isnull=False, directorate__isnull=True)
                    | Q(scope="directorate", initiative__isnull=True, ward__isnull=True, directorate__isnull=False)
                    | Q(scope="trust", initiative__isnull=True, ward__isnull=True, directorate__isnull=True)
                ),
                name="measure_one_owner",
            ),
            # Rare events are recorded per event; everything else weekly or monthly.
            models.CheckConstraint(
                condition=(
                    Q(data_type__in=sorted(kinds.RARE_EVENT_TYPES), frequency=kinds.EVENT)
                    | (
                        ~Q(data_type__in=sorted(kinds.RARE_EVENT_TYPES))
                        & Q(frequency__in=[kinds.WEEKLY, kinds.MONTHLY])
                    )
                ),
                name="measure_frequency_fits_data_type",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return path_for("runcharts:measure_detail", self.pk)

    @property
    def chart_kind_words(self) -> str:
        """What its image is, for alt text: "Run chart", "XmR chart", "P′ chart"... Before any analysis, the chart
        chosen for it, or a run chart, which "auto" draws until there are points enough for limits."""
        chart = self.latest_chart or (self.chart if self.chart != self.Chart.AUTO else "anhoej")
        return kinds.SHORT_NAMES.get(chart, "Chart").split(" (")[0]

    @property
    def is_standing(self) -> bool:
        return self.scope != self.Scope.INITIATIVE

    @property
    def owner_label(self) -> str:
        """Who owns the measure, in words: the initiative's title, the ward's or directorate's name, or the trust."""
        if self.scope == self.Scope.INITIATIVE:
            return self.initiative.title
        if self.scope == self.Scope.WARD:
            return self.ward.name
        if self.scope == self.Scope.DIRECTORATE:
            return self.directorate.name
        return "Whole trust"

    @property
    def has_ratio(self) -> bool:
        """Each period records a numerator and a denominator (a proportion or a rate)."""
        return self.data_type in kinds.RATIO_TYPES

    @property
    def is_rare_event(self) -> bool:
        return self.data_type in kinds.RARE_EVENT_TYPES

    @property
    def period_noun(self) -> str:
        """'week', 'month' or 'event': what one row of data is."""
        return kinds.NOUNS[self.frequency][0]

    @property
    def period_nouns(self) -> str:
        return kinds.NOUNS[self.frequency][1]

    @property
    def values_label(self) -> str:
        """What its data table holds, in words for alt text and links: 'weekly values', 'monthly values' or 'events'."""
        return {kinds.WEEKLY: "weekly values", kinds.MONTHLY: "monthly values"}.get(self.frequency, "events")

    @property
    def axis_label(self) -> str:
        """What the chart's y axis shows, with the multiplier applied."""
        if self.data_type == self.DataType.PROPORTION:
            return "Percent"
        if self.data_type == self.DataType.RATE:
            per = f"Rate per {self.multiplier:,}"
            return f"{per} {self.denominator}" if self.denominator and len(self.denominator) <= 30 else per
        return self.get_unit_display()


class DataPoint(models.Model):
    """One period's data: a value, or a numerator and a denominator for proportions and rates.

    ``week_start`` is the first day of the period: a Monday for weekly measures (weeks start on Monday, seed 000,
    step 6), the 1st for monthly ones, the day of the event for rare events. The name predates monthly measures
    and is kept so every app's fixtures and the trust-scale generator keep working.
    A numerator and a denominator of 0 mean nothing happened to count: the chart shows a gap.
    """

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="points")
    week_start = models.DateField()
    value = models.FloatField(null=True, blank=True)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    entered_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    entered_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["entered_at"])

    class Meta:
        ordering = ["measure", "week_start"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "week_start"], name="one_value_per_week"),
            models.CheckConstraint(
                condition=Q(value__isnull=False, numerator__isnull=True, denominator__isnull=True)
                | Q(value__isnull=True, numerator__isnull=False, denominator__isnull=False),
                name="point_value_or_ratio",
            ),
        ]

    def __str__(self) -> str:
        shown = f"{self.numerator:g}/{self.denominator:g}" if self.value is None else f"{self.value:g}"
        return f"{self.measure}: {self.week_start} = {shown}"


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
