from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from qiportal import forms, preferences, views
from qiportal.auth import views as sign_in

admin.site.site_header = "QI Portal administration"
admin.site.site_title = "QI Portal admin"
admin.site.index_title = "Organisation and people"

accounts = [
    path(
        "accounts/login/",
        sign_in.SignInView.as_view(
            authentication_form=forms.SignInForm,
            redirect_authenticated_user=True,
            extra_context={"failure_limit": settings.AXES_FAILURE_LIMIT},
        ),
        name="login",
    ),
    path("accounts/logout/", sign_in.sign_out, name="logout"),
    path(
        "accounts/password-change/",
        sign_in.local_passwords_only(auth_views.PasswordChangeView.as_view(form_class=forms.NhsPasswordChangeForm)),
        name="password_change",
    ),
    path(
        "accounts/password-change/done/",
        sign_in.local_passwords_only(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path(
        "accounts/password-reset/",
        sign_in.local_passwords_only(auth_views.PasswordResetView.as_view(form_class=forms.NhsPasswordResetForm)),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/done/",
        sign_in.local_passwords_only(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        sign_in.local_passwords_only(auth_views.PasswordResetConfirmView.as_view(form_class=forms.NhsSetPasswordForm)),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        sign_in.local_passwords_only(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    # Single sign-on (qiportal/auth/); the admin's own sign-in page follows the same rules as ours.
    path("accounts/sso/start/", sign_in.start, name="sso_start"),
    path("accounts/sso/callback/", sign_in.callback, name="sso_callback"),
    path("accounts/sso/keys/", sign_in.client_keys, name="sso_client_keys"),
    path("accounts/signed-out/", sign_in.signed_out, name="signed_out"),
    path("admin/login/", sign_in.admin_sign_in, name="admin_sign_in"),
    path("admin/logout/", sign_in.sign_out, name="admin_sign_out"),
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/preferences/", preferences.notification_preferences, name="notification_preferences"),
    *accounts,
    # Named by string, so the core imports no app: the composing pages first, then each feature app's.
    path("", include("hub.urls")),
    path("", include("projects.urls")),
    path("audits/", include("ffit.urls")),
    path("measures/", include("runcharts.urls")),
    path("excellence/", include("excellence.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "qiportal.views.permission_denied"
handler404 = "qiportal.views.page_not_found"
handler500 = "qiportal.views.server_error"
