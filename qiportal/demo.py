"""The demo trust: one trust, three directorates, the case-study wards and one user per role.

The three hospitals of "Able to improve?" (seed 001: Premton, Middleswick, Upsworth) are adapted here
as the three sites of one fictional trust, so its six case studies become initiatives on real wards.
Every function is idempotent: it updates rows keyed by slug or username, so running twice changes nothing.
"""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from qiportal.models import Directorate, Role, RoleAssignment, StrategicPriority, Trust, User, Ward

TRUST_NAME = "Wessex Vale Hospitals NHS Foundation Trust"

# The four areas of ELFT's strategy (seed 003): every initiative links to one.
PRIORITIES = [
    ("population-health", "Population health", "Improving the health of the communities we serve."),
    ("service-user-experience", "Service user experience", "Improving the experience and outcomes of care."),
    ("staff-experience", "Staff experience", "Making this a better place to work and learn."),
    ("value", "Value", "Using our resources well and reducing waste."),
]

DIRECTORATES = [
    ("surgery", "Surgery and Critical Care"),
    ("medicine", "Medicine and Emergency Care"),
    ("older-people", "Older People and Rehabilitation"),
]

# (slug, name, directorate, site, specialty)
WARDS = [
    ("kingfisher-ward", "Kingfisher Ward", "surgery", "Premton General Hospital", "General surgery"),
    ("heron-ward", "Heron Ward", "surgery", "Premton General Hospital", "Orthopaedic surgery"),
    ("surgical-assessment-unit", "Surgical Assessment Unit", "surgery", "Premton General Hospital", "Surgery"),
    ("day-surgery-unit", "Day Surgery Unit", "surgery", "Middleswick Hospital", "Day surgery"),
    ("linnet-ward", "Linnet Ward", "surgery", "Upsworth Infirmary", "General surgery"),
    ("acute-medical-unit", "Acute Medical Unit", "medicine", "Premton General Hospital", "Acute medicine"),
    ("oak-ward", "Oak Ward", "medicine", "Middleswick Hospital", "General medicine"),
    ("ash-ward", "Ash Ward", "medicine", "Middleswick Hospital", "Respiratory medicine"),
    ("cedar-ward", "Cedar Ward", "medicine", "Upsworth Infirmary", "General medicine"),
    ("elm-ward", "Elm Ward", "medicine", "Upsworth Infirmary", "Cardiology"),
    ("willow-ward", "Willow Ward", "older-people", "Middleswick Hospital", "Care of older people"),
    ("rowan-ward", "Rowan Ward", "older-people", "Middleswick Hospital", "Stroke"),
    ("beech-ward", "Beech Ward", "older-people", "Upsworth Infirmary", "Care of older people"),
    ("maple-ward", "Maple Ward", "older-people", "Premton General Hospital", "Rehabilitation"),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    job_title: str
    directorate: str | None
    wards: tuple[str, ...]
    roles: tuple[tuple[str, str | None], ...]  # (role, ward slug or directorate slug or None)
    line_manager: str | None = None


# The six documented demo logins come first; the rest make the organisation look real.
USERS = [
    DemoUser(
        "qilead",
        "Priya",
        "Shah",
        "QI lead matron",
        "medicine",
        ("oak-ward", "acute-medical-unit"),
        ((Role.QI_LEAD, None),),
        "sponsor",
    ),
    DemoUser(
        "sponsor",
        "Michael",
        "Okafor",
        "Divisional director of nursing",
        "medicine",
        (),
        ((Role.SENIOR_MANAGER, "medicine"), (Role.SENIOR_MANAGER, "older-people")),
        "chiefnurse",
    ),
    DemoUser(
        "wardmanager",
        "Grace",
        "Mensah",
        "Ward manager, Oak Ward",
        "medicine",
        ("oak-ward",),
        ((Role.WARD_MANAGER, "oak-ward"),),
        "sponsor",
    ),
    DemoUser("staff", "Tom", "Hughes", "Staff nurse", "medicine", ("oak-ward",), ((Role.STAFF, None),), "wardmanager"),
    DemoUser("coach", "Sian", "Roberts", "QI coach", None, (), ((Role.QI_COACH, None),), "qilead"),
    DemoUser("admin", "Alex", "Turner", "QI Portal administrator", None, (), ((Role.ADMIN, None),)),
    DemoUser("chiefnurse", "Helen", "Barker", "Chief nurse", None, (), ((Role.SENIOR_MANAGER, None),)),
    DemoUser(
        "surgerydirector",
        "Daniel",
        "Price",
        "Divisional director, Surgery",
        "surgery",
        (),
        ((Role.SENIOR_MANAGER, "surgery"),),
        "chiefnurse",
    ),
    DemoUser(
        "surgicalmatron",
        "Fiona",
        "Walsh",
        "Senior surgical matron",
        "surgery",
        ("surgical-assessment-unit",),
        ((Role.QI_LEAD, None),),
        "surgerydirector",
    ),
    DemoUser(
        "tvnurse",
        "Rebecca",
        "Lloyd",
        "Tissue viability nurse specialist",
        "older-people",
        ("beech-ward", "cedar-ward"),
        ((Role.QI_LEAD, None),),
        "sponsor",
    ),
    DemoUser(
        "nightmatron",
        "Joanne",
        "Fraser",
        "Night matron",
        "medicine",
        ("acute-medical-unit",),
        ((Role.QI_LEAD, None),),
        "sponsor",
    ),
    DemoUser(
        "juniordoctor",
        "Sam",
        "Patel",
        "Foundation doctor",
        "medicine",
        ("acute-medical-unit",),
        ((Role.STAFF, None),),
        "nightmatron",
    ),
    DemoUser(
        "physio",
        "Owen",
        "Davies",
        "Physiotherapist",
        "older-people",
        ("willow-ward", "oak-ward"),
        ((Role.STAFF, None),),
        "willowmanager",
    ),
    DemoUser(
        "hca",
        "Megan",
        "Clarke",
        "Healthcare assistant",
        "medicine",
        ("oak-ward",),
        ((Role.STAFF, None),),
        "wardmanager",
    ),
    DemoUser("medicaldirector", "Ruth", "Adeyemi", "Medical director", None, (), ((Role.SENIOR_MANAGER, None),)),
]

# One manager per ward that has none above, so every ward page names its manager.
WARD_MANAGER_NAMES = [
    ("Kingfisher Ward", "Laura", "Bennett"),
    ("Heron Ward", "Chris", "Evans"),
    ("Surgical Assessment Unit", "Nadia", "Hussain"),
    ("Day Surgery Unit", "Peter", "Morgan"),
    ("Linnet Ward", "Amy", "Collins"),
    ("Acute Medical Unit", "Kwame", "Asante"),
    ("Ash Ward", "Lucy", "Ward"),
    ("Cedar Ward", "Mark", "Jennings"),
    ("Elm Ward", "Hannah", "Doyle"),
    ("Willow Ward", "Ben", "Carter"),
    ("Rowan Ward", "Zara", "Ali"),
    ("Beech Ward", "Ian", "Foster"),
    ("Maple Ward", "Claire", "Murphy"),
]


def _manager_username(ward_name: str) -> str:
    return ward_name.lower().replace(" ward", "").replace(" unit", "").replace(" ", "") + "manager"


@transaction.atomic
def seed_organisation(password: str | None) -> dict[str, User]:
    trust, _ = Trust.objects.update_or_create(pk=1, defaults={"name": TRUST_NAME, "short_name": "Wessex Vale"})
    for order, (slug, name, description) in enumerate(PRIORITIES, start=1):
        StrategicPriority.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "order": order}
        )
    directorates = {
        slug: Directorate.objects.update_or_create(slug=slug, defaults={"name": name, "trust": trust})[0]
        for slug, name in DIRECTORATES
    }
    wards = {
        slug: Ward.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "directorate": directorates[d], "site": site, "specialty": specialty},
        )[0]
        for slug, name, d, site, specialty in WARDS
    }
    wards_by_name = {ward.name: ward for ward in wards.values()}

    people = list(USERS)
    for ward_name, first, last in WARD_MANAGER_NAMES:
        ward = wards_by_name[ward_name]
        people.append(
            DemoUser(
                _manager_username(ward_name),
                first,
                last,
                f"Ward manager, {ward_name}",
                ward.directorate.slug,
                (ward.slug,),
                ((Role.WARD_MANAGER, ward.slug),),
                None,
            )
        )

    # Hashed once for every demo user (they share the password anyway): hashing is slow on purpose, and
    # `make run` sets the password on every start.
    hashed = make_password(password) if password else None
    users: dict[str, User] = {}
    for person in people:
        user, _ = User.objects.update_or_create(
            username=person.username,
            defaults={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": f"{person.username}@wessexvale.nhs.invalid",
                "job_title": person.job_title,
                "directorate": directorates.get(person.directorate) if person.directorate else None,
                "is_staff": any(role == Role.ADMIN for role, _ in person.roles),
                "is_superuser": any(role == Role.ADMIN for role, _ in person.roles),
                "is_active": True,
            },
        )
        if hashed:
            user.password = hashed
            user.save(update_fields=["password"])
        user.wards.set([wards[slug] for slug in person.wards])
        wanted = set()
        for role, scope in person.roles:
            kwargs = {"user": user, "role": role, "ward": None, "directorate": None}
            if role == Role.WARD_MANAGER:
                kwargs["ward"] = wards[scope]
            elif role == Role.SENIOR_MANAGER and scope:
                kwargs["directorate"] = directorates[scope]
            wanted.add(RoleAssignment.objects.get_or_create(**kwargs)[0].pk)
        RoleAssignment.objects.filter(user=user).exclude(pk__in=wanted).delete()
        users[person.username] = user

    for person in people:
        if person.line_manager:
            User.objects.filter(pk=users[person.username].pk).update(line_manager=users[person.line_manager])
    # Ward staff without a named manager report to their ward's manager.
    for ward_name, _, _ in WARD_MANAGER_NAMES:
        manager = users[_manager_username(ward_name)]
        manager.line_manager = users["sponsor"] if manager.directorate.slug != "surgery" else users["surgerydirector"]
        manager.save(update_fields=["line_manager"])
    return users
