"""Hostile text in every free-text field, forged POSTs and state-changing GETs, across every page.

The pages are not listed by hand: every URL pattern of the project is requested with real objects filled
in (tests/security/world.py), so a page added later is covered without editing this file.
"""

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse

from tests.security.world import ROLES, build_world, patterns_by_name, project_url_names, url_kwargs

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("qiportal", "projects", "ffit", "runcharts", "excellence")
PAYLOAD = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>"
SHORT_PAYLOAD = "<script>alert(1)</script>"
RAW_MARKERS = ("<script>alert(1)", "<img src=x onerror")
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
# Internal keys that are never shown and must stay unique or parseable.
# Keys and secrets the code makes, never shown (a tally's key is a state, a theme's id or a week's date).
SKIPPED_FIELDS = {
    ("qiportal", "Notification", "dedupe_key"),
    ("qiportal", "User", "password"),
    ("excellence", "Tally", "key"),
}


def project_models():
    for config in apps.get_app_configs():
        if config.label in PROJECT_APPS:
            for model in config.get_models():
                if not model.__name__.startswith("Historical"):
                    yield model


def free_text_fields(model):
    for field in model._meta.concrete_fields:
        if not isinstance(field, (models.CharField, models.TextField)):
            continue
        if isinstance(field, (models.SlugField, models.EmailField)) or field.choices:
            continue
        if (model._meta.app_label, model.__name__, field.name) in SKIPPED_FIELDS:
            continue
        yield field


def fill_with(payload_for) -> int:
    """Write a payload into every free-text field of every row, straight to the database. Returns the count."""
    filled = 0
    for model in project_models():
        fields = list(free_text_fields(model))
        for pk in model._default_manager.values_list("pk", flat=True):
            values = {}
            for field in fields:
                value = payload_for(field)
                if value is None:
                    continue
                if field.unique:
                    value = f"{value}{pk}"
                if field.max_length and len(value) > field.max_length:
                    continue
                values[field.name] = value
            if values:
                model._default_manager.filter(pk=pk).update(**values)
                filled += len(values)
    return filled


def xss_payload(field):
    if field.max_length is None or field.max_length >= len(PAYLOAD) + 6:
        return PAYLOAD
    return SHORT_PAYLOAD if field.max_length >= len(SHORT_PAYLOAD) + 6 else None


def page_urls(world):
    routes = patterns_by_name()
    for name in project_url_names():
        if name.startswith("admin:") or name in ("logout",):
            continue
        yield name, reverse(name, kwargs=url_kwargs(name, routes[name], world))


@pytest.fixture
def world(db):
    return build_world()


def test_every_free_text_field_is_shown_escaped_on_every_page(world):
    assert fill_with(xss_payload) > 100
    shown_escaped = set()
    for role in ("admin", "staff", "ward_manager", "sponsor", "qi_lead"):
        client = Client()
        client.force_login(world.users[role])
        for name, url in page_urls(world):
            response = client.get(url)
            if not response["Content-Type"].startswith(("text/html", "image/svg")):
                continue  # CSV and workbooks are data, not markup: their formulas are tested in test_exports
            body = response.content.decode("utf-8", errors="replace")
            for marker in RAW_MARKERS:
                assert marker not in body, f"{name} ({url}) as {role} shows the payload unescaped"
            if ESCAPED in body:
                shown_escaped.add(name)
    # The payload really was shown, escaped, on the pages that show people's words.
    expected = {
        "projects:portfolio",
        "initiative_detail",
        "review_detail",
        "projects:pdsa_detail",
        "runcharts:measure_detail",
        "ffit:audit_results",
        "excellence:report_detail",
        "excellence:wall",
        "notification_list",
        "ward_detail",
    }
    assert expected <= shown_escaped, f"never shown escaped: {sorted(expected - shown_escaped)}"


def test_chart_images_escape_text(world):
    """An SVG opened on its own is a document: the measure's words must be escaped in it too."""
    fill_with(xss_payload)
    client = Client()
    client.force_login(world.users["admin"])
    for url in (
        reverse("runcharts:chart", args=[world.measure.pk, "svg"]),
        reverse("excellence:weekly_chart"),
        reverse("ffit:audit_chart", args=[world.audit.pk]),
    ):
        body = client.get(url).content.decode("utf-8", errors="replace")
        assert "<script>alert" not in body and "<img src=x" not in body, url


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in ("sessions", "axes")
    }


def test_a_post_without_a_csrf_token_is_refused_everywhere(world):
    before = row_counts()
    routes = patterns_by_name()
    for role in ("admin", "staff", "sponsor", "anonymous"):
        client = Client(enforce_csrf_checks=True)
        if role != "anonymous":
            client.force_login(world.users[role])
        for name in project_url_names():
            url = reverse(name, kwargs=url_kwargs(name, routes[name], world))
            response = client.post(url, {"title": "Forged", "reason": "Forged", "confirm": "yes"})
            assert response.status_code == 403, f"POST {name} ({url}) as {role} without a token: {response.status_code}"
    assert row_counts() == before


def test_no_get_changes_anything(world):
    before = row_counts()
    routes = patterns_by_name()
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(world.users[role])
        for name in project_url_names():
            if name == "logout":
                continue
            client.get(reverse(name, kwargs=url_kwargs(name, routes[name], world)))
    assert row_counts() == before
