from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import Q
from django.utils.html import format_html

from ffit.questionnaire import SCALE
from projects.models import Initiative, Status
from qiportal import permissions
from qiportal.forms import PatientSafeFormMixin, add_form_token
from qiportal.models import Role, User, Ward, staff_label

PROPOSAL_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.CHANGES_REQUESTED, Status.LIVE)


def openable_wards(user: User):
    """The wards this person may open an audit for: every active ward for admins and QI leads, else their own."""
    wards = Ward.objects.filter(is_active=True).select_related("directorate")
    if not (permissions.is_admin(user) or user.has_role(Role.QI_LEAD)):
        wards = wards.filter(pk__in=user.managed_ward_ids)
    return wards


def _ward_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Ward.objects.none(),
        label="Which ward is the audit for?",
        empty_label="Choose a ward",
        error_messages={"required": "Choose the ward the audit is for", "invalid_choice": "Choose one of the wards"},
    )


class ChooseWardForm(forms.Form):
    """The first step for someone who may audit several wards: the ward, so the next step lists only its
    initiatives. Sent by GET: it changes nothing."""

    ward = _ward_field()

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ward"].queryset = openable_wards(user)
        self.helper = FormHelper(self)
        self.helper.form_method = "get"
        self.helper.add_input(Submit("continue", "Continue"))


class OpenAuditForm(forms.Form):
    ward = _ward_field()
    initiative = forms.ModelChoiceField(
        queryset=Initiative.objects.none(),
        required=False,
        label="Is it for a proposed initiative?",
        empty_label="No, not for a particular initiative",
        help_text="Link it to an initiative so the sponsor sees the result when they review it.",
        error_messages={"invalid_choice": "Choose one of the initiatives"},
    )

    def __init__(self, *args, user: User, ward: Ward | None = None, **kwargs):
        """`ward`, once known, limits the initiatives offered to those that include it."""
        super().__init__(*args, **kwargs)
        self.fields["ward"].queryset = openable_wards(user)
        initiatives = Initiative.objects.visible_to(user).filter(status__in=PROPOSAL_STATUSES)
        if ward is not None:
            initiatives = initiatives.filter(pk__in=Initiative.objects.touching_ward(ward).values("pk"))
            # Help text is shown as written (it may hold markup), so the ward's name is escaped here.
            self.fields["initiative"].help_text = format_html(
                "Initiatives that include {}. Link one so its sponsor sees the result when they review it.", ward
            )
        else:
            initiatives = initiatives.none()
        self.fields["initiative"].queryset = initiatives.order_by("title")
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", "Open audit"))
        add_form_token(self.helper)

    def clean(self):
        cleaned = super().clean()
        ward, initiative = cleaned.get("ward"), cleaned.get("initiative")
        if ward and initiative and not Initiative.objects.touching_ward(ward).filter(pk=initiative.pk).exists():
            self.add_error("initiative", f"Choose an initiative that includes {ward}, or none")
        return cleaned


def _person_label(user: User) -> str:
    return staff_label(user.display_name, user.job_title)


class InviteForm(PatientSafeFormMixin, forms.Form):
    unguarded_fields = ("other",)  # a username or email address to look up, never stored

    people = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Who should answer?",
        help_text="The FFIT suggests the people leading the improvement and the key managers of the ward.",
    )
    other = forms.CharField(
        required=False,
        label="Someone else: their username or email address",
        help_text="Anyone in the staff directory. Leave empty if you have ticked everyone.",
        max_length=254,
    )

    def __init__(self, *args, audit, **kwargs):
        super().__init__(*args, **kwargs)
        ward = audit.ward
        invited = audit.responses.values("respondent_id")
        self.fields["people"].queryset = (
            User.objects.filter(is_active=True)
            .filter(
                Q(wards=ward)
                | Q(roles__role=Role.QI_LEAD)
                | Q(roles__role=Role.WARD_MANAGER, roles__ward=ward)
                | Q(roles__role=Role.SENIOR_MANAGER, roles__directorate=ward.directorate_id)
            )
            .exclude(pk__in=invited)
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        self.fields["people"].label_from_instance = _person_label
        self._invited = invited
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", "Send invitations"))

    def clean_other(self):
        value = self.cleaned_data["other"].strip()
        if not value:
            return None
        person = User.objects.filter(Q(username__iexact=value) | Q(email__iexact=value), is_active=True).first()
        if person is None:
            raise forms.ValidationError("Enter the username or email address of someone in the staff directory")
        if person.pk in {row["respondent_id"] for row in self._invited}:
            raise forms.ValidationError(f"{person.display_name} has already been invited")
        return person

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("people") and not cleaned.get("other"):
            self.add_error("people", "Select at least one person to invite, or enter someone else")
        return cleaned

    def respondents(self) -> list[User]:
        people = list(self.cleaned_data.get("people") or [])
        if self.cleaned_data.get("other"):
            people.append(self.cleaned_data["other"])
        return people


SCALE_CHOICES = [(str(value), f"{value} – {label}") for value, label in SCALE]


class SectionForm(forms.Form):
    """One radio group per item of a section; required only when the person chooses to move on."""

    def __init__(self, *args, section, initial_answers: dict, require_all: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.section = section
        for item in section.items:
            value = initial_answers.get(item.key)
            self.fields[item.key] = forms.TypedChoiceField(
                label=item.text,
                choices=SCALE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                required=require_all,
                initial=None if value is None else str(value),
                error_messages={"required": f"Select an answer for ‘{item.text}’"},
                empty_value=None,
            )
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.label_size = "s"
        self.helper.error_summary = False  # the page shows it above the heading

    def answers(self) -> dict[str, int | None]:
        return {item.key: self.cleaned_data.get(item.key) for item in self.section.items}
