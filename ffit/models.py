"""FFIT readiness audits: one audit of a ward, and one response per invited person.

Answers are stored by item key (``ffit.questionnaire``), never by position or wording, so a response can
always be shown against the text it was given for. The Response row is also the invitation record: it is
created when someone is invited, and says who invited them and when.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ffit.questionnaire import SECTIONS
from qiportal import permissions
from qiportal.models import User, Ward


class AuditQuerySet(models.QuerySet):
    def visible_to(self, user: User):
        """Audits this person may see at all (qiportal.permissions): others are a 404, like missing ones."""
        return permissions.visible_audits(user, self)


class Audit(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="ffit_audits")
    initiative = models.ForeignKey(
        "projects.Initiative",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ffit_audits",
        help_text="The proposed initiative this audit is for, if any.",
    )
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="owned_ffit_audits")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Kept by ffit.services whenever a response is submitted and when the audit closes: the submitted answers'
    # combined section scores (scoring.SectionScore fields, in tool order) and how many people submitted. Pages read
    # these instead of scoring every answer (ffit.selectors.latest_readiness, ward_history).
    section_scores = models.JSONField(default=list, blank=True, editable=False)
    respondent_count = models.PositiveIntegerField(default=0, editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["ward", "status", "closed_at"], name="ffit_audit_ward_latest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True) | Q(status="closed", closed_at__isnull=False),
                name="ffit_audit_closed_has_date",
                violation_error_message="A closed audit has a closing date and an open one does not.",
            ),
        ]

    def __str__(self) -> str:
        return f"FFIT audit of {self.ward} opened {timezone.localdate(self.opened_at):%-d %B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("ffit:audit_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Response(models.Model):
    """One person's answers to one audit; created when they are invited."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="responses")
    respondent = models.ForeignKey(User, on_delete=models.CASCADE, related_name="ffit_responses")
    answers = models.JSONField(default=dict, blank=True, help_text="Item key to score 0 to 5.")
    current_section = models.PositiveSmallIntegerField(default=1, help_text="The section to carry on from.")
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["invited_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "respondent"], name="ffit_one_response_per_person"),
            models.CheckConstraint(
                condition=Q(current_section__gte=1, current_section__lte=len(SECTIONS)),
                name="ffit_response_section_range",
            ),
        ]
        indexes = [models.Index(fields=["respondent", "submitted_at"], name="ffit_response_to_do")]

    def __str__(self) -> str:
        return f"{self.respondent} – {self.audit}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def is_started(self) -> bool:
        return bool(self.answers)

    @property
    def status_label(self) -> str:
        if self.is_submitted:
            return "Submitted"
        return f"In progress (section {self.current_section} of {len(SECTIONS)})" if self.answers else "Not started"
