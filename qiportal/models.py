"""The trust's organisation and its people.

One trust per install; directorates (divisions) hold wards; every initiative links to a strategic
priority (the "golden thread"). Roles are scoped by RoleAssignment rows: a ward manager manages
named wards, a senior manager oversees named directorates or, with no directorate, the whole trust.
"""

from collections.abc import Callable
from datetime import date
from functools import cached_property, lru_cache

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from qiportal.paths import path_for
from qiportal.widgets import Listed


class Trust(models.Model):
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            # One trust per install: the table may hold one row, and only with pk 1.
            models.CheckConstraint(condition=Q(pk=1), name="single_trust"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> "Trust | None":
        return cls.objects.filter(pk=1).first()


class Directorate(models.Model):
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="directorates")
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def readiness_stale_before(today: date | None = None) -> date:
    """The day before which a ward's latest closed FFIT audit is stale (QI_FFIT_STALE_MONTHS before today)."""
    return _months_before(today or timezone.localdate(), settings.QI["FFIT_STALE_MONTHS"])


@lru_cache(maxsize=8)
def _months_before(today: date, months: int) -> date:
    # Worked out once a day, not once per ward: a dashboard or board asks for 150 wards.
    return today - relativedelta(months=months)


class Ward(models.Model):
    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="wards")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    site = models.CharField("hospital or site", max_length=200, blank=True)
    specialty = models.CharField(max_length=200, blank=True)
    # Initiativitis: a weighted load of live initiatives above this raises an overload flag.
    overload_threshold = models.DecimalField(max_digits=5, decimal_places=2, default=3)
    is_active = models.BooleanField(default=True)
    # Readiness, kept by ffit.services when an audit of the ward closes: the latest closed FFIT audit's date and
    # its weakest section's score. Pages and the approval rule read these instead of rescoring every answer.
    readiness_closed_on = models.DateField(null=True, blank=True, editable=False)
    readiness_lowest_percent = models.DecimalField(
        max_digits=4, decimal_places=1, null=True, blank=True, editable=False
    )

    # Initiativitis, kept by projects.services (change_live_load) in the transaction that moves an initiative into
    # or out of "live" or changes its scope or wards, and verified by the scan: how many live initiatives touch the
    # ward on the ward itself, across its directorate and trust-wide, their weighted load (projects.LoadWeights),
    # and whether an overload flag is open. Pages read these instead of counting initiatives per ward.
    live_on_ward = models.IntegerField(default=0, editable=False)
    live_on_directorate = models.IntegerField(default=0, editable=False)
    live_trust_wide = models.IntegerField(default=0, editable=False)
    live_load = models.DecimalField(max_digits=7, decimal_places=2, default=0, editable=False)
    overload_flag_open = models.BooleanField(default=False, editable=False)

    history = HistoricalRecords(
        excluded_fields=[
            "readiness_closed_on",
            "readiness_lowest_percent",
            "live_on_ward",
            "live_on_directorate",
            "live_trust_wide",
            "live_load",
            "overload_flag_open",
        ]
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["directorate", "name"], name="unique_ward_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return path_for("ward_detail", self.slug)

    def readiness_is_stale(self, today: date | None = None) -> bool:
        """No closed FFIT audit, or the latest closed more than QI_FFIT_STALE_MONTHS ago."""
        if self.readiness_closed_on is None:
            return True
        return self.readiness_closed_on < readiness_stale_before(today)

    def needs_readiness_warning(self, today: date | None = None) -> bool:
        """Readiness missing, stale, or with a section below QI_FFIT_WEAK_SECTION_PERCENT: approving an initiative
        on this ward then needs a reason (seed 001: check the ward is ready before another change)."""
        if self.readiness_is_stale(today):
            return True
        weak = settings.QI["FFIT_WEAK_SECTION_PERCENT"]
        return self.readiness_lowest_percent is not None and self.readiness_lowest_percent < weak

    @property
    def live_initiative_count(self) -> int:
        return self.live_on_ward + self.live_on_directorate + self.live_trust_wide

    @property
    def is_overloaded(self) -> bool:
        return self.live_load > self.overload_threshold


class StrategicPriority(models.Model):
    """A priority of the trust's strategy: the golden thread from strategy to ward."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "strategic priorities"

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    QI_LEAD = "qi_lead", "QI lead"
    SENIOR_MANAGER = "senior_manager", "Senior manager (sponsor)"
    WARD_MANAGER = "ward_manager", "Ward manager"
    STAFF = "staff", "Staff"
    QI_COACH = "qi_coach", "QI coach"
    ADMIN = "admin", "Admin"


class User(AbstractUser):
    """A member of staff. The profile (job title, wards, line manager) lives here: one row per person."""

    job_title = models.CharField(max_length=200, blank=True)
    directorate = models.ForeignKey(Directorate, on_delete=models.SET_NULL, null=True, blank=True, related_name="staff")
    wards = models.ManyToManyField(Ward, blank=True, related_name="staff", help_text="Wards this person works on.")
    line_manager = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports")

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return display_name_of(self.first_name, self.last_name, self.username)

    @cached_property
    def role_assignments(self) -> list["RoleAssignment"]:
        # One query per request: request.user is loaded once and this caches on it. Ids only: every page asks
        # it (the header, the permissions), none but the home page's "About me" names the ward or directorate,
        # and joining both doubled its cost (see described_roles).
        if not self.pk:
            return []
        return list(self.roles.order_by("role", "pk"))  # one person's: no join to order by person

    def described_roles(self) -> list["RoleAssignment"]:
        """This person's roles with the ward or directorate each names, for showing them in words."""
        return list(self.roles.select_related("ward", "directorate").order_by("role", "pk")) if self.pk else []

    @cached_property
    def role_set(self) -> frozenset[str]:
        roles = {assignment.role for assignment in self.role_assignments}
        if self.is_superuser:
            roles.add(Role.ADMIN)
        return frozenset(roles)

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    @cached_property
    def managed_ward_ids(self) -> frozenset[int]:
        return frozenset(a.ward_id for a in self.role_assignments if a.role == Role.WARD_MANAGER and a.ward_id)

    @cached_property
    def overseen_directorate_ids(self) -> frozenset[int] | None:
        """Directorates this senior manager oversees; None means the whole trust."""
        ids = set()
        for assignment in self.role_assignments:
            if assignment.role == Role.SENIOR_MANAGER:
                if assignment.directorate_id is None:
                    return None
                ids.add(assignment.directorate_id)
        return frozenset(ids)

    @property
    def is_trust_senior_manager(self) -> bool:
        return self.has_role(Role.SENIOR_MANAGER) and self.overseen_directorate_ids is None

    def oversees(self, directorate_id: int | None) -> bool:
        if not self.has_role(Role.SENIOR_MANAGER):
            return False
        overseen = self.overseen_directorate_ids
        return overseen is None or directorate_id in overseen

    @property
    def primary_role(self) -> str:
        """The role whose home page this person sees first."""
        for role in (Role.ADMIN, Role.SENIOR_MANAGER, Role.QI_LEAD, Role.QI_COACH, Role.WARD_MANAGER):
            if role in self.role_set:
                return role
        return Role.STAFF

    @property
    def primary_role_label(self) -> str:
        return Role(self.primary_role).label


def role_scope_constraints(prefix: str = "") -> list[models.CheckConstraint]:
    """A role's scope, as the database holds it: a ward manager names one ward, a senior manager a directorate or
    none (the whole trust), and no other role names either. For role assignments and the group-to-role table."""
    return [
        models.CheckConstraint(
            condition=~Q(role=Role.WARD_MANAGER) | Q(ward__isnull=False, directorate__isnull=True),
            name=f"{prefix}ward_manager_needs_ward",
            violation_error_message="A ward manager role names one ward and no directorate.",
        ),
        models.CheckConstraint(
            condition=Q(role=Role.WARD_MANAGER) | Q(ward__isnull=True),
            name=f"{prefix}only_ward_manager_has_ward",
            violation_error_message="Only a ward manager role names a ward.",
        ),
        models.CheckConstraint(
            condition=Q(role=Role.SENIOR_MANAGER) | Q(directorate__isnull=True),
            name=f"{prefix}only_senior_manager_has_directorate",
            violation_error_message="Only a senior manager role names a directorate.",
        ),
    ]


def display_name_of(first_name: str, last_name: str, username: str) -> str:
    """A person's name as the product shows it: their full name, or their username when they have none."""
    return f"{first_name} {last_name}".strip() or username


def staff_label(name: str, job_title: str) -> str:
    """A colleague as lists of staff offer them: "Name, job title" (or the name alone)."""
    return f"{name}, {job_title}" if job_title else name


def people_choices(people: models.QuerySet, label: Callable[[str, str], str]) -> Listed:
    """(id, label(display name, job title)) for each person, read as plain values: a list of the trust's 2,000
    staff in a form, without making 2,000 rows, ready to give a widget as its choices (issue 15)."""
    rows = people.values_list("pk", "first_name", "last_name", "username", "job_title")
    return Listed((pk, label(display_name_of(first, last, username), job)) for pk, first, last, username, job in rows)


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    ward = models.ForeignKey(Ward, on_delete=models.CASCADE, null=True, blank=True, related_name="role_assignments")
    directorate = models.ForeignKey(
        Directorate,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        help_text="For a senior manager: the directorate overseen. Leave empty for the whole trust.",
    )
    # Set when single sign-on gave this role through an identity-provider group; the next sign-in takes it
    # away again if the person has left the group. Roles an admin gives by hand leave this empty.
    granted_by = models.ForeignKey(
        "GroupRoleMapping", on_delete=models.CASCADE, null=True, blank=True, editable=False, related_name="grants"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["user", "role"]
        constraints = role_scope_constraints()

    def __str__(self) -> str:
        scope = self.ward or self.directorate or ("whole trust" if self.role == Role.SENIOR_MANAGER else "")
        return f"{self.get_role_display()}{f' – {scope}' if scope else ''}"


class NotificationKind(models.TextChoices):
    DECISION = "decision", "Decisions on initiatives"
    REVIEW_DUE = "review_due", "Reviews due"
    PDSA_OVERDUE = "pdsa_overdue", "PDSA cycles past their planned end"
    DATA_MISSING = "data_missing", "Measure data missing"
    FFIT_INVITE = "ffit_invite", "FFIT audit invitations"
    FFIT_MISSING = "ffit_missing", "FFIT readiness missing or out of date"
    EXCELLENCE_RECEIVED = "excellence_received", "Excellence reported about you or your team"
    EXCELLENCE_CONFIRMATION = "excellence_confirmation", "Confirmation of excellence you reported"
    EXCELLENCE_THANKS = "excellence_thanks", "Thank-you messages"
    EXCELLENCE_FOLLOW_UP = "excellence_follow_up", "Excellence conversations overdue"
    EXCELLENCE_UNOPENED = "excellence_unopened", "Excellence reports not yet opened"
    OVERLOAD = "overload", "Ward overload (initiativitis) flags"
    STALLED = "stalled", "Stalled initiatives"
    DIGEST = "digest", "Weekly digest"
    # A batch of reminders of several kinds (qiportal.jobs.ReminderBatch): each item keeps its own kind, and the
    # person chose per item kind how they hear; not a choice on the preferences page.
    REMINDERS = "reminders", "Reminders of several kinds"


class Channel(models.TextChoices):
    EMAIL = "email", "Email me straight away"
    DIGEST = "digest", "Include in my weekly digest email"
    IN_APP = "in_app", "Only show in QI Portal"


# How many times an email is tried before it is left failed for an administrator (qiportal.delivery).
EMAIL_ATTEMPTS = 5


class Notification(models.Model):
    """One message to one person about one thing; also the record of its email delivery.

    The dedupe key is unique, so the same reminder for the same object and period is never created,
    and so never sent, twice, whatever runs twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        DIGEST = "digest", "Waiting for the weekly digest"
        IN_DIGEST = "in_digest", "Sent in a weekly digest"
        IN_APP = "in_app", "In QI Portal only"

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    subject_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    period = models.CharField(max_length=20, blank=True, help_text="For reminders: the week or day they cover.")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    dedupe_key = models.CharField(max_length=200, unique=True)
    title = models.CharField(max_length=300)
    body = models.TextField()
    url = models.CharField(max_length=500, blank=True)
    cc = models.JSONField(default=list, blank=True, help_text="Addresses copied in on the email.")
    items = models.JSONField(
        default=list,
        blank=True,
        help_text="For a batch of reminders: each thing reminded about (kind, title, body, url, subject).",
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["status", "channel"], name="notification_delivery"),
            models.Index(fields=["subject_type", "subject_id"], name="notification_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.recipient}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def delivery(self) -> str:
        """What happened to this message, in the person's words: never "Email: sent" unless an email went."""
        if self.status == self.Status.FAILED:
            if self.attempts >= EMAIL_ATTEMPTS:
                return "Email: could not be sent"
            return "Email: not sent yet (we will try again)"
        return {
            self.Status.PENDING: "Email: on its way",
            self.Status.SENT: "Email: sent",
            self.Status.DIGEST: "Waiting for your weekly digest email",
            self.Status.IN_DIGEST: "In your weekly digest email",
            self.Status.IN_APP: "Shown in QI Portal only (no email)",
        }[self.status]


class ReminderLog(models.Model):
    """When one person was last reminded about one thing: the same thing is not reminded again until its
    reminder period has passed, whatever runs twice or at what hour (qiportal.jobs.ReminderBatch)."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    subject_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    topic = models.CharField(
        max_length=100, blank=True, help_text="Separates reminders about one thing: a review date, a missing week."
    )
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    times = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject_type", "subject_id", "topic"], name="one_reminder_log_per_item"
            )
        ]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="reminder_log_subject")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject_type_id}:{self.subject_id} → {self.recipient_id}"


class NotificationPreference(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()} – {self.get_channel_display()}"


class SubmittedForm(models.Model):
    """A form token already used by its person, and where its first submission led (qiportal/once.py).

    A double click, a resent page or a second tab sends the same token again: the unique pair refuses the second
    row in the database itself, so a second submit creates nothing and shows the first one's confirmation.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=32)
    result_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "token"], name="one_submission_per_form_token")]

    def __str__(self) -> str:
        return f"{self.user}: {self.token}"


class ExternalIdentity(models.Model):
    """A person's account at the trust's identity provider, linked to their QI Portal account.

    Single sign-on finds the person by the provider's issuer and its stable subject identifier for them,
    never by email address alone: an address can be reused or changed, the subject cannot.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    issuer = models.CharField(
        max_length=300,
        help_text="The identity provider's issuer URL (without a default :443 port or a trailing slash).",
    )
    subject = models.CharField(
        max_length=255,
        help_text="The person's stable identifier at the provider: the claim named by OIDC_CLAIM_SUBJECT "
        "(for Microsoft Entra ID, the user's object ID when that is 'oid').",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_signed_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "single sign-on identity"
        verbose_name_plural = "single sign-on identities"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="unique_external_identity"),
            models.UniqueConstraint(fields=["issuer", "user"], name="one_identity_per_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"


class GroupRoleMapping(models.Model):
    """A group at the identity provider whose members get a QI Portal role when they sign in with single sign-on."""

    group = models.CharField(
        max_length=255,
        help_text="The group exactly as the provider sends it in the groups claim "
        "(for Microsoft Entra ID, the group's object ID).",
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    ward = models.ForeignKey(Ward, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    directorate = models.ForeignKey(
        Directorate,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="For a senior manager: the directorate overseen. Leave empty for the whole trust.",
    )

    class Meta:
        verbose_name = "identity-provider group role"
        ordering = ["group", "role"]
        constraints = role_scope_constraints(prefix="group_")

    def __str__(self) -> str:
        scope = self.ward or self.directorate or ("whole trust" if self.role == Role.SENIOR_MANAGER else "")
        return f"{self.group} → {self.get_role_display()}{f' – {scope}' if scope else ''}"
