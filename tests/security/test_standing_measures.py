"""A ward's standing measure, page by page and role by role: everyone signed in sees it; its ward's manager, QI leads
and admins change it (qiportal.permissions.can_manage_standing_measure)."""

import pytest
from django.db import transaction
from django.urls import reverse

from runcharts import services
from tests.security.matrix import Clients
from tests.security.world import ROLES, build_world

pytestmark = pytest.mark.django_db

MANAGERS = {"ward_manager", "qi_lead", "admin"}
EDIT_PAGES = ["runcharts:measure_edit", "runcharts:data_entry", "runcharts:upload", "runcharts:rephase_add"]
READ_PAGES = ["runcharts:measure_detail", "runcharts:data_csv", "board_ward"]


def test_a_ward_standing_measure_per_role():
    world = build_world()
    measure = services.create_standing_measure(
        by=world.users["ward_manager"],
        ward=world.ward,
        name="Falls per 1,000 bed days",
        definition="Falls per 1,000 occupied bed days.",
        unit="rate",
        improvement="decrease",
        owner=None,
    )
    clients = Clients(world)
    wrong = []
    for role in ROLES:
        for name in EDIT_PAGES + READ_PAGES:
            url = reverse(name, args=[world.ward.slug if name == "board_ward" else measure.pk])
            client = clients.get(role)  # signed in outside the rolled-back transaction, so the session lasts
            with transaction.atomic():
                got = client.get(url).status_code
                transaction.set_rollback(True)
            if role == "anonymous":
                expected = 302
            elif name in READ_PAGES or role in MANAGERS:
                expected = 200
            else:
                expected = 403
            if got != expected:
                wrong.append(f"{name} as {role}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)
