"""The initiative log: charters, their lifecycle decisions, change ideas, PDSA cycles and progress scores.

Seed 001 (Implications) asks that every QI initiative be logged and continually reviewed by a senior
manager empowered to halt the burdensome or fruitless. Each status change is a Decision row: who, when,
why. Charter edits are kept by django-simple-history.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from projects import lifecycle
from qiportal import permissions
from qiportal.fields import LONG, MEDIUM, SHORT, free_line, free_text
from qiportal.models import Directorate, StrategicPriority, User, Ward
from qiportal.paths import path_for


def format_load(value: Decimal) -> str:
    """3.50 -> "3.5", 3.00 -> "3", 2.25 -> "2.25"."""
    text = f"{Decimal(value).quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class Status(models.TextChoices):
    DRAFT = lifecycle.DRAFT, "Draft"
    SUBMITTED = lifecycle.SUBMITTED, "Submitted for review"
    CHANGES_REQUESTED = lifecycle.CHANGES_REQUESTED, "Changes requested"
    LIVE = lifecycle.LIVE, "Live"
    PAUSED = lifecycle.PAUSED, "Paused"
    COMPLETED = lifecycle.COMPLETED, "Completed"
    HALTED = lifecycle.HALTED, "Halted"
    NOT_APPROVED = lifecycle.NOT_APPROVED, "Not approved"


class Scope(models.TextChoices):
    WARDS = "wards", "One or more wards"
    DIRECTORATE = "directorate", "A whole directorate"
    TRUST = "trust", "Trust-wide"


# Live and marked stalled by the nightly check: the dashboard's count, the log's filter, the sponsor's home and the
# review queue's "flagged" rule all mean this.
STALLED = Q(status=Status.LIVE, is_stalled=True)


class InitiativeQuerySet(models.QuerySet):
    def live(self):
        return self.filter(status=Status.LIVE)

    def stalled(self):
        return self.filter(STALLED)

    def touching_ward(self, ward: Ward):
        return self.touching_wards([ward.pk], [ward.directorate_id])

    # Both below ask for the wards through a subquery rather than a join: joined, each initiative came back once
    # per ward and needed DISTINCT, and PostgreSQL joined every live initiative to every ward link of the trust to
    # apply the OR (a ward page's live initiatives: 2.1 ms of 3.6 ms planning and running; issue 15).

    def touching_wards(self, ward_ids, directorate_ids):
        """Initiatives on any of these wards, covering any of these directorates, or trust-wide."""
        on_wards = self.model.wards.through.objects.filter(ward_id__in=ward_ids).values("initiative_id")
        return self.filter(
            Q(scope=Scope.WARDS, pk__in=on_wards)
            | Q(scope=Scope.DIRECTORATE, directorate_id__in=directorate_ids)
            | Q(scope=Scope.TRUST)
        )

    def for_directorates(self, directorate_ids):
        """Initiatives owned by, or touching a ward in, any of these directorates."""
        on_their_wards = self.model.wards.through.objects.filter(ward__directorate_id__in=directorate_ids)
        return self.filter(Q(directorate_id__in=directorate_ids) | Q(pk__in=on_their_wards.values("initiative_id")))

    def visible_to(self, user: User):
        """Everything in the log is open to staff, except other people's drafts (qiportal.permissions)."""
        return permissions.visible_initiatives(user, self)


# The NHS.UK tag colour of each status ({% status_tag %} in projects/templatetags); any other status is red.
STATUS_TAG_CLASS = {
    Status.DRAFT: "nhsuk-tag--grey",
    Status.SUBMITTED: "nhsuk-tag--blue",
    Status.CHANGES_REQUESTED: "nhsuk-tag--yellow",
    Status.LIVE: "nhsuk-tag--green",
    Status.PAUSED: "nhsuk-tag--orange",
    Status.COMPLETED: "nhsuk-tag--purple",
}


class Initiative(models.Model):
    # Transitions the lifecycle allows, keyed by the decision that makes them.
    # Status sets from the lifecycle's transition table, on the class so that qiportal.permissions can ask an
    # initiative about itself without importing this app.
    DRAFT = lifecycle.DRAFT
    LIVE = lifecycle.LIVE
    ENDED = lifecycle.ENDED
    RUNNING = lifecycle.RUNNING
    SUBMITTABLE = lifecycle.SUBMITTABLE
    IN_REVIEW = lifecycle.IN_REVIEW
    OPEN = lifecycle.OPEN
    HALTABLE = lifecycle.TRANSITIONS[lifecycle.HALT].sources

    title = free_line()
    problem = free_text("the problem and why it matters", max_length=LONG)
    aim = free_text("aim statement", max_length=SHORT, help_text="What will improve, by how much, by when.")
    scope = models.CharField(max_length=20, choices=Scope.choices, default=Scope.WARDS)
    wards = models.ManyToManyField(Ward, blank=True, related_name="initiatives")
    directorate = models.ForeignKey(
        Directorate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="initiatives",
        help_text="The directorate the initiative belongs to; empty when trust-wide.",
    )
    priority = models.ForeignKey(
        StrategicPriority, on_delete=models.PROTECT, related_name="initiatives", verbose_name="strategic priority"
    )
    lead = models.ForeignKey(User, on_delete=models.PROTECT, related_name="led_initiatives")
    team = models.ManyToManyField(User, blank=True, related_name="team_initiatives", verbose_name="team members")
    sponsor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="sponsored_initiatives")
    coach = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="coached_initiatives"
    )
    planned_start_on = models.DateField("planned start")
    planned_end_on = models.DateField("planned end")
    review_interval_weeks = models.PositiveSmallIntegerField(default=8)
    next_review_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    progress_score = models.DecimalField(max_digits=2, decimal_places=1, null=True, blank=True)
    flagged_for_attention = models.BooleanField(default=False)
    flag_reason = models.CharField(max_length=300, blank=True)
    is_stalled = models.BooleanField(default=False)
    stalled_since = models.DateField(null=True, blank=True)
    # Live and adding to the load of a ward with an open overload flag (on the ward, across its directorate or
    # trust-wide): what the review queue and the header's count ask of every initiative a sponsor reviews. Kept in
    # the same transaction by the scan when a flag opens or closes and by the services when an initiative enters or
    # leaves live or changes its reach (projects.overload.refresh_overload_marks); the scan repairs any drift.
    on_overloaded_ward = models.BooleanField(default=False, editable=False)
    # The last sign of work: created, approved or resumed, a PDSA cycle saved, measure data entered. Kept by the
    # services that record those (projects.services.record_activity); the scan marks live ones quiet too long
    # as stalled by reading this alone.
    last_activity_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords(
        m2m_fields=[wards, team],
        excluded_fields=[
            "updated_at",
            "is_stalled",
            "stalled_since",
            "next_review_on",
            "progress_score",
            "last_activity_at",
            "on_overloaded_ward",
        ],
    )
    objects = InitiativeQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            # The review queue's columns, and its flags carried in the index (PostgreSQL), so the header's count
            # of reviews on every reviewer's page reads the index alone, never the initiatives' rows.
            models.Index(
                fields=["status", "next_review_on"],
                include=["flagged_for_attention", "is_stalled", "on_overloaded_ward"],
                name="initiative_review",
            ),
            models.Index(fields=["sponsor", "status"], name="initiative_sponsor"),
            models.Index(fields=["lead", "status"], name="initiative_lead"),
            models.Index(fields=["directorate", "status"], name="initiative_directorate"),
            models.Index(fields=["scope", "status"], name="initiative_scope"),
            # The log's default order (most recently changed first): its first page reads 25 rows from here
            # instead of joining and sorting every initiative the person may see.
            models.Index(fields=["-updated_at", "-id"], name="initiative_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end_on__gte=models.F("planned_start_on")),
                name="initiative_end_after_start",
                violation_error_message="The planned end must be the same as or after the planned start.",
            ),
            models.CheckConstraint(
                condition=Q(progress_score__isnull=True) | Q(progress_score__gte=Decimal("0.5"), progress_score__lte=5),
                name="initiative_progress_score_range",
            ),
            models.CheckConstraint(
                condition=Q(review_interval_weeks__gte=1, review_interval_weeks__lte=52),
                name="initiative_review_interval_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return path_for("initiative_detail", self.pk)

    @property
    def is_open(self) -> bool:
        return self.status in (Status.LIVE, Status.PAUSED)

    @property
    def is_ended(self) -> bool:
        return self.status in (Status.COMPLETED, Status.HALTED, Status.NOT_APPROVED)

    @property
    def takes_progress_score(self) -> bool:
        return lifecycle.takes_progress_score(self.status)

    @property
    def review_due_on(self):
        """The next sponsor review as pages show it: none once the initiative has ended (or before approval)."""
        return self.next_review_on if lifecycle.reviews_fall_due(self.status) else None

    @property
    def is_review_overdue(self) -> bool:
        return (
            self.status == Status.LIVE
            and self.next_review_on is not None
            and self.next_review_on < timezone.localdate()
        )

    @property
    def is_review_due(self) -> bool:
        return (
            self.status == Status.LIVE
            and self.next_review_on is not None
            and (self.next_review_on <= timezone.localdate() + timedelta(days=7))
        )

    def scope_label(self) -> str:
        if self.scope == Scope.TRUST:
            return "Trust-wide"
        if self.scope == Scope.DIRECTORATE:
            return f"Whole directorate: {self.directorate}"
        return ", ".join(ward.name for ward in self.wards.all())


class ChangeIdea(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="change_ideas")
    title = free_line()
    description = free_text(max_length=MEDIUM, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title


class Decision(models.Model):
    """A lifecycle transition or review outcome: the audit trail of who decided what, when and why."""

    class Kind(models.TextChoices):
        SUBMIT = lifecycle.SUBMIT, "Submitted for review"
        APPROVE = lifecycle.APPROVE, "Approved"
        REQUEST_CHANGES = lifecycle.REQUEST_CHANGES, "Changes requested"
        NOT_APPROVE = lifecycle.NOT_APPROVE, "Not approved"
        PAUSE = lifecycle.PAUSE, "Paused"
        RESUME = lifecycle.RESUME, "Resumed"
        HALT = lifecycle.HALT, "Halted"
        COMPLETE = lifecycle.COMPLETE, "Completed"
        REVIEW_DONE = lifecycle.REVIEW_DONE, "Review done"

    REASON_REQUIRED = (Kind.PAUSE, Kind.HALT, Kind.NOT_APPROVE, Kind.REQUEST_CHANGES, Kind.COMPLETE)

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    made_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="decisions_made")
    made_at = models.DateTimeField(default=timezone.now)
    reason = free_text(max_length=MEDIUM, blank=True)
    next_review_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-made_at", "-pk"]
        indexes = [models.Index(fields=["kind", "made_at"], name="decision_kind_time")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=["pause", "halt", "not_approve", "request_changes", "complete"]) | ~Q(reason=""),
                name="decision_reason_required",
                violation_error_message="Give a reason for this decision.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.initiative}"


class PdsaCycle(models.Model):
    """One Plan-Do-Study-Act test of change. Saved at each stage; its start is drawn on run charts."""

    class Stage(models.TextChoices):
        PLAN = "plan", "Plan"
        DO = "do", "Do"
        STUDY = "study", "Study"
        ACT = "act", "Act"
        DONE = "done", "Complete"

    class ActDecision(models.TextChoices):
        ADOPT = "adopt", "Adopt"
        ADAPT = "adapt", "Adapt"
        ABANDON = "abandon", "Abandon"

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="pdsa_cycles")
    change_idea = models.ForeignKey(
        ChangeIdea, on_delete=models.SET_NULL, null=True, blank=True, related_name="pdsa_cycles"
    )
    measure = models.ForeignKey(
        "runcharts.Measure", on_delete=models.SET_NULL, null=True, blank=True, related_name="pdsa_cycles"
    )
    number = models.PositiveSmallIntegerField()
    title = free_line()
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.PLAN)
    # Plan
    objective = free_text(max_length=MEDIUM)
    questions = free_text(max_length=MEDIUM, blank=True)
    predictions = free_text(max_length=MEDIUM, blank=True)
    who_what_where_when = free_text("who, what, where and when", max_length=MEDIUM, blank=True)
    data_to_collect = free_text(max_length=MEDIUM, blank=True)
    starts_on = models.DateField("start date")
    planned_end_on = models.DateField("planned end")
    # Do
    what_happened = free_text(max_length=LONG, blank=True)
    observations = free_text(max_length=LONG, blank=True)
    problems = free_text(max_length=LONG, blank=True)
    # Study
    results = free_text("results against predictions", max_length=LONG, blank=True)
    learning = free_text("what was learnt", max_length=LONG, blank=True)
    # Act
    act_decision = models.CharField(max_length=10, choices=ActDecision.choices, blank=True)
    next_steps = free_text(max_length=LONG, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    studied_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["initiative", "number"]
        indexes = [models.Index(fields=["stage", "planned_end_on"], name="pdsa_overdue")]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "number"], name="pdsa_number_unique"),
            models.CheckConstraint(
                condition=Q(planned_end_on__gte=models.F("starts_on")),
                name="pdsa_end_after_start",
                violation_error_message="The planned end must be the same as or after the start date.",
            ),
        ]

    def __str__(self) -> str:
        return f"PDSA {self.number}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("projects:pdsa_detail", args=[self.initiative_id, self.number])

    @property
    def is_studied(self) -> bool:
        return self.stage in (self.Stage.ACT, self.Stage.DONE)

    @property
    def is_overdue(self) -> bool:
        return not self.is_studied and self.planned_end_on < timezone.localdate()

    @classmethod
    def overdue(cls, today, prefix: str = "") -> Q:
        """The query form of is_overdue: past its planned end and not yet studied. `prefix` reaches it
        through a relation, for example "pdsa_cycles__" from an initiative."""
        return Q(
            **{
                f"{prefix}planned_end_on__lt": today,
                f"{prefix}stage__in": (cls.Stage.PLAN, cls.Stage.DO, cls.Stage.STUDY),
            }
        )


class ProgressScore(models.Model):
    """The IHI 0.5–5 progress score as the lead set it, with the app's suggestion at that moment."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="progress_scores")
    score = models.DecimalField(max_digits=2, decimal_places=1)
    suggested_score = models.DecimalField(max_digits=2, decimal_places=1, null=True, blank=True)
    note = free_text(max_length=MEDIUM)
    why_different = free_text(max_length=MEDIUM, blank=True)
    set_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-set_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=Decimal("0.5"), score__lte=5), name="progress_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.score} for {self.initiative}"


def default_review_date(start=None, weeks: int | None = None):
    weeks = weeks or settings.QI["REVIEW_INTERVAL_WEEKS"]
    return (start or timezone.localdate()) + timedelta(weeks=weeks)


# --- Initiativitis: ward load settings and overload flags (issue 8) ---------------------------------


class LoadWeights(models.Model):
    """How much each live initiative adds to a ward's load. One row, edited by admins."""

    ward_weight = models.DecimalField(
        max_digits=4, decimal_places=2, default=Decimal("1"), help_text="For each initiative on the ward itself."
    )
    directorate_weight = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.5"),
        help_text="For each initiative covering the ward's whole directorate.",
    )
    trust_weight = models.DecimalField(
        max_digits=4, decimal_places=2, default=Decimal("0.25"), help_text="For each trust-wide initiative."
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "ward load weights"
        verbose_name_plural = "ward load weights"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="single_load_weights"),
            models.CheckConstraint(
                condition=Q(ward_weight__gte=0, directorate_weight__gte=0, trust_weight__gte=0),
                name="load_weights_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Ward {self.ward_weight}, directorate-wide {self.directorate_weight}, trust-wide {self.trust_weight}"

    def save(self, *args, **kwargs):
        """Saved with every ward's stored load reweighed from its stored counts, in one transaction."""
        self.pk = 1
        with transaction.atomic():
            super().save(*args, **kwargs)
            Ward.objects.update(
                live_load=F("live_on_ward") * self.ward_weight
                + F("live_on_directorate") * self.directorate_weight
                + F("live_trust_wide") * self.trust_weight
            )

    @classmethod
    def current(cls) -> "LoadWeights":
        """The saved weights, or the defaults when no admin has changed them (nothing is written)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class OverloadFlagQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)


class OverloadFlag(models.Model):
    """A ward's load of live initiatives went above its threshold. Closed rows are the flag history."""

    class Outcome(models.TextChoices):
        NONE = "", "No decision yet"
        ACCEPTED = "accepted", "Accepted for now"
        ACTED = "acted", "Initiatives paused or halted"

    ward = models.ForeignKey(Ward, on_delete=models.CASCADE, related_name="overload_flags")
    opened_at = models.DateTimeField(default=timezone.now)
    load_at_open = models.DecimalField(max_digits=7, decimal_places=2)
    threshold_at_open = models.DecimalField(max_digits=5, decimal_places=2)
    closed_at = models.DateTimeField(null=True, blank=True)
    load_at_close = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    close_cause = models.TextField(blank=True)
    decision = models.CharField(max_length=10, choices=Outcome.choices, blank=True, default="")
    decision_reason = free_text(max_length=MEDIUM, blank=True)
    review_on = models.DateField("review the decision on", null=True, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    objects = OverloadFlagQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ward"],
                condition=Q(closed_at__isnull=True),
                name="one_open_overload_flag_per_ward",
                violation_error_message="This ward already has an open overload flag.",
            ),
        ]

    def __str__(self) -> str:
        state = "open" if self.is_open else "closed"
        return f"{self.ward}: load {self.load_at_open} of {self.threshold_at_open} ({state})"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def opened_summary(self) -> str:
        return f"Load {format_load(self.load_at_open)} of {format_load(self.threshold_at_open)}"
