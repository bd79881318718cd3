"""How each person hears about each kind of notification: email now, the weekly digest, or in QI Portal only."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from qiportal.models import Channel, NotificationKind, NotificationPreference

# The digest itself cannot wait for the digest.
DIGEST_CHOICES = [(Channel.EMAIL, "Email me the weekly digest"), (Channel.IN_APP, "Only show it in QI Portal")]


class PreferencesForm(forms.Form):
    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in NotificationKind.choices:
            if kind == NotificationKind.REMINDERS:  # a batch: each item follows its own kind's choice
                continue
            self.fields[kind] = forms.ChoiceField(
                label=label,
                choices=DIGEST_CHOICES if kind == NotificationKind.DIGEST else Channel.choices,
                widget=forms.RadioSelect,
                initial=current.get(kind, Channel.EMAIL),
                error_messages={"required": f"Choose how you hear about ‘{label}’"},
            )
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", "Save preferences"))


@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    """Every signed-in person manages only their own preferences."""
    current = dict(NotificationPreference.objects.filter(user=request.user).values_list("kind", "channel"))
    form = PreferencesForm(request.POST or None, current=current)
    if form.is_valid():
        with transaction.atomic():
            for kind, channel in form.cleaned_data.items():
                NotificationPreference.objects.update_or_create(
                    user=request.user, kind=kind, defaults={"channel": channel}
                )
        messages.success(request, "Your notification preferences are saved.")
        return redirect("notification_preferences")
    return render(
        request,
        "qiportal/notification_preferences.html",
        {
            "form": form,
            "crumbs": [("Home", reverse("home")), ("Notifications", reverse("notification_list"))],
        },
    )
