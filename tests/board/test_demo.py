"""The demo trust's board shows every variation and assurance icon on first start, on every ward."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from qiportal.models import User, Ward
from runcharts.models import Measure

pytestmark = pytest.mark.django_db


def test_every_demo_ward_has_standing_measures_with_a_mix_of_icons():
    call_command("seed_demo", password="demo-pass-123")
    wards = list(Ward.objects.filter(is_active=True))
    assert len(wards) == 14
    for ward in wards:
        standing = Measure.objects.filter(scope="ward", ward=ward)
        kinds = {m.latest_variation.split("_")[0] for m in standing}
        assert kinds == {"improvement", "concern", "common"}, ward.name
        assert {m.latest_assurance for m in standing} == {"pass", "fail", "hit_and_miss"}, ward.name
    client = Client()
    client.force_login(User.objects.get(username="coach"))
    page = client.get(reverse("board"), {"order": "concerns", "page": 1}).content.decode()
    for label in ("Special cause concern (high)", "Common cause", "Consistently failing", "Hit and miss"):
        assert label in page
    names = " ".join(client.get(reverse("board_ward", args=[ward.slug])).content.decode() for ward in wards[:2])
    for label in ("Special cause improvement", "Special cause concern", "Common cause", "Consistently passing"):
        assert label in names
    measures = Measure.objects.count()
    call_command("seed_demo")
    assert Measure.objects.count() == measures  # a second run adds nothing
