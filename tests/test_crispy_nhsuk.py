"""The NHS.UK crispy template pack (templates/nhsuk/): every widget as its NHS.UK component.

Forms here are built in the tests and rendered through the real template engine, the way a page
renders them with ``{% crispy form %}`` or ``{{ form|crispy }}``.
"""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Button, Fieldset, Hidden, Layout, Submit
from django import forms
from django.conf import settings
from django.template import Context, Template
from pytest_django.asserts import assertInHTML

PACK_DIR = Path(settings.BASE_DIR) / "templates" / "nhsuk"

COLOURS = [("red", "Red"), ("blue", "Blue"), ("green", "Green")]
WARDS = [("oak", "Oak Ward"), ("heron", "Heron Ward")]


class Elements(HTMLParser):
    """Every start tag of a page, in order, as (tag, attrs) with attrs as a dict."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def by_id(self, element_id: str) -> dict[str, str | None]:
        matches = [attrs for _, attrs in self.found if attrs.get("id") == element_id]
        assert len(matches) == 1, f"expected one element with id={element_id!r}, found {len(matches)}"
        return matches[0]

    def with_class(self, css_class: str) -> list[dict[str, str | None]]:
        return [attrs for _, attrs in self.found if css_class in (attrs.get("class") or "").split()]

    def ids(self) -> set[str]:
        return {attrs["id"] for _, attrs in self.found if attrs.get("id")}

    def hrefs(self) -> list[str]:
        return [attrs["href"] for tag, attrs in self.found if tag == "a" and attrs.get("href")]


def classes(attrs: dict[str, str | None]) -> set[str]:
    return set((attrs.get("class") or "").split())


def describedby(attrs: dict[str, str | None]) -> list[str]:
    return (attrs.get("aria-describedby") or "").split()


class ReferralForm(forms.Form):
    """One field of every widget type the pack handles."""

    title = forms.CharField(
        label="Initiative title",
        help_text="Use a few words the team will recognise",
        error_messages={"required": "Enter a title"},
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-20", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label="Email address", required=False, error_messages={"invalid": "Enter a valid email address"}
    )
    website = forms.URLField(label="Web page", required=False, assume_scheme="https")
    password = forms.CharField(label="Password", widget=forms.PasswordInput, required=False)
    beds = forms.IntegerField(label="Number of beds", error_messages={"invalid": "Enter a whole number"})
    start_on = forms.DateField(
        label="Start date",
        help_text="For example, 4 March 2026",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    summary = forms.CharField(label="Summary", widget=forms.Textarea, error_messages={"required": "Enter a summary"})
    priority = forms.ChoiceField(
        label="Priority",
        choices=[("", "Choose a priority"), ("high", "High"), ("low", "Low")],
        error_messages={"required": "Select a priority"},
    )
    wards = forms.MultipleChoiceField(label="Wards on the list", choices=WARDS, required=False)
    colour = forms.ChoiceField(
        label="Colour",
        choices=COLOURS,
        widget=forms.RadioSelect,
        help_text="Pick the closest",
        error_messages={"required": "Select a colour"},
    )
    teams = forms.MultipleChoiceField(
        label="Teams involved",
        choices=WARDS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one team"},
    )
    confirm = forms.BooleanField(
        label="I have agreed this with my ward manager",
        help_text="Your ward manager will be told",
        error_messages={"required": "Confirm you have agreed this with your ward manager"},
    )
    newsletter = forms.BooleanField(label="Send me updates", required=False)
    evidence = forms.FileField(label="Supporting evidence", required=False)
    next_url = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", "Save and continue"))
        self.helper.add_input(Button("cancel", "Cancel", css_class="nhsuk-button--secondary"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("newsletter") and not cleaned.get("email"):
            raise forms.ValidationError("Give an email address to get updates")
        return cleaned


VALID_DATA = {
    "title": "Falls huddle",
    "beds": "24",
    "start_on": "2026-03-04",
    "summary": "A daily huddle.",
    "priority": "high",
    "colour": "blue",
    "teams": ["oak"],
    "confirm": "on",
}

# Typed by someone who got most things wrong: every one of these must come back on the page.
INVALID_DATA = {
    "title": "",
    "email": "not-an-email",
    "beds": "twenty",
    "start_on": "2026-03-04",
    "summary": "",
    "priority": "",
    "wards": ["heron"],
    "newsletter": "on",
}


def render(template_code: str, **context) -> str:
    context.setdefault("csrf_token", "test-csrf-token")
    return Template("{% load crispy_forms_tags %}" + template_code).render(Context(context))


def crispy(form, **context) -> str:
    return render("{% crispy form %}", form=form, **context)


@pytest.fixture
def blank_page():
    return crispy(ReferralForm())


@pytest.fixture
def invalid_form():
    form = ReferralForm(data=INVALID_DATA)
    assert not form.is_valid()
    return form


@pytest.fixture
def invalid_page(invalid_form):
    return crispy(invalid_form)


# The form itself


def test_form_is_novalidate_post_with_csrf_token(blank_page):
    form_tag = Elements(blank_page).found[0]
    assert form_tag[0] == "form"
    assert form_tag[1]["method"] == "post"
    assert "novalidate" in form_tag[1]
    assert form_tag[1]["enctype"] == "multipart/form-data"  # the form has a file field
    assertInHTML('<input type="hidden" name="csrfmiddlewaretoken" value="test-csrf-token">', blank_page)


def test_get_form_has_no_csrf_token():
    form = ReferralForm()
    form.helper.form_method = "get"
    page = crispy(form)
    assert 'method="get"' in page
    assert "csrfmiddlewaretoken" not in page


def test_form_tag_can_be_left_to_the_page():
    form = ReferralForm()
    form.helper.form_tag = False
    page = crispy(form)
    assert "<form" not in page
    assert 'name="title"' in page
    # As in crispy's own packs the token stays, for the page's <form>, unless the helper turns it off.
    assert "csrfmiddlewaretoken" in page
    form.helper.disable_csrf = True
    assert "csrfmiddlewaretoken" not in crispy(form)


def test_blank_form_has_no_error_markup(blank_page):
    assert "nhsuk-error-summary" not in blank_page
    assert "nhsuk-error-message" not in blank_page
    assert "--error" not in blank_page
    assert "aria-invalid" not in blank_page


def test_no_inline_styles_or_scripts_in_any_output(blank_page, invalid_page):
    for page in (blank_page, invalid_page):
        assert "style=" not in page
        assert "<script" not in page
        assert " onclick=" not in page


def test_no_inline_styles_or_scripts_in_the_pack_templates():
    templates = list(PACK_DIR.rglob("*.html"))
    assert len(templates) >= 15  # the pack: forms, fields, errors and the layout objects the app uses
    for path in templates:
        text = path.read_text()
        assert "style=" not in text, path
        assert "<script" not in text, path


# Labels, hints and "(optional)"


def test_required_fields_are_not_marked_and_optional_ones_say_so(blank_page):
    assertInHTML('<label class="nhsuk-label" for="id_title">Initiative title</label>', blank_page)
    assertInHTML('<label class="nhsuk-label" for="id_email">Email address (optional)</label>', blank_page)
    assertInHTML('<label class="nhsuk-label" for="id_evidence">Supporting evidence (optional)</label>', blank_page)
    assertInHTML('<legend class="nhsuk-fieldset__legend">Colour</legend>', blank_page)
    assert "*" not in blank_page


def test_single_checkbox_label_is_never_marked_optional(blank_page):
    assertInHTML(
        '<label class="nhsuk-label nhsuk-checkboxes__label" for="id_newsletter">Send me updates</label>', blank_page
    )


def test_hint_is_linked_by_aria_describedby(blank_page):
    page = Elements(blank_page)
    assertInHTML(
        '<div class="nhsuk-hint" id="id_title_helptext">Use a few words the team will recognise</div>', blank_page
    )
    assert describedby(page.by_id("id_title")) == ["id_title_helptext"]
    assert describedby(page.by_id("id_start_on")) == ["id_start_on_helptext"]
    assert "aria-describedby" not in page.by_id("id_beds")  # no hint, no error: nothing to describe


def test_label_size_comes_from_the_helper():
    form = ReferralForm()
    form.helper.label_size = "s"
    page = crispy(form)
    assertInHTML('<label class="nhsuk-label nhsuk-label--s" for="id_beds">Number of beds</label>', page)
    assertInHTML('<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Colour</legend>', page)


# Each widget as its NHS.UK component


@pytest.mark.parametrize(
    ("field_id", "tag", "input_type", "expected_classes"),
    [
        ("id_title", "input", "text", {"nhsuk-input", "nhsuk-input--width-20"}),
        ("id_email", "input", "email", {"nhsuk-input"}),
        ("id_website", "input", "url", {"nhsuk-input"}),
        ("id_password", "input", "password", {"nhsuk-input"}),
        ("id_beds", "input", "number", {"nhsuk-input"}),
        ("id_start_on", "input", "date", {"nhsuk-input"}),
        ("id_summary", "textarea", None, {"nhsuk-textarea"}),
        ("id_priority", "select", None, {"nhsuk-select"}),
        ("id_wards", "select", None, {"nhsuk-select"}),
        ("id_evidence", "input", "file", {"nhsuk-file-upload__input"}),
        ("id_confirm", "input", "checkbox", {"nhsuk-checkboxes__input"}),
    ],
)
def test_each_widget_gets_its_nhsuk_class(blank_page, field_id, tag, input_type, expected_classes):
    tags = {attrs.get("id"): found_tag for found_tag, attrs in Elements(blank_page).found}
    attrs = Elements(blank_page).by_id(field_id)
    assert tags[field_id] == tag
    assert attrs.get("type") == input_type
    assert expected_classes <= classes(attrs)


def test_widget_attrs_are_kept(blank_page):
    title = Elements(blank_page).by_id("id_title")
    assert title["autocomplete"] == "off"
    assert "multiple" in Elements(blank_page).by_id("id_wards")


def test_every_visible_field_sits_in_a_form_group(blank_page):
    page = Elements(blank_page)
    groups = {attrs["id"] for attrs in page.with_class("nhsuk-form-group") if attrs.get("id")}
    visible = [name for name, field in ReferralForm().fields.items() if not field.widget.is_hidden]
    assert groups == {f"div_id_{name}" for name in visible}


def test_hidden_field_is_a_bare_hidden_input(blank_page):
    assertInHTML('<input type="hidden" name="next_url" id="id_next_url">', blank_page)
    assert "div_id_next_url" not in blank_page


def test_radios_are_a_fieldset_with_legend_and_hint(blank_page):
    page = Elements(blank_page)
    assert describedby(page.by_id("div_id_colour")) == []
    fieldset = [attrs for tag, attrs in page.found if tag == "fieldset" and "id_colour_helptext" in describedby(attrs)]
    assert len(fieldset) == 1
    radios = page.with_class("nhsuk-radios")
    assert len(radios) == 1
    assert radios[0]["data-module"] == "nhsuk-radios"
    assert "nhsuk-radios--inline" not in classes(radios[0])
    inputs = page.with_class("nhsuk-radios__input")
    assert [(attrs["id"], attrs["value"], attrs["type"]) for attrs in inputs] == [
        ("id_colour", "red", "radio"),
        ("id_colour_1", "blue", "radio"),
        ("id_colour_2", "green", "radio"),
    ]
    assertInHTML('<label class="nhsuk-label nhsuk-radios__label" for="id_colour_1">Blue</label>', blank_page)


def test_radios_go_inline_when_the_widget_asks():
    form = ReferralForm()
    form.fields["colour"].widget.attrs["class"] = "nhsuk-radios--inline"
    radios = Elements(crispy(form)).with_class("nhsuk-radios")
    assert classes(radios[0]) == {"nhsuk-radios", "nhsuk-radios--inline"}


def test_checkbox_group_is_a_fieldset_of_nhsuk_checkboxes(blank_page):
    page = Elements(blank_page)
    inputs = page.with_class("nhsuk-checkboxes__input")
    group = [(attrs["id"], attrs.get("name"), attrs["type"]) for attrs in inputs if attrs.get("name") == "teams"]
    assert group == [("id_teams", "teams", "checkbox"), ("id_teams_1", "teams", "checkbox")]
    assertInHTML('<legend class="nhsuk-fieldset__legend">Teams involved</legend>', blank_page)
    assertInHTML('<label class="nhsuk-label nhsuk-checkboxes__label" for="id_teams">Oak Ward</label>', blank_page)


def test_single_checkbox_is_one_nhsuk_checkbox_with_item_hint(blank_page):
    page = Elements(blank_page)
    confirm = page.by_id("id_confirm")
    assert confirm["type"] == "checkbox"
    assert describedby(confirm) == ["id_confirm_helptext"]
    assertInHTML(
        '<div class="nhsuk-hint nhsuk-checkboxes__hint" id="id_confirm_helptext">Your ward manager will be told</div>',
        blank_page,
    )
    assert len(page.with_class("nhsuk-checkboxes")) == 3  # teams, confirm, newsletter


def test_file_field_is_an_nhsuk_file_upload(blank_page):
    group = Elements(blank_page).by_id("div_id_evidence")
    assert {"nhsuk-form-group", "nhsuk-file-upload"} <= classes(group)
    assert group["data-module"] == "nhsuk-file-upload"


def test_textarea_with_max_length_is_a_character_count():
    class NoteForm(forms.Form):
        note = forms.CharField(label="Note", widget=forms.Textarea, max_length=500, help_text="Keep it short")

    page = crispy(NoteForm())
    elements = Elements(page)
    group = elements.by_id("div_id_note")
    assert {"nhsuk-form-group", "nhsuk-character-count"} <= classes(group)
    assert group["data-module"] == "nhsuk-character-count"
    assert group["data-maxlength"] == "500"
    textarea = elements.by_id("id_note")
    assert {"nhsuk-textarea", "nhsuk-js-character-count"} <= classes(textarea)
    assert describedby(textarea) == ["id_note_helptext", "id_note-info"]
    assertInHTML(
        '<div class="nhsuk-hint nhsuk-character-count__message" id="id_note-info">'
        "You can enter up to 500 characters</div>",
        page,
    )

    invalid = NoteForm(data={"note": "x" * 501})
    textarea = Elements(crispy(invalid)).by_id("id_note")
    assert "nhsuk-textarea--error" in classes(textarea)
    assert describedby(textarea) == ["id_note_helptext", "id_note_error", "id_note-info"]


# Errors


def test_error_summary_sits_at_the_top_of_the_form(invalid_page):
    found = Elements(invalid_page).found
    assert found[0][0] == "form"
    assert found[1][1].get("name") == "csrfmiddlewaretoken"
    summary = found[2][1]
    assert summary["class"] == "nhsuk-error-summary"
    assert summary["data-module"] == "nhsuk-error-summary"
    assert summary["tabindex"] == "-1"
    assert found[3][1].get("role") == "alert"
    assertInHTML('<h2 class="nhsuk-error-summary__heading">There is a problem</h2>', invalid_page)


def test_error_summary_links_each_field_error_and_lists_form_errors(invalid_page):
    expected = [
        ("#id_title", "Enter a title"),
        ("#id_email", "Enter a valid email address"),
        ("#id_beds", "Enter a whole number"),
        ("#id_summary", "Enter a summary"),
        ("#id_priority", "Select a priority"),
        ("#id_colour", "Select a colour"),
        ("#id_teams", "Select at least one team"),
        ("#id_confirm", "Confirm you have agreed this with your ward manager"),
    ]
    for href, message in expected:
        assertInHTML(f'<li><a href="{href}">{message}</a></li>', invalid_page)
    # A form-wide error has no one field to link to.
    assertInHTML("<li>Give an email address to get updates</li>", invalid_page)
    assert Elements(invalid_page).hrefs() == [href for href, _ in expected]


def test_every_error_summary_link_lands_on_a_control(invalid_page):
    page = Elements(invalid_page)
    for href in page.hrefs():
        tag = next(tag for tag, attrs in page.found if attrs.get("id") == href[1:])
        assert tag in {"input", "select", "textarea"}, href


@pytest.mark.parametrize(
    ("name", "message", "control_class"),
    [
        ("title", "Enter a title", "nhsuk-input--error"),
        ("email", "Enter a valid email address", "nhsuk-input--error"),
        ("beds", "Enter a whole number", "nhsuk-input--error"),
        ("summary", "Enter a summary", "nhsuk-textarea--error"),
        ("priority", "Select a priority", "nhsuk-select--error"),
    ],
)
def test_invalid_field_shows_its_error_message(invalid_page, name, message, control_class):
    page = Elements(invalid_page)
    assert "nhsuk-form-group--error" in classes(page.by_id(f"div_id_{name}"))
    assertInHTML(
        f'<span class="nhsuk-error-message" id="id_{name}_error">'
        f'<span class="nhsuk-u-visually-hidden">Error:</span> {message}</span>',
        invalid_page,
    )
    control = page.by_id(f"id_{name}")
    assert control_class in classes(control)
    assert control["aria-invalid"] == "true"
    assert f"id_{name}_error" in describedby(control)


def test_error_and_hint_both_describe_the_control(invalid_page):
    assert describedby(Elements(invalid_page).by_id("id_title")) == ["id_title_helptext", "id_title_error"]


def test_radio_and_checkbox_group_errors_describe_the_fieldset(invalid_page):
    page = Elements(invalid_page)
    fieldsets = [describedby(attrs) for tag, attrs in page.found if tag == "fieldset"]
    assert ["id_colour_helptext", "id_colour_error"] in fieldsets
    assert ["id_teams_error"] in fieldsets
    assert "nhsuk-form-group--error" in classes(page.by_id("div_id_colour"))
    assert "nhsuk-form-group--error" in classes(page.by_id("div_id_teams"))
    assert "nhsuk-form-group--error" in classes(page.by_id("div_id_confirm"))
    assert "id_confirm_error" in describedby(page.by_id("id_confirm"))


def test_valid_fields_in_an_invalid_form_show_no_error(invalid_page):
    page = Elements(invalid_page)
    assert "nhsuk-form-group--error" not in classes(page.by_id("div_id_start_on"))
    assert "nhsuk-input--error" not in classes(page.by_id("id_start_on"))


def test_typed_values_come_back_after_an_error():
    form = ReferralForm(
        data={
            **INVALID_DATA,
            "title": "Falls <huddle>",
            "summary": "Line one\nLine two",
            "priority": "low",
            "colour": "green",
            "teams": ["heron"],
            "confirm": "on",
        }
    )
    assert not form.is_valid()
    page = crispy(form)
    elements = Elements(page)
    assert elements.by_id("id_title")["value"] == "Falls <huddle>"
    assert "Falls &lt;huddle&gt;" in page  # escaped, not trusted
    assert elements.by_id("id_email")["value"] == "not-an-email"
    assert elements.by_id("id_beds")["value"] == "twenty"
    assert elements.by_id("id_start_on")["value"] == "2026-03-04"
    assert "Line one\nLine two</textarea>" in page
    assertInHTML('<option value="low" selected>Low</option>', page)
    assertInHTML('<option value="heron" selected>Heron Ward</option>', page)
    assert "checked" in elements.by_id("id_colour_2")
    assert "checked" not in elements.by_id("id_colour")
    assert "checked" in elements.by_id("id_teams_1")
    assert "checked" in elements.by_id("id_confirm")
    assert "checked" in elements.by_id("id_newsletter")


def test_valid_form_renders_without_errors():
    form = ReferralForm(data=VALID_DATA)
    assert form.is_valid(), form.errors
    page = crispy(form)
    assert "nhsuk-error-summary" not in page
    assert "nhsuk-error-message" not in page


def test_error_summary_title_can_be_changed_or_left_out(invalid_form):
    invalid_form.helper.form_error_title = "Check your answers"
    assertInHTML('<h2 class="nhsuk-error-summary__heading">Check your answers</h2>', crispy(invalid_form))

    invalid_form.helper.error_summary = False
    page = crispy(invalid_form)
    assert "nhsuk-error-summary" not in page
    assert "nhsuk-error-message" in page  # messages by each field stay


def test_as_crispy_errors_gives_the_summary_alone_for_above_the_heading(invalid_form):
    page = render("{{ form|as_crispy_errors }}", form=invalid_form)
    assert page.strip().startswith('<div class="nhsuk-error-summary"')
    assertInHTML('<li><a href="#id_title">Enter a title</a></li>', page)
    assert "<input" not in page
    assert render("{{ form|as_crispy_errors }}", form=ReferralForm()).strip() == ""


# Buttons


def test_submit_and_secondary_buttons(blank_page):
    assertInHTML(
        '<div class="nhsuk-button-group">'
        '<button class="nhsuk-button" data-module="nhsuk-button" type="submit" name="submit"'
        ' value="Save and continue" id="submit-id-submit" data-prevent-double-click="true">Save and continue</button>'
        '<button class="nhsuk-button nhsuk-button--secondary" data-module="nhsuk-button" type="button" name="cancel"'
        ' value="Cancel" id="button-id-cancel">Cancel</button>'
        "</div>",
        blank_page,
    )
    assert "btn" not in blank_page
    assert '<input type="submit"' not in blank_page


def test_hidden_input_from_the_helper():
    form = ReferralForm()
    form.helper.add_input(Hidden("step", "2"))
    assertInHTML('<input type="hidden" name="step" value="2" id="hidden-id-step">', crispy(form))


# The |crispy filter and a form without a helper


def test_crispy_filter_renders_fields_and_summary_without_a_form_tag(invalid_form):
    page = render("{{ form|crispy }}", form=invalid_form)
    assert "<form" not in page
    assert page.strip().startswith('<div class="nhsuk-error-summary"')
    assertInHTML('<li><a href="#id_title">Enter a title</a></li>', page)
    assert "nhsuk-input--error" in classes(Elements(page).by_id("id_title"))
    assert "nhsuk-radios" in page


def test_form_without_a_helper():
    class NameForm(forms.Form):
        name = forms.CharField(label="Name")

    page = crispy(NameForm())
    assert "novalidate" in page
    assertInHTML('<label class="nhsuk-label" for="id_name">Name</label>', page)
    assert "nhsuk-button" not in page


# Layout objects


def test_the_layout_objects_the_app_uses_render_as_nhsuk_markup():
    """Fieldset, HTML and Submit: the excellence report form groups its questions this way."""

    class PlanForm(forms.Form):
        aim = forms.CharField(label="Aim")
        measure = forms.CharField(label="Measure", required=False)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.helper = FormHelper(self)
            self.helper.layout = Layout(
                Fieldset("Your aim", "aim", "measure"),
                HTML("<p class='nhsuk-body'>Check before you save.</p>"),
            )
            self.helper.add_input(Submit("save", "Save"))

    page = crispy(PlanForm())
    elements = Elements(page)
    assertInHTML('<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">Your aim</legend>', page)
    assert len(elements.with_class("nhsuk-fieldset")) == 1
    assert "Check before you save." in page
    assert len(elements.with_class("nhsuk-button")) == 1
    assert "btn" not in page


@pytest.mark.parametrize("widget", [forms.TextInput(), forms.CheckboxInput()], ids=["text", "checkbox"])
def test_hint_text_is_shown_as_text_not_markup(widget):
    """Hints may carry what people typed (a measure's numerator wording, a ward's name): never run it as markup."""

    class Hinted(forms.Form):
        field = forms.CharField(label="Numerator", required=False, widget=widget)

    form = Hinted()
    form.fields["field"].help_text = 'Patients seen <script>alert("x")</script>'
    html = crispy(form)
    assert "<script>" not in html
    assert "Patients seen &lt;script&gt;" in html
