from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout, Submit
from django import forms
from django.utils import timezone

from excellence.models import Conversation, ExcellenceReport, RecipientResponse, Theme
from qiportal.forms import PatientSafeFormMixin, add_form_token, required_when, text_box
from qiportal.models import User, Ward, people_choices, staff_label
from qiportal.widgets import CheckboxPicker, DateField

NO_PATIENT_DETAILS = (
    '<div class="nhsuk-warning-callout"><h2 class="nhsuk-warning-callout__label">'
    '<span role="text"><span class="nhsuk-u-visually-hidden">Important: </span>No patient details</span></h2>'
    "<p>Do not include any patient details: no names, NHS numbers, hospital numbers or dates of birth. "
    "Describe what staff did.</p></div>"
)
YES_NO = [("yes", "Yes"), ("no", "No")]


class StaffChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return staff_label(user.display_name, user.job_title)


class ReportForm(PatientSafeFormMixin, forms.Form):
    recipients = required_when(
        StaffChoiceField(
            label="Which colleagues are you reporting?",
            help_text="Choose one or more people.",
            queryset=User.objects.none(),
            required=False,
            widget=CheckboxPicker(noun="colleagues"),
        ),
        "Needed unless you choose a whole team or ward below.",
    )
    team_ward = required_when(
        forms.ModelChoiceField(
            label="Or a whole team or ward",
            help_text="Choose a ward to praise the whole team. Its ward manager is told.",
            queryset=Ward.objects.none(),
            required=False,
            empty_label="No team – only the colleagues above",
        ),
        "Needed if you chose no colleague above.",
    )
    ward = forms.ModelChoiceField(
        label="Where did it happen?",
        queryset=Ward.objects.none(),
        empty_label="Choose a ward",
        error_messages={"required": "Choose the ward where it happened"},
    )
    happened_on = DateField(
        label="When did it happen?",
        subject="The date it happened",
        help_text="For example, 17 3 2026",
        error_messages={"required": "Enter the date it happened"},
    )
    what_happened = text_box(
        ExcellenceReport, "what_happened", "What happened?", rows=4, required="Enter what happened"
    )
    why_excellent = text_box(
        ExcellenceReport, "why_excellent", "Why was it excellent?", required="Enter why it was excellent"
    )
    difference_made = text_box(
        ExcellenceReport,
        "difference_made",
        "What difference did it make?",
        required="Enter what difference it made",
        help_text="To patients, their families or colleagues.",
    )
    organisation_learning = text_box(
        ExcellenceReport, "organisation_learning", "What could the organisation learn from it?"
    )
    tags = forms.ModelMultipleChoiceField(
        label="Which of our values and themes does it show?",
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    share = forms.ChoiceField(
        label="Are you happy for this report to be shared more widely?",
        help_text="If you and the people you report agree, it appears on the excellence wall for all staff.",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the report may be shared more widely"},
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = User.objects.filter(is_active=True).exclude(pk=user.pk)
        # Every colleague, read as plain values for the checkboxes (what is sent is checked against the queryset).
        self.fields["recipients"].widget.choices = people_choices(self.fields["recipients"].queryset, staff_label)
        wards = Ward.objects.filter(is_active=True)
        self.fields["team_ward"].queryset = wards
        self.fields["ward"].queryset = wards
        self.fields["tags"].queryset = Theme.objects.filter(is_active=True)
        first_ward = user.wards.filter(is_active=True).first()
        if first_ward and not self.is_bound:
            self.initial.setdefault("ward", first_ward.pk)
        self.initial.setdefault("happened_on", timezone.localdate())
        self.helper = FormHelper(self)
        self.helper.layout = Layout(
            HTML(NO_PATIENT_DETAILS),
            Fieldset("Who are you reporting?", "recipients", "team_ward"),
            "ward",
            "happened_on",
            "what_happened",
            "why_excellent",
            "difference_made",
            "organisation_learning",
            "tags",
            "share",
        )
        self.helper.add_input(Submit("submit", "Send report"))
        add_form_token(self.helper)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("recipients") and not cleaned.get("team_ward") and "recipients" not in self.errors:
            self.add_error("recipients", "Choose at least one colleague, or a whole team or ward")
        happened_on = cleaned.get("happened_on")
        if happened_on and happened_on > timezone.localdate():
            self.add_error("happened_on", "The date it happened must be today or in the past")
        return cleaned


class ThankYouForm(PatientSafeFormMixin, forms.Form):
    message = text_box(
        RecipientResponse,
        "thank_you_message",
        "Your message to the person who reported this",
        help_text="Do not include any patient details.",
    )

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, prefix="thanks", **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_action = action
        self.helper.add_input(Submit("submit", "Say thank you"))


class SharingForm(forms.Form):
    share = forms.ChoiceField(
        label="May this report appear on the excellence wall?",
        help_text="It appears on the wall only when the reporter and everyone it is about agree.",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether this report may appear on the excellence wall"},
    )

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, prefix="sharing", **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_action = action
        self.helper.add_input(Submit("submit", "Save sharing choice", css_class="nhsuk-button--secondary"))


class ConversationForm(PatientSafeFormMixin, forms.Form):
    held_on = DateField(
        label="When was the conversation?",
        subject="The date of the conversation",
        help_text="For example, 17 3 2026",
        error_messages={"required": "Enter the date of the conversation"},
    )
    participants = StaffChoiceField(
        label="Who took part?",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose who took part"},
    )
    strengths = text_box(
        Conversation,
        "strengths",
        "Strengths: what went well, and what made it work?",
        required="Enter the strengths you talked about",
    )
    opportunities = text_box(Conversation, "opportunities", "Opportunities: where else could this help?")
    aspirations = text_box(Conversation, "aspirations", "Aspirations: what would we like to see more of?")
    results = text_box(Conversation, "results", "Results: how will we know it is making a difference?")
    what_to_spread = text_box(Conversation, "what_to_spread", "What could we spread?")

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = participants
        self.initial.setdefault("held_on", timezone.localdate())
        self.helper = FormHelper(self)
        self.helper.layout = Layout(
            HTML(NO_PATIENT_DETAILS),
            "held_on",
            "participants",
            Fieldset(
                "Strengths, opportunities, aspirations, results (SOAR)",
                "strengths",
                "opportunities",
                "aspirations",
                "results",
            ),
            "what_to_spread",
        )
        self.helper.add_input(Submit("submit", "Save conversation"))
