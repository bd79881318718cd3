from datetime import date, timedelta

import factory
from django.utils.text import slugify

from qiportal.models import Directorate, Role, RoleAssignment, StrategicPriority, Trust, User, Ward


class TrustFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trust
        django_get_or_create = ["id"]

    id = 1
    name = "Test Hospitals NHS Trust"


class DirectorateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Directorate

    trust = factory.SubFactory(TrustFactory)
    name = factory.Sequence(lambda n: f"Directorate {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class WardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ward

    directorate = factory.SubFactory(DirectorateFactory)
    name = factory.Sequence(lambda n: f"Ward {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    site = "Test General Hospital"


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategicPriority

    name = factory.Sequence(lambda n: f"Priority {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda o: f"{o.username}@trust.nhs.invalid")
    job_title = "Staff nurse"
    password = factory.django.Password("correct-horse-battery")


def with_role(user: User, role: str, *, ward: Ward | None = None, directorate: Directorate | None = None) -> User:
    RoleAssignment.objects.create(user=user, role=role, ward=ward, directorate=directorate)
    # Drop the per-instance role cache so the new role counts at once.
    for attribute in ("role_assignments", "role_set", "managed_ward_ids", "overseen_directorate_ids"):
        user.__dict__.pop(attribute, None)
    if role == Role.ADMIN:
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    return user


class InitiativeFactory(factory.django.DjangoModelFactory):
    """A live initiative on one ward by default; pass status=..., wards=[...] to vary."""

    class Meta:
        model = "projects.Initiative"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Improving discharge planning {n}")
    problem = "Discharges are delayed because checklists are not completed before the ward round."
    aim = "Increase discharges before noon from 20% to 40% by 31 March 2027."
    scope = "wards"
    directorate = factory.SubFactory(DirectorateFactory)
    priority = factory.SubFactory(PriorityFactory)
    lead = factory.SubFactory(UserFactory)
    sponsor = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("lead")
    planned_start_on = factory.Faker("date_between", start_date="-60d", end_date="-30d")
    planned_end_on = factory.Faker("date_between", start_date="+60d", end_date="+200d")
    status = "live"
    next_review_on = factory.Faker("date_between", start_date="+10d", end_date="+50d")

    @factory.post_generation
    def wards(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is not None:
            self.wards.set(extracted)
        elif self.scope == "wards":
            self.wards.add(WardFactory(directorate=self.directorate))
        # A live initiative adds to its wards' stored load, and is marked when one of them is flagged, as
        # projects.services does when one goes live.
        from projects import services

        services.apply_reach_change(self, None)
        self.refresh_from_db(fields=["on_overloaded_ward"])


class ChangeIdeaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.ChangeIdea"

    initiative = factory.SubFactory(InitiativeFactory)
    title = factory.Sequence(lambda n: f"Change idea {n}")


class PdsaCycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.PdsaCycle"

    initiative = factory.SubFactory(InitiativeFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = "Test the discharge checklist on one bay"
    objective = "See whether nurses can complete the checklist before the ward round."
    starts_on = factory.Faker("date_between", start_date="-30d", end_date="-10d")
    planned_end_on = factory.Faker("date_between", start_date="+5d", end_date="+20d")
    created_by = factory.SelfAttribute("initiative.lead")


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "runcharts.Measure"

    initiative = factory.SubFactory(InitiativeFactory)
    name = factory.Sequence(lambda n: f"Discharges before noon {n}")
    definition = "Patients discharged before 12:00 as a percentage of all discharges that week."
    unit = "percent"
    improvement = "increase"
    owner = factory.SelfAttribute("initiative.lead")


class DataPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "runcharts.DataPoint"

    measure = factory.SubFactory(MeasureFactory)
    week_start = factory.Sequence(lambda n: date(2026, 1, 5) + timedelta(weeks=n))
    value = 30.0
