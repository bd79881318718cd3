"""A small trust with one of everything, and the project's URL patterns filled in from it.

Shared by the hostile-input tests and the authorisation matrix: two directorates with a ward each, a
person in every role (scoped to the ward, its directorate, or the other ones), a live initiative on the
ward with a change idea, a PDSA cycle, a progress score and two measures with data, a closed FFIT audit
with answers, an excellence report with a conversation, and a notification.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from excellence import services as excellence_services
from excellence.models import Theme
from ffit.models import Audit
from projects.models import Decision, PdsaCycle, ProgressScore
from qiportal.models import Notification, NotificationKind
from runcharts.models import Annotation, DataPoint, Rephase
from tests.conftest import make_person
from tests.factories import (
    ChangeIdeaFactory,
    DirectorateFactory,
    InitiativeFactory,
    MeasureFactory,
    PriorityFactory,
    WardFactory,
)
from tests.ffit.helpers import all_answers, audit_with_answers

ROLES = [
    "anonymous",
    "staff",
    "other_ward_manager",
    "ward_manager",
    "qi_lead",
    "other_sponsor",
    "sponsor",
    "coach",
    "admin",
]


@dataclass
class World:
    users: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None


def build_world() -> World:
    world = World()
    directorate = DirectorateFactory(name="Medicine")
    other_directorate = DirectorateFactory(name="Surgery")
    ward = WardFactory(name="Oak Ward", directorate=directorate)
    other_ward = WardFactory(name="Heron Ward", directorate=other_directorate)
    users = world.users
    places = {
        "ward": ward,
        "other_ward": other_ward,
        "directorate": directorate,
        "other_directorate": other_directorate,
    }
    # The same people as the role fixtures (tests/conftest.py), one column each of the authorisation table.
    for role in ROLES[1:]:
        users[role] = make_person("admin_user" if role == "admin" else role, places.__getitem__)
    users["staff"].line_manager = users["ward_manager"]
    users["staff"].save(update_fields=["line_manager"])

    initiative = InitiativeFactory(
        title="Discharge before noon",
        directorate=directorate,
        wards=[ward],
        lead=users["staff"],
        sponsor=users["sponsor"],
        coach=users["coach"],
        priority=PriorityFactory(name="Flow"),
    )
    initiative.team.add(users["staff"])
    change_idea = ChangeIdeaFactory(initiative=initiative, description="Start the checklist at handover.")
    measure = MeasureFactory(initiative=initiative, ward=ward, numerator="Before noon", denominator="All")
    second_measure = MeasureFactory(initiative=initiative, ward=ward, kind="process")
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    for index, each in enumerate((measure, second_measure)):
        DataPoint.objects.bulk_create(
            DataPoint(measure=each, week_start=monday - timedelta(weeks=20 - k), value=30 + (k * 7 + index) % 11)
            for k in range(1, 20)
        )
    # A ward's standing measure the initiative uses as its outcome measure (for the unlink page).
    linked_measure = MeasureFactory(
        initiative=None, scope="ward", ward=ward, name="Falls on Oak Ward", owner=users["ward_manager"]
    )
    linked_measure.outcome_for.add(initiative)
    rephase = Rephase.objects.create(measure=measure, week_start=monday - timedelta(weeks=8), reason="New rota")
    annotation = Annotation.objects.create(measure=measure, on=monday - timedelta(weeks=6), text="Checklist began")
    cycle = PdsaCycle.objects.create(
        initiative=initiative,
        change_idea=change_idea,
        measure=measure,
        number=1,
        title="Checklist on one bay",
        objective="See whether the checklist can be done before the round.",
        starts_on=monday - timedelta(weeks=4),
        planned_end_on=monday + timedelta(weeks=2),
        created_by=users["staff"],
    )
    Decision.objects.create(
        initiative=initiative,
        kind=Decision.Kind.APPROVE,
        from_status="submitted",
        to_status="live",
        made_by=users["sponsor"],
        reason="A clear aim.",
    )
    ProgressScore.objects.create(initiative=initiative, score=2, note="Baseline collected.", set_by=users["staff"])
    draft = InitiativeFactory(
        title="A draft",
        status="draft",
        directorate=directorate,
        wards=[ward],
        lead=users["staff"],
        sponsor=users["sponsor"],
        priority=initiative.priority,
    )
    audit = audit_with_answers(
        ward, users["ward_manager"], {users["ward_manager"]: all_answers(3), users["staff"]: all_answers(4)}
    )
    theme = Theme.objects.create(name="Compassion", kind=Theme.Kind.VALUE)
    report = excellence_services.submit_report(
        reporter=users["ward_manager"],
        ward=ward,
        recipients=[users["staff"]],
        happened_on=timezone.localdate() - timedelta(days=2),
        what_happened="Stayed late to settle a frightened patient.",
        why_excellent="Calm and kind when the bay was busy.",
        difference_made="The patient slept well.",
        organisation_learning="Quiet time at night helps.",
        tags=[theme],
        reporter_agrees_to_share=True,
        notify_people=False,
    )
    excellence_services.say_thank_you(report=report, by=users["staff"], message="Thank you, that was kind.")
    excellence_services.set_sharing(report=report, by=users["staff"], agrees=True)
    excellence_services.record_conversation(
        report=report,
        by=users["ward_manager"],
        held_on=timezone.localdate(),
        participants=[users["staff"]],
        strengths="Calm under pressure.",
        opportunities="Teach others.",
        aspirations="Every patient settled.",
        results="Fewer calls at night.",
        what_to_spread="The settling routine.",
    )
    for user in users.values():
        Notification.objects.create(
            recipient=user,
            kind=NotificationKind.DECISION,
            subject_type=ContentType.objects.get_for_model(initiative),
            subject_id=initiative.pk,
            title=f"Initiative approved for {user.username}",
            body="Discharge before noon was approved.",
            url=initiative.get_absolute_url(),
            status=Notification.Status.IN_APP,
            channel="in_app",
            dedupe_key=f"world:{user.pk}",
        )
    try:
        from projects.models import OverloadFlag
    except ImportError:  # the overload flags of issue 8 are not there
        flag = None
    else:
        flag = OverloadFlag.objects.create(ward=ward, load_at_open=5, threshold_at_open=3)
    world.objects.update(
        flag=flag,
        directorate=directorate,
        other_directorate=other_directorate,
        ward=ward,
        other_ward=other_ward,
        initiative=initiative,
        draft=draft,
        change_idea=change_idea,
        measure=measure,
        second_measure=second_measure,
        linked_measure=linked_measure,
        rephase=rephase,
        annotation=annotation,
        cycle=cycle,
        audit=Audit.objects.get(pk=audit.pk),
        theme=theme,
        report=report,
    )
    return world


# ----------------------------------------------------------------------------------------------------------
# URL patterns


def walk_patterns(patterns=None, prefix: str = "", namespace: str = ""):
    """Yield (name, route, pattern) for every named URL pattern, with the namespace in the name."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner_ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk_patterns(entry.url_patterns, prefix + str(entry.pattern), inner_ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern), entry


def project_url_names() -> list[str]:
    """Every URL name of the project, except the admin site's own pages (bar its index) and static files."""
    names = []
    for name, _route, _pattern in walk_patterns():
        if name.startswith("admin:") and name != "admin:index":
            continue
        if name not in names:
            names.append(name)
    return names


def url_kwargs(name: str, route: str, world: World) -> dict:
    """Fill a pattern's parameters with real objects of the world."""
    namespace = name.split(":")[0] if ":" in name else ""
    pk_for = {
        "projects": world.initiative.pk,
        "ffit": world.audit.pk,
        "runcharts": world.measure.pk,
        "excellence": world.report.pk,
    }
    values = {
        "pk": pk_for.get(namespace),
        "slug": world.ward.slug,
        "number": 1,
        "stage": "do",
        "step": "aim",
        "fmt": "svg",
        "initiative_pk": world.initiative.pk,
        "rephase_pk": world.rephase.pk,
        "annotation_pk": world.annotation.pk,
        "measure_pk": world.linked_measure.pk,
        "uidb64": "MQ",
        "token": "set-password",
    }
    if name in ("initiative_detail", "review_detail"):  # hub's pages of one initiative
        values["pk"] = world.initiative.pk
    if name == "runcharts:upload_template":
        values["fmt"] = "csv"
    if name == "projects:overload_flag" and world.flag is not None:
        values["pk"] = world.flag.pk
    if name in ("initiative_detail", "review_detail"):  # hub's pages of one initiative, not namespaced
        values["pk"] = world.initiative.pk
    values["kind"] = "status"  # dashboard charts
    kwargs = {}
    for parameter in _parameters(route):
        value = values.get(parameter)
        if value is None:
            value = _extra_kwarg(name, parameter, world)
        kwargs[parameter] = value
    return kwargs


def _parameters(route: str) -> list[str]:
    import re

    return re.findall(r"<(?:\w+:)?(\w+)>", route)


def _extra_kwarg(name: str, parameter: str, world: World):
    """Parameters of pages added after this file was written: fill what can be guessed, else fail clearly."""
    candidates = {
        "ward_slug": world.ward.slug,
        "directorate_slug": world.directorate.slug,
        "directorate": world.directorate.pk,
        "ward": world.ward.pk,
    }
    if parameter in candidates:
        return candidates[parameter]
    if parameter == "pk":
        flag = world.objects.get("flag")
        if flag is not None:
            return flag.pk
        return 1
    raise AssertionError(f"tests/security/world.py does not know how to fill <{parameter}> of {name}")


def patterns_by_name() -> dict[str, str]:
    routes = {}
    for name, route, _pattern in walk_patterns():
        routes.setdefault(name, route)
    return routes
