"""Free text a person types: the patient-details guard and a length limit, the same on every model field.

Every model field that holds free text is made here, so the database row, Django admin, the services'
`full_clean()` and every ModelForm refuse patient details (qiportal.pii) and over-long text with the same
messages. Plain forms get the same from `qiportal.forms.PatientSafeFormMixin`. The limits are shown to the
person as an NHS.UK character count (a Textarea with a maxlength, see templates/nhsuk/layout/character_count.html).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible

from qiportal.pii import no_patient_details

# The limits, in characters. A title or a name is a line; a reason or a definition a short text; what happened,
# what was learnt and the problem an initiative tackles a long text. Generous for ward writing, small enough that
# a pasted document is refused with a message rather than stored.
LINE = 200
SHORT = 1_000
MEDIUM = 2_000
LONG = 5_000


@deconstructible
class TextLimit:
    """The length rule with a message a person can act on (Django's own speaks of "this value")."""

    code = "max_length"

    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, value) -> None:
        length = len(value) if isinstance(value, str) else 0
        if length > self.limit:
            raise ValidationError(
                f"Enter {self.limit:,} characters or fewer. You entered {length:,}.",
                code=self.code,
                params={"limit_value": self.limit, "show_value": length},
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, TextLimit) and other.limit == self.limit

    def __hash__(self) -> int:
        return hash(self.limit)


def free_text(verbose_name: str | None = None, *, max_length: int, **kwargs) -> models.TextField:
    """A multi-line text a person types. TextField's own max_length only sizes the form's textarea, so the
    limit is also a validator: it holds in full_clean() and Django admin too."""
    return models.TextField(
        verbose_name, max_length=max_length, validators=[no_patient_details, TextLimit(max_length)], **kwargs
    )


def free_line(verbose_name: str | None = None, *, max_length: int = LINE, **kwargs) -> models.CharField:
    """A one-line text a person types (a title, a name); CharField enforces its max_length itself."""
    return models.CharField(verbose_name, max_length=max_length, validators=[no_patient_details], **kwargs)


def check_text(model: type[models.Model], values: dict[str, str], names: dict[str, str] | None = None) -> None:
    """Run a model's free-text rules on values a service saves without full_clean() (an update of a few fields).

    Errors are keyed by field name, or by `names[field]` when the form calls the field something else.
    """
    errors: dict[str, list[str]] = {}
    for field_name, value in values.items():
        try:
            model._meta.get_field(field_name).run_validators(value or "")
        except ValidationError as error:
            errors[(names or {}).get(field_name, field_name)] = error.messages
    if errors:
        raise ValidationError(errors)


def limit_of(model: type[models.Model], field_name: str) -> int:
    """A model field's length limit, for a plain form field that feeds it (one number, in the model)."""
    return model._meta.get_field(field_name).max_length
