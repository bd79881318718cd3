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
