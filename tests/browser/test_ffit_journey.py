"""A readiness audit end to end in a real browser: open, invite, answer by keyboard, close, read the results.

Then the sponsor opens a proposal on that ward and sees the new readiness beside the decision.
"""

import re

from playwright.sync_api import expect

from ffit import charts
from ffit.forms import PROPOSAL_STATUSES
from ffit.questionnaire import SECTIONS
from projects.models import Initiative
from qiportal.models import User, Ward
from tests.browser.conftest import assert_accessible, assert_no_sideways_scroll

WIDE = {"width": 1280, "height": 900}


def _tab_to(page, selector: str, limit: int = 200) -> None:
    """Press Tab until the focused element matches `selector`, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def _answer_by_keyboard(page, score_for_section, *, check_layout: bool = False) -> None:
    for section in SECTIONS:
        expect(page.locator(".nhsuk-caption-l")).to_have_text(f"Section {section.number} of 7")
        if check_layout and section.number == 1:
            assert_accessible(page)
            assert_no_sideways_scroll(page)
            page.set_viewport_size(WIDE)
        score = score_for_section(section.key)
        for item in section.items:
            _tab_to(page, f'input[name="{item.key}"]')
            page.keyboard.press("Space")  # selects 0 – Not at all
            for _ in range(score):
                page.keyboard.press("ArrowDown")  # each moves the choice one point up the scale
            expect(page.locator(f'input[name="{item.key}"]:checked')).to_have_value(str(score))
        _tab_to(page, 'button[name="continue"]')
        with page.expect_navigation():
            page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Check your answers")
    assert_accessible(page)
    _tab_to(page, "form button.nhsuk-button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".nhsuk-panel__title")).to_have_text("Answers submitted")
    assert_accessible(page)


def test_ward_manager_runs_an_audit_with_the_qi_lead(page, live_server, demo, sign_in):
    page.set_viewport_size(WIDE)
    csp_errors = []
    page.on("console", lambda message: "Content Security Policy" in message.text and csp_errors.append(message.text))

    sign_in("wardmanager")
    page.get_by_role("link", name="Readiness audits").first.click()
    expect(page.locator("h1")).to_have_text("Readiness audits")
    assert_accessible(page)
    page.get_by_role("link", name="Open an audit").click()
    expect(page.get_by_label("Which ward is the audit for?")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Which ward is the audit for?").select_option(label="Oak Ward")
    # Only proposals that include Oak Ward are offered (the ward manager's only ward, so it is already chosen).
    manager, oak = User.objects.get(username="wardmanager"), Ward.objects.get(name="Oak Ward")
    offered = Initiative.objects.visible_to(manager).filter(status__in=PROPOSAL_STATUSES)
    on_oak = sorted(
        offered.filter(pk__in=Initiative.objects.touching_ward(oak).values("pk")).values_list("title", flat=True)
    )
    assert offered.count() > len(on_oak)  # there are proposals elsewhere to leave out
    choices = page.get_by_label("Is it for a proposed initiative?").locator("option")
    expect(choices).to_have_count(len(on_oak) + 1)
    assert sorted(choices.all_inner_texts()[1:]) == on_oak
    page.get_by_role("button", name="Open audit").click()

    expect(page.locator("h1")).to_have_text("Invite people to answer")
    assert_accessible(page)
    page.get_by_label(re.compile(r"^Priya Shah")).check()
    page.get_by_role("button", name="Send invitations").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("You invited Priya Shah")
    assert_accessible(page)
    audit_url = page.url

    page.get_by_role("link", name="Start answering").click()
    _answer_by_keyboard(page, lambda key: 1 if key == "resourcing" else 4, check_layout=True)

    sign_in("qilead")
    page.goto(f"{live_server.url}/audits/")
    page.get_by_role("link", name="Oak Ward audit").first.click()
    page.wait_for_url(audit_url)
    page.get_by_role("link", name="Start answering").click()
    _answer_by_keyboard(page, lambda key: 4)

    sign_in("wardmanager")
    page.goto(audit_url)
    page.get_by_role("link", name="Close the audit").click()
    expect(page.get_by_role("button", name="Close the audit")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Close the audit").click()

    expect(page.locator("h1")).to_have_text("Oak Ward readiness results")
    body = page.locator("main").inner_text()
    assert "Please note that FFIT has not been validated and tested." in body
    assert "7 of 35 (20%)" in body and "28 of 35 (80%)" in body and "17.5 of 35 (50%)" in body
    assert "Something to talk about" in body and "staffing levels in the clinical units concerned?" in body
    assert "What to strengthen first" in body and "Securing the resources to do the job" in body
    chart = page.locator(".app-chart img")
    expect(chart).to_have_attribute("alt", re.compile("Resourcing 50%"))
    chart.evaluate("img => img.decode()")  # rejects, failing the test, if the SVG did not load
    # The disagreements sit under a heading for their section.
    expect(page.get_by_role("heading", name="Section 2: Resourcing (7 questions)")).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    # At 320 px the chart's lettering is still at least 12 px high.
    shown = chart.bounding_box()["width"]
    assert charts.LABEL_SIZE * shown / (charts.WIDTH_INCHES * 72) >= 12, shown
    assert not csp_errors, csp_errors

    # The sponsor sees the fresh readiness on the review page of a proposal on Oak Ward.
    proposal = Initiative.objects.get(title="Safer insulin prescribing")
    sign_in("sponsor")
    page.goto(f"{live_server.url}/reviews/{proposal.pk}/")
    oak = page.locator(".nhsuk-card", has_text="Oak Ward: readiness (FFIT)")
    expect(oak).to_contain_text("Latest audit closed on")
    expect(oak).to_contain_text("Resourcing (50%)")
    assert_accessible(page)
