"""Single sign-on in a real browser, through the test identity provider's own sign-in page: a new person, a
known person, a tampered ID token, one issued to another service, and signing out of both; axe on our pages."""

import pytest
from playwright.sync_api import expect

from qiportal.models import ExternalIdentity, GroupRoleMapping, Role, User
from tests.browser.conftest import assert_accessible, assert_no_sideways_scroll
from tests.factories import UserFactory, WardFactory, with_role
from tests.oidc_provider.fixtures import PERSON_PASSWORD, PROVIDER_NAME


@pytest.fixture
def sso(single_sign_on, live_server, transactional_db):
    single_sign_on.allow_site(live_server.url)
    return single_sign_on


@pytest.fixture
def sign_in_with_provider(page, live_server):
    def _sign_in(username: str):
        page.goto(f"{live_server.url}/accounts/login/")
        expect(page).to_have_title("Sign in – QI Portal")
        page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").click()
        expect(page).to_have_title("Sign in – Test identity provider")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PERSON_PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        return page

    return _sign_in


def add_amara(sso, **changes):
    return sso.provider.add_person(
        "amara",
        sub="entra-oid-amara",
        given_name="Amara",
        family_name="Nwosu",
        email="amara.nwosu@trust.nhs.invalid",
        groups=["grp-qi-coaches"],
        **changes,
    )


def test_the_sign_in_page_with_single_sign_on_is_accessible_and_reflows(page, live_server, sso):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page).to_have_title("Sign in – QI Portal")
    expect(page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}")).to_be_visible()
    expect(page.get_by_label("Username")).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)


def test_a_new_person_signs_in_and_their_account_is_created(page, sso, sign_in_with_provider):
    GroupRoleMapping.objects.create(group="grp-qi-coaches", role=Role.QI_COACH)
    add_amara(sso)
    sign_in_with_provider("amara")
    expect(page).to_have_title("Home – QI Portal")
    expect(page.locator("h1")).to_contain_text("Hello, Amara")
    expect(page.locator(".nhsuk-caption-l").first).to_have_text("QI coach")  # from her group at the provider
    amara = User.objects.get(external_identities__subject="entra-oid-amara")
    assert (amara.get_full_name(), amara.email) == ("Amara Nwosu", "amara.nwosu@trust.nhs.invalid")
    assert_accessible(page)


def test_a_known_person_signs_in_to_their_own_account(page, sso, sign_in_with_provider):
    ward = WardFactory(name="Oak Ward")
    grace = with_role(UserFactory(username="grace", first_name="Grace"), Role.WARD_MANAGER, ward=ward)
    ExternalIdentity.objects.create(user=grace, issuer=sso.provider.issuer, subject="entra-oid-grace")
    sso.provider.add_person("grace", sub="entra-oid-grace", given_name="Grace", email="grace@trust.nhs.invalid")
    sign_in_with_provider("grace")
    expect(page).to_have_title("Home – QI Portal")
    expect(page.locator("h1")).to_contain_text("Hello, Grace")
    expect(page.locator(".nhsuk-caption-l").first).to_have_text("Ward manager")
    assert list(User.objects.values_list("username", flat=True)) == ["grace"]


@pytest.mark.parametrize("mode", ["tampered_id_token", "wrong_audience"])
def test_an_id_token_that_fails_its_checks_is_refused(page, live_server, sso, sign_in_with_provider, mode):
    grace = UserFactory(username="grace")
    ExternalIdentity.objects.create(user=grace, issuer=sso.provider.issuer, subject="entra-oid-grace")
    add_amara(sso)
    sso.provider.misbehave(mode, impersonate="entra-oid-grace")
    sign_in_with_provider("amara")
    expect(page).to_have_title("We could not check your sign-in – QI Portal")
    expect(page.get_by_role("button", name=f"Try signing in with {PROVIDER_NAME} again")).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.goto(f"{live_server.url}/")
    expect(page).to_have_title("Sign in – QI Portal")  # nobody was signed in
    assert list(User.objects.all()) == [grace]


def test_signing_out_ends_the_portal_session_and_the_providers(page, live_server, sso, sign_in_with_provider):
    add_amara(sso)
    sign_in_with_provider("amara")
    expect(page).to_have_title("Home – QI Portal")
    page.get_by_role("button", name="Sign out").click()
    # Our sign-out redirects to the provider's end-session page, which sends the browser back to us.
    expect(page).to_have_title("You have signed out – QI Portal")
    expect(page.get_by_text(f"You have signed out of QI Portal and {PROVIDER_NAME}.")).to_be_visible()
    assert page.url.startswith(f"{live_server.url}/accounts/signed-out/")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.goto(f"{live_server.url}/")
    expect(page).to_have_title("Sign in – QI Portal")
    # The provider's own session ended too: signing in again asks for the password again.
    page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").click()
    expect(page).to_have_title("Sign in – Test identity provider")
