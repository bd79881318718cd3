"""Issue 17, generated wording: the notification preferences' errors were built by lower-casing each label
("Choose how you hear about pDSA cycles…", "…fFIT audit invitations"). They quote the label as written."""

from qiportal.preferences import PreferencesForm


def test_a_missing_preference_quotes_its_kind_as_written(db):
    form = PreferencesForm({}, current={})
    assert not form.is_valid()
    assert form.errors["pdsa_overdue"] == ["Choose how you hear about ‘PDSA cycles past their planned end’"]
    assert form.errors["ffit_invite"] == ["Choose how you hear about ‘FFIT audit invitations’"]
