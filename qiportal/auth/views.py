"""Sign-in and sign-out pages: the login page with its "Sign in with …" button, the provider round trip, errors."""

import logging
from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView, redirect_to_login
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from qiportal.auth import client, config, services
from qiportal.auth.problems import SignInProblem

log = logging.getLogger(__name__)

BACKEND = "qiportal.auth.backends.SingleSignOnBackend"
NEXT_KEY = "sso_next"
ID_TOKEN_KEY = "sso_id_token"  # noqa: S105 - a session key's name
END_SESSION_KEY = "sso_end_session_url"


def local_passwords_only(view):
    """Password pages exist only while local passwords are on (LOCAL_PASSWORDS)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not config.local_passwords():
            raise Http404("Local passwords are switched off")
        return view(request, *args, **kwargs)

    return wrapped


class SignInView(LoginView):
    """Django's login page, offering single sign-on when it is set up and the password form while passwords are on."""

    def post(self, request, *args, **kwargs):
        if not config.local_passwords():
            return HttpResponseNotAllowed(["GET"])
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        provider = config.provider()
        next_url = self.get_redirect_url()
        context["local_passwords"] = config.local_passwords()
        if provider:
            context["provider_name"] = provider.name
            context["sso_url"] = reverse("sso_start") + (f"?{urlencode({'next': next_url})}" if next_url else "")
        return context


def _safe_next(request, url: str | None) -> str:
    host, https = {request.get_host()}, request.is_secure()
    return url if url and url_has_allowed_host_and_scheme(url, allowed_hosts=host, require_https=https) else ""


def _provider_or_404() -> config.Provider:
    provider = config.provider()
    if provider is None:
        raise Http404("Single sign-on is not set up")
    return provider


@login_not_required
@require_GET
@never_cache
def start(request):
    """Send the person to the provider to sign in."""
    provider = _provider_or_404()
    next_url = _safe_next(request, request.GET.get("next"))
    if request.user.is_authenticated:
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    try:
        response = client.redirect_to_provider(request, provider, request.build_absolute_uri(reverse("sso_callback")))
    except SignInProblem as problem:
        return _problem_page(request, provider, problem)
    request.session[NEXT_KEY] = next_url
    return response


@login_not_required
@require_GET
@never_cache
def callback(request):
    """The provider sends the person back here: check its answer, find or create them, sign them in."""
    provider = _provider_or_404()
    try:
        verified = client.complete_sign_in(request, provider)
        user = services.sign_in_with_claims(provider=provider, issuer=verified.issuer, claims=verified.claims)
    except SignInProblem as problem:
        return _problem_page(request, provider, problem)
    next_url = request.session.pop(NEXT_KEY, "")
    login(request, user, backend=BACKEND)
    request.session[ID_TOKEN_KEY] = verified.id_token  # the hint the provider's end-session page asks for
    return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


def _problem_page(request, provider: config.Provider, problem: SignInProblem):
    level = logging.ERROR if problem.kind == "misconfigured" else logging.WARNING
    log.log(level, "Single sign-on refused (%s): %r", problem.kind, problem.reason)  # %r: the provider's words
    words = {"provider": provider.name, "missing": _and_list(problem.missing)}
    page = problem.problem
    context = {
        "title": page.title.format(**words),
        "paragraphs": [paragraph.format(**words) for paragraph in page.paragraphs],
        "provider_name": provider.name,
        "retry_url": reverse("sso_start") if page.offer_retry else None,
        "local_passwords": config.local_passwords(),
    }
    return render(request, "registration/sign_in_problem.html", context, status=page.status)


def _and_list(items: tuple[str, ...]) -> str:
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items) or "details"


@require_POST
def sign_out(request):
    """End the portal session and, after single sign-on, the provider's too when it publishes an end-session page."""
    provider = config.provider()
    id_token = request.session.get(ID_TOKEN_KEY)
    logout(request)
    if not (provider and id_token):
        return redirect(settings.LOGOUT_REDIRECT_URL)
    url = client.end_session_url(
        provider, id_token=id_token, post_logout_redirect_uri=request.build_absolute_uri(reverse("signed_out"))
    )
    if url and _form_may_go_to(url):
        return redirect(url)
    # No end-session page, or one the browser would refuse to reach after a form (offered as a link instead).
    request.session[END_SESSION_KEY] = url or ""
    return redirect("signed_out")


def _form_may_go_to(url: str) -> bool:
    """Whether the Content-Security-Policy's form-action lets a form's redirect end at this address."""
    parts = urlsplit(url)
    sources = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"]
    allowed = {config.normalise_issuer(source) for source in sources if "://" in source}
    return config.normalise_issuer(f"{parts.scheme}://{parts.netloc}") in allowed  # CIS2 writes :443, CSP need not


@login_not_required
@require_GET
def signed_out(request):
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    provider = config.provider()
    end_session_url = request.session.pop(END_SESSION_KEY, None)  # None: the provider has ended its session too
    context = {
        "provider_name": provider.name if provider else "",
        "provider_still_signed_in": end_session_url is not None,
        "end_session_url": end_session_url,
    }
    return render(request, "registration/signed_out.html", context)


@login_not_required
def admin_sign_in(request):
    """Django admin's sign-in follows the portal's rule: with local passwords off, only single sign-on."""
    if config.local_passwords():
        return admin.site.login(request)
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


@login_not_required
@require_GET
def client_keys(request):
    """Our public key, for a provider that checks private_key_jwt client authentication (CIS2)."""
    provider = _provider_or_404()
    if provider.token_auth_method != config.PRIVATE_KEY_JWT:
        raise Http404("Single sign-on does not use private_key_jwt")
    return JsonResponse(client.public_key_set(provider))
