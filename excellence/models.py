"""Learning from Excellence (seed 000): reports that reach the people praised, and the learning from them.

Step 5 of the card: seek excellence, generate reports "and ensure that they reach intended recipients",
then hold mini appreciative-inquiry (AI) conversations with recipients, recorded here against the SOAR
prompts (strengths, opportunities, aspirations, results). Step 6: monitor run charts weekly and take care
to anonymise data. Deliveries are qiportal.Notification rows, not a model of ours.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from qiportal import permissions
from qiportal.fields import LONG, SHORT, free_text
from qiportal.models import User, Ward
from qiportal.paths import path_for


class Theme(models.Model):
    """A trust value or a theme that reports are tagged with; the admins keep the list."""

    class Kind(models.TextChoices):
        VALUE = "value", "Trust value"
        THEME = "theme", "Theme"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.THEME)
    is_active = models.BooleanField("active", default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = "value or theme"
        verbose_name_plural = "values and themes"

    def __str__(self) -> str:
        return self.name


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user: User):
        """Reports this person may open: their own, about them or the people and wards they manage.

        QI leads, admins and trust-wide senior managers see every report; a directorate's senior manager
        sees reports from its wards. Other staff meet reports only on the wall (`shared()`).
        """
        return permissions.visible_reports(user, self)

    def shared(self):
        """Reports the reporter and every recipient agreed may appear on the excellence wall."""
        return self.filter(is_shared=True)

    def about_ward(self, ward):
        """Reports made on a ward or about its team. Asked as one subquery each index answers ((ward, created_at)
        and (team_ward, created_at)): written as `ward OR team_ward`, PostgreSQL walked the newest shared reports
        of the whole trust looking for a ward's wall and, for a ward with none, read all 6,700 at the scale trust
        (3.7 ms against 0.5; issue 15)."""
        on_ward = ExcellenceReport.objects.filter(ward=ward).order_by().values("pk")
        about_team = ExcellenceReport.objects.filter(team_ward=ward).order_by().values("pk")
        return self.filter(pk__in=on_ward.union(about_team, all=True))

    def overdue(self):
        cutoff = timezone.now() - timedelta(days=settings.QI["EXCELLENCE_FOLLOW_UP_DAYS"])
        return self.filter(state=ExcellenceReport.State.AWAITING_CONVERSATION, created_at__lt=cutoff)


class ExcellenceReport(models.Model):
    class State(models.TextChoices):
        AWAITING_CONVERSATION = "awaiting_conversation", "Awaiting conversation"
        CONVERSATION_HELD = "conversation_held", "Conversation held"
        LEARNING_SHARED = "learning_shared", "Learning shared"

    reporter = models.ForeignKey(User, on_delete=models.PROTECT, related_name="excellence_reported")
    recipients = models.ManyToManyField(User, blank=True, related_name="excellence_received")
    team_ward = models.ForeignKey(
        Ward,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="excellence_team_reports",
        verbose_name="team or ward praised",
    )
    ward = models.ForeignKey(
        Ward, on_delete=models.PROTECT, related_name="excellence_reports", verbose_name="where it happened"
    )
    happened_on = models.DateField("when it happened")
    what_happened = free_text(max_length=LONG)
    why_excellent = free_text("why it was excellent", max_length=LONG)
    difference_made = free_text("the difference it made", max_length=LONG)
    organisation_learning = free_text("what the organisation could learn", max_length=LONG, blank=True)
    tags = models.ManyToManyField(Theme, blank=True, related_name="reports", verbose_name="values and themes")
    reporter_agrees_to_share = models.BooleanField(default=False)
    # Kept in step by the services: true when the reporter and every recipient response agreed.
    is_shared = models.BooleanField(default=False, editable=False)
    state = models.CharField(max_length=25, choices=State.choices, default=State.AWAITING_CONVERSATION)
    initiative = models.ForeignKey(
        "projects.Initiative", on_delete=models.SET_NULL, null=True, blank=True, related_name="excellence_reports"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    state_changed_at = models.DateTimeField(null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "created_at"], name="excellence_follow_up"),
            models.Index(fields=["is_shared", "created_at"], name="excellence_wall"),
            models.Index(fields=["-created_at", "-id"], name="excellence_newest"),  # the list's order
            # A ward's weekly counts (excellence.selectors.weekly_counts): its reports and its team's, by date.
            models.Index(fields=["ward", "created_at"], name="excellence_ward_week"),
            models.Index(fields=["team_ward", "created_at"], name="excellence_team_week"),
        ]

    def __str__(self) -> str:
        return f"Excellence report {self.pk} ({self.ward})"

    def get_absolute_url(self) -> str:
        return path_for("excellence:report_detail", self.pk)

    @property
    def about(self) -> list[str]:
        """Whom the report praises, as a page names them: each colleague, then "the Oak Ward team"."""
        names = [person.display_name for person in self.recipients.all()]
        return names + ([f"the {self.team_ward.name} team"] if self.team_ward_id else [])

    @property
    def follow_up_due_at(self):
        return self.created_at + timedelta(days=settings.QI["EXCELLENCE_FOLLOW_UP_DAYS"])

    @property
    def is_overdue(self) -> bool:
        return self.state == self.State.AWAITING_CONVERSATION and timezone.now() > self.follow_up_due_at

    @property
    def state_tag_class(self) -> str:
        if self.is_overdue:
            return "nhsuk-tag--red"
        return {
            self.State.AWAITING_CONVERSATION: "nhsuk-tag--yellow",
            self.State.CONVERSATION_HELD: "nhsuk-tag--blue",
            self.State.LEARNING_SHARED: "nhsuk-tag--green",
        }[self.state]


class RecipientResponse(models.Model):
    """One praised person's side of a report: when they opened it, their thanks and their sharing choice.

    For a report about a team, the team's ward manager answers for the team (`for_team`).
    """

    report = models.ForeignKey(ExcellenceReport, on_delete=models.CASCADE, related_name="responses")
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="excellence_responses")
    for_team = models.BooleanField(default=False)
    opened_at = models.DateTimeField(null=True, blank=True)
    thanked_at = models.DateTimeField(null=True, blank=True)
    thank_you_message = free_text(max_length=SHORT, blank=True)
    agrees_to_share = models.BooleanField(null=True)

    class Meta:
        ordering = ["for_team", "recipient__first_name", "pk"]
        constraints = [models.UniqueConstraint(fields=["report", "recipient"], name="one_response_per_recipient")]

    def __str__(self) -> str:
        return f"{self.recipient} on {self.report}"


class Conversation(models.Model):
    """The mini AI conversation with the recipients, against the SOAR prompts."""

    report = models.OneToOneField(ExcellenceReport, on_delete=models.CASCADE, related_name="conversation")
    held_on = models.DateField()
    participants = models.ManyToManyField(User, related_name="excellence_conversations")
    strengths = free_text(max_length=LONG)
    opportunities = free_text(max_length=LONG, blank=True)
    aspirations = free_text(max_length=LONG, blank=True)
    results = free_text(max_length=LONG, blank=True)
    what_to_spread = free_text("what could we spread?", max_length=LONG, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Conversation on {self.report}"


class Tally(models.Model):
    """How many reports there are in each follow-up state, with each theme and from each week: the whole trust's
    counts the excellence list, the dashboard and the homes show, read here instead of counted over every report
    on each view (20,000 reports: about 15 ms of counting a page; issue 15). Kept by excellence.tallies, in the
    transaction of each change; the daily follow-up job checks them against the reports and repairs any drift."""

    class Kind(models.TextChoices):
        STATE = "state", "Follow-up state"
        THEME = "theme", "Value or theme"
        WEEK = "week", "Week made (its Monday)"

    kind = models.CharField(max_length=5, choices=Kind.choices)
    key = models.CharField(max_length=40)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="excellence_tally_key")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}: {self.n}"
