"""Scheduled work for readiness: remind ward managers when a proposal awaits review and FFIT is missing or stale."""

from datetime import date

from django.urls import reverse
from django.utils import timezone

from ffit.selectors import latest_readiness
from projects.models import Initiative, Scope, Status
from qiportal.jobs import JobResult, ReminderBatch, iso_week, ward_managers
from qiportal.models import NotificationKind, Ward


def remind_ffit_missing(*, today: date | None = None) -> JobResult:
    """Ward managers of wards with a proposal awaiting review and no recent readiness (FFIT) audit."""
    result = JobResult("remind_ffit_missing")
    today = today or timezone.localdate()
    through = Initiative.wards.through
    ward_ids = set(
        through.objects.filter(initiative__status=Status.SUBMITTED, initiative__scope=Scope.WARDS).values_list(
            "ward_id", flat=True
        )
    )
    if not ward_ids:
        result.add("No ward has a proposal awaiting review.")
        return result
    readiness = latest_readiness(ward_ids)
    managers = ward_managers(ward_ids)
    batch = ReminderBatch(result)
    for ward in Ward.objects.filter(pk__in=ward_ids, is_active=True).order_by("name"):
        found = readiness.get(ward.pk)
        if found is not None and not found.is_stale:
            continue
        state = "has no readiness (FFIT) audit" if found is None else "has an out-of-date readiness (FFIT) audit"
        batch.add(
            recipients=managers.get(ward.pk, []),
            kind=NotificationKind.FFIT_MISSING,
            subject=ward,
            title=f"{ward} {state}",
            body=(
                f"A proposal for {ward} is awaiting its sponsor's review, and the ward {state}. "
                "Running the audit shows the sponsor whether the ward is ready for another change."
            ),
            url=reverse("ffit:audit_open"),
            says=f"Reminded the manager of {ward}: {state}.",
        )
    batch.send(summary=f"{{n}} readiness reminders for {iso_week(today)}.")
    return result
