from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from qiportal import forms, preferences, views

admin.site.site_header = "QI Portal administration"
admin.site.site_title = "QI Portal admin"
admin.site.index_title = "Organisation and people"

accounts = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=forms.SignInForm,
            redirect_authenticated_user=True,
            extra_context={"failure_limit": settings.AXES_FAILURE_LIMIT},
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password-change/",
        auth_views.PasswordChangeView.as_view(form_class=forms.NhsPasswordChangeForm),
        name="password_change",
    ),
    path("accounts/password-change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(form_class=forms.NhsPasswordResetForm),
        name="password_reset",
    ),
    path("accounts/password-reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=forms.NhsSetPasswordForm),
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
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
