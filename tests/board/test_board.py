"""The board of the trust, a directorate and a ward: one row per measure with its icons and words, wards above."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from runcharts import services
from tests.board.conftest import CONCERN, STEADY, with_values
from tests.factories import InitiativeFactory, MeasureFactory, WardFactory

pytestmark = pytest.mark.django_db

FIELDS = {"definition": "Falls a week.", "data_type": "single", "frequency": "weekly", "unit": "count"}


@pytest.fixture
def board_world(ward, other_ward, ward_manager, qi_lead, today):
    falls = services.create_standing_measure(
        by=ward_manager, ward=ward, name="Falls", improvement="decrease", target=20.0, **FIELDS
    )
    with_values(falls, CONCERN, ward_manager)
    heron = services.create_standing_measure(
        by=qi_lead, ward=other_ward, name="Heron sickness", improvement="decrease", **FIELDS
    )
    with_values(heron, STEADY, qi_lead)
    initiative = InitiativeFactory(lead=qi_lead, wards=[ward], directorate=ward.directorate, status="live")
    handover = MeasureFactory(initiative=initiative, name="Handovers on time", chart="xmr", unit="count")
    with_values(handover, STEADY, qi_lead)
    return {"falls": falls, "heron": heron, "handover": handover, "initiative": initiative}


def test_the_ward_board_shows_each_measure_with_icons_in_words(client, staff, ward, board_world):
    client.force_login(staff)
    page = client.get(reverse("board_ward", args=[ward.slug]))
    assertContains(page, "<title>Oak Ward board – QI Portal</title>", html=False)
    assertContains(page, "Falls")
    assertContains(page, "Special cause concern (high)")
    assertContains(page, "8 weeks above the mean since 24 November 2025")
    assertContains(page, "Consistently passing")  # a target of 20 is above the upper limit, lower is better
    assertContains(page, "Handovers on time")
    assertContains(page, "Common cause")
    assertContains(page, "12, 11, 10")  # the handover measure's last three values
    assertContains(page, 'aria-label="Sparkline of the last 20 values, from 10 to 11"')
    assertNotContains(page, "Heron sickness")  # another ward's measure


def test_concerns_come_first(client, staff, board_world):
    client.force_login(staff)
    body = client.get(reverse("board")).content.decode()
    assert body.index("Falls") < body.index("Heron sickness") and body.index("Falls") < body.index("Handovers")


def test_the_directorate_board_shows_its_wards_only(client, staff, directorate, board_world):
    client.force_login(staff)
    page = client.get(reverse("board_directorate", args=[directorate.slug]))
    assertContains(page, "Falls")
    assertNotContains(page, "Heron sickness")


def test_filters_narrow_the_rows(client, staff, board_world):
    client.force_login(staff)
    page = client.get(reverse("board"), {"variation": "common_cause", "order": "name"})
    assertNotContains(page, "8 weeks above the mean")
    assertContains(page, "Heron sickness")
    page = client.get(reverse("board"), {"assurance": "pass"})
    assertContains(page, "1 measure.")


def test_a_sponsor_sees_their_directorates_first(client, sponsor, board_world):
    client.force_login(sponsor)
    page = client.get(reverse("board"))
    assertContains(page, "Showing your directorates, concerns first")
    assertContains(page, "Falls")
    assertNotContains(page, "Heron sickness")
    assertContains(client.get(reverse("board"), {"order": "concerns"}), "Heron sickness")


def test_wards_show_readiness_and_load(client, staff, ward, board_world):
    client.force_login(staff)
    page = client.get(reverse("board_ward", args=[ward.slug]))
    assertContains(page, "Missing: no FFIT audit closed yet")
    assertContains(page, "Load 1 of 3 – within threshold")
    assertContains(page, "No open flag")


def test_drafts_stay_hidden_from_the_board(client, staff, ward, qi_lead, board_world):
    draft = InitiativeFactory(lead=qi_lead, wards=[ward], status="draft")
    MeasureFactory(initiative=draft, name="A draft measure")
    client.force_login(staff)
    assertNotContains(client.get(reverse("board")), "A draft measure")


def test_the_wards_above_the_rows_are_those_of_the_rows_on_the_page(
    client, staff, ward, other_ward, board_world, monkeypatch
):
    quiet = WardFactory(name="Quiet Ward", directorate=ward.directorate)  # active, but no measures
    monkeypatch.setattr("hub.board.PAGE_SIZE", 1)
    client.force_login(staff)

    def wards_on(page):
        body = client.get(reverse("board"), {"order": "name", "page": page}).content.decode()
        return {w.name for w in (ward, other_ward, quiet) if reverse("board_ward", args=[w.slug]) in body}

    assert wards_on(1) == {"Oak Ward"}  # Falls, Oak Ward's standing measure
    assert wards_on(2) == {"Oak Ward"}  # Handovers on time, an initiative's measure on Oak Ward
    assert wards_on(3) == {"Heron Ward"}  # Heron sickness
    page = client.get(reverse("board"), {"order": "name", "page": 3})
    assertContains(page, "No open flag")  # the shown ward keeps its load


def test_a_page_without_ward_measures_says_so(client, staff, qi_lead, board_world, monkeypatch):
    services.create_standing_measure(by=qi_lead, name="Trust sickness", improvement="decrease", **FIELDS)
    monkeypatch.setattr("hub.board.PAGE_SIZE", 1)
    client.force_login(staff)
    page = client.get(reverse("board"), {"order": "name", "page": 4})
    assertContains(page, "Trust sickness")
    assertContains(page, "No ward’s measures are on this page.")


def test_the_header_links_to_the_board_after_reviews(client, staff, sponsor):
    client.force_login(sponsor)
    labels = [item.label for item in client.get(reverse("home")).context["nav"].items]
    assert labels[:4] == ["Home", "Reviews", "Board", "Initiatives"]
    client.force_login(staff)
    page = client.get(reverse("board"))
    board = next(item for item in page.context["nav"].items if item.label == "Board")
    assert board.url == reverse("board") and board.current
    assert [item.label for item in page.context["nav"].items][:3] == ["Home", "Board", "Initiatives"]
