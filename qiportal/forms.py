from crispy_forms.helper import FormHelper
from crispy_forms.layout import Hidden, Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from qiportal import once
from qiportal.fields import TextLimit, limit_of
from qiportal.pii import no_patient_details

# CharFields that hold something other than prose: an address, a link, a code.
NOT_PROSE = (forms.EmailField, forms.URLField, forms.SlugField, forms.UUIDField, forms.GenericIPAddressField)


def is_free_text(field: forms.Field) -> bool:
    """A field a person types prose into: a CharField shown as a text input or a textarea."""
    return (
        isinstance(field, forms.CharField)
        and not isinstance(field, NOT_PROSE)
        and isinstance(field.widget, forms.TextInput | forms.Textarea)
    )


def guard_free_text(field: forms.CharField) -> None:
    """The patient-details guard and the length limit's plain message, once, on one form field."""
    if no_patient_details not in field.validators:
        field.validators.append(no_patient_details)
    if field.max_length is not None:
        field.validators = [
            TextLimit(field.max_length) if isinstance(v, MaxLengthValidator) else v for v in field.validators
        ]


def add_form_token(helper: FormHelper) -> None:
    """Give a create form its one-time token; the view that takes it is wrapped in `qiportal.once.submit_once`."""
    helper.add_input(Hidden(once.FIELD, once.new_token()))


class PatientSafeFormMixin:
    """Every free-text field of the form refuses patient details (qiportal.pii) and keeps to its max_length.

    The same messages everywhere, next to the field, with what was typed kept in it; a Textarea with a
    max_length renders as an NHS.UK character count. Fields are guarded by type, so a new one cannot be
    forgotten: `unguarded_fields` names the few text fields that hold no content (a username to look up), and
    tests/security/test_free_text.py checks every form in the project uses this mixin with limits set.
    """

    unguarded_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.guard_free_text()

    def guard_free_text(self) -> None:
        for name, field in self.fields.items():
            if name not in self.unguarded_fields and is_free_text(field):
                guard_free_text(field)

    def full_clean(self):
        self.guard_free_text()  # fields a subclass added after __init__
        super().full_clean()


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to its field when it names one, else at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def text_box(model, name: str, label: str | None, *, rows: int = 3, required: str | None = None, **kwargs):
    """A plain form's box for a text a model field keeps (`model.name`): the field's length limit (the page shows it
    as the NHS.UK character count), `rows` lines high, and `required` the message when it is left empty, or None
    when it may be. The patient-details guard comes from PatientSafeFormMixin, as for any free text."""
    return forms.CharField(
        label=label,
        max_length=limit_of(model, name),
        widget=forms.Textarea(attrs={"rows": rows}),
        required=required is not None,
        error_messages={"required": required} if required else None,
        **kwargs,
    )


def required_when(field: forms.Field, when: str) -> forms.Field:
    """Mark a field that is needed only in some cases (the form's clean() or a service checks it): its label then
    never says "(optional)", and its hint starts with `when`, for example "Needed if you accept the load for
    now."."""
    field.conditionally_required = True
    field.help_text = f"{when} {field.help_text}".strip() if field.help_text else when
    return field


def _helper(form: forms.Form, button: str) -> FormHelper:
    helper = FormHelper(form)
    helper.add_input(Submit("submit", button))
    return helper


class SignInForm(PatientSafeFormMixin, AuthenticationForm):
    unguarded_fields = ("username",)  # looked up, never stored

    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account has been switched off. Ask the service's administrator to switch it back on.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["username"].widget.attrs.update({"spellcheck": "false", "autocapitalize": "none"})
        self.helper = _helper(self, "Sign in")


class NhsPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].error_messages["required"] = "Enter your current password"
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"
        self.helper = _helper(self, "Change password")


class NhsPasswordResetForm(PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Your work email address"
        self.fields["email"].error_messages["required"] = "Enter your work email address"
        self.fields["email"].error_messages["invalid"] = (
            "Enter an email address in the correct format, like name@nhs.net"
        )
        self.helper = _helper(self, "Send reset link")


class NhsSetPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"
        self.helper = _helper(self, "Save new password")
