"""The whole trust's excellence counts (models.Tally), kept in the transaction of every change to a report.

Every path that changes a report goes through the model (the services, the admin, a colleague's account being
deleted), so the counts are moved by model signals: a report made or deleted, its follow-up state changed, a theme
added or taken off. Writes that skip the model (bulk loads of seed data) call rebuild() after. check() recounts
everything and repairs what drifted; the daily follow-up job runs it.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, F
from django.db.models.functions import TruncDate
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone

from excellence.models import ExcellenceReport, Tally, Theme

Key = tuple[str, str]


def week_start(day: date) -> date:
    """The Monday of `day`'s week. Weeks start on Monday (seed 000, step 6: monitor run charts weekly)."""
    return day - timedelta(days=day.weekday())


def _week_key(created_at) -> Key:
    return (Tally.Kind.WEEK, week_start(timezone.localdate(created_at)).isoformat())


def _move(changes: Counter[Key]) -> None:
    """Add each change to its count, in one UPDATE a count (safe beside other writers: the row is locked)."""
    for (kind, key), delta in sorted(changes.items()):
        if not delta:
            continue
        if not Tally.objects.filter(kind=kind, key=key).update(n=F("n") + delta):
            with transaction.atomic():  # a count seen for the first time (another writer may make it first)
                Tally.objects.get_or_create(kind=kind, key=key)
            Tally.objects.filter(kind=kind, key=key).update(n=F("n") + delta)


# Reading ----------------------------------------------------------------------------------------------------


def state_counts() -> dict[str, int]:
    """Reports in each follow-up state (ExcellenceReport.State values), over the whole trust."""
    stored = dict(Tally.objects.filter(kind=Tally.Kind.STATE).values_list("key", "n"))
    return {state: stored.get(state, 0) for state in ExcellenceReport.State.values}


def theme_counts() -> dict[int, int]:
    """Reports carrying each theme (by theme id), over the whole trust."""
    return {int(key): n for key, n in Tally.objects.filter(kind=Tally.Kind.THEME).values_list("key", "n")}


def week_counts(first: date, last: date) -> dict[date, int]:
    """Reports made in each week whose Monday is from `first` to `last`, over the whole trust."""
    rows = Tally.objects.filter(kind=Tally.Kind.WEEK, key__gte=first.isoformat(), key__lte=last.isoformat())
    return {date.fromisoformat(key): n for key, n in rows.values_list("key", "n")}


# Counting from the reports themselves -----------------------------------------------------------------------


def _recount() -> Counter[Key]:
    counts: Counter[Key] = Counter()
    for state, n in ExcellenceReport.objects.order_by().values_list("state").annotate(n=Count("pk")):
        counts[(Tally.Kind.STATE, state)] = n
    tagged = ExcellenceReport.tags.through.objects.order_by().values_list("theme_id").annotate(n=Count("pk"))
    for theme_id, n in tagged:
        counts[(Tally.Kind.THEME, str(theme_id))] = n
    days = ExcellenceReport.objects.order_by().annotate(day=TruncDate("created_at")).values_list("day")
    for day, n in days.annotate(n=Count("pk")):
        counts[(Tally.Kind.WEEK, week_start(day).isoformat())] += n
    return counts


@transaction.atomic
def rebuild() -> int:
    """Every count recounted from the reports (after a bulk load); how many counts there are."""
    counts = _recount()
    Tally.objects.all().delete()
    Tally.objects.bulk_create(Tally(kind=kind, key=key, n=n) for (kind, key), n in counts.items() if n)
    return len(counts)


@transaction.atomic
def check() -> list[str]:
    """Each stored count compared with a recount of the reports; those that drifted are put right. Returns a line
    for each count repaired (none when all agree)."""
    # Every count locked first: a report changed meanwhile waits, so the recount and the counts agree on it.
    stored = {(kind, key): n for kind, key, n in Tally.objects.select_for_update().values_list("kind", "key", "n")}
    counts = _recount()
    wrong = Counter({key: counts.get(key, 0) - n for key, n in stored.items() if counts.get(key, 0) != n})
    wrong.update({key: n for key, n in counts.items() if key not in stored and n})
    _move(wrong)
    return [
        f"Repaired the excellence count of {Tally.Kind(kind).label.lower()} {key}: "
        f"{stored.get((kind, key), 0)} to {counts.get((kind, key), 0)}."
        for kind, key in sorted(wrong)
    ]


# Kept by the model's signals --------------------------------------------------------------------------------


@receiver(pre_save, sender=ExcellenceReport)
def _note_state_before(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw or instance._state.adding or (update_fields is not None and "state" not in update_fields):
        instance._state_before = None
        return
    instance._state_before = ExcellenceReport.objects.filter(pk=instance.pk).values_list("state", flat=True).first()


@receiver(post_save, sender=ExcellenceReport)
def _count_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        _move(Counter({(Tally.Kind.STATE, instance.state): 1, _week_key(instance.created_at): 1}))
        return
    before = getattr(instance, "_state_before", None)
    if before is not None and before != instance.state:
        _move(Counter({(Tally.Kind.STATE, before): -1, (Tally.Kind.STATE, instance.state): 1}))


@receiver(pre_delete, sender=ExcellenceReport)
def _count_deleted(sender, instance, **kwargs):
    # Before the delete, in its transaction: the report's theme links go with it and send no signal of their own.
    changes = Counter({(Tally.Kind.STATE, instance.state): -1, _week_key(instance.created_at): -1})
    for theme_id in ExcellenceReport.tags.through.objects.filter(excellencereport_id=instance.pk).values_list(
        "theme_id", flat=True
    ):
        changes[(Tally.Kind.THEME, str(theme_id))] -= 1
    _move(changes)


@receiver(post_delete, sender=Theme)
def _forget_theme(sender, instance, **kwargs):
    Tally.objects.filter(kind=Tally.Kind.THEME, key=str(instance.pk)).delete()


@receiver(m2m_changed, sender=ExcellenceReport.tags.through)
def _count_tags(sender, instance, action, reverse, pk_set, **kwargs):
    """Themes put on or taken off reports, from either side (report.tags or theme.reports)."""
    links = sender.objects.all()
    if action in ("pre_remove", "pre_clear"):
        # Only the links that exist are counted off (removing a theme a report does not carry changes nothing).
        if reverse:
            links = links.filter(theme_id=instance.pk)
            if pk_set is not None:
                links = links.filter(excellencereport_id__in=pk_set)
        else:
            links = links.filter(excellencereport_id=instance.pk)
            if pk_set is not None:
                links = links.filter(theme_id__in=pk_set)
        _move(
            Counter(
                {
                    (Tally.Kind.THEME, str(t)): -n
                    for t, n in links.order_by().values_list("theme_id").annotate(n=Count("pk"))
                }
            )
        )
    elif action == "post_add" and pk_set:  # Django sends only the links it made
        if reverse:
            _move(Counter({(Tally.Kind.THEME, str(instance.pk)): len(pk_set)}))
        else:
            _move(Counter({(Tally.Kind.THEME, str(theme_id)): 1 for theme_id in pk_set}))
