from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.backends import LoginBusy
from accounts.models import (
    Decision,
    Level,
    Membership,
    Organisation,
    ProfessionalSeries,
    ProfileFact,
    Region,
    SecurityEvent,
)
from accounts.validators import (
    validate_id_number,
    validate_phone,
    validate_uscc,
    validate_visible_text,
)
from portal.widgets import IsoDateInput

# The longest text a search box accepts (names are at most 50 characters, ID numbers 18).
SEARCH_MAX_LENGTH = 50


class LoginForm(AuthenticationForm):
    """Django's log-in form; when every password-check place stays taken, the person is told
    to try again (``accounts.backends.LoginBusy``) rather than waiting without end."""

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except LoginBusy:
            raise ValidationError(
                _("Many people are logging in right now. Please try again in a moment."),
                code="busy",
            ) from None


class _PasswordPairMixin(forms.Form):
    username = forms.CharField(
        label=_("Username"), max_length=150, validators=[validate_visible_text]
    )
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password_again = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput, strip=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = data.get("password")
        if password and password != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        elif password:
            # Checked again by the service; here so every problem shows on the first submit.
            try:
                validate_password(password)
            except ValidationError as exc:
                self.add_error("password", exc)
        return data


class _SeriesField(forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=ProfessionalSeries.objects.filter(is_active=True),
            to_field_name="code",
            widget=forms.CheckboxSelectMultiple,
            label=_("Professional series"),
            **kwargs,
        )


class PersonRegistrationForm(_PasswordPairMixin):
    real_name = forms.CharField(
        label=_("Real name"), max_length=50, validators=[validate_visible_text]
    )
    id_number = forms.CharField(
        label=_("ID number"), max_length=18, min_length=18, validators=[validate_id_number]
    )
    phone = forms.CharField(label=_("Mobile phone"), max_length=11, validators=[validate_phone])
    series = _SeriesField()

    def clean_id_number(self) -> str:
        return str(self.cleaned_data["id_number"]).strip().upper()


class _OrganisationFields(forms.Form):
    name = forms.CharField(
        label=_("Organisation name"), max_length=120, validators=[validate_visible_text]
    )
    region = forms.ModelChoiceField(queryset=Region.objects.all(), label=_("Region"))
    contact_name = forms.CharField(
        label=_("Contact person"), max_length=50, validators=[validate_visible_text]
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"), max_length=11, validators=[validate_phone]
    )


class EmployerRegistrationForm(_PasswordPairMixin, _OrganisationFields):
    uscc = forms.CharField(
        label=_("Unified social credit code"), max_length=18, validators=[validate_uscc]
    )

    field_order = ["name", "uscc", "region", "contact_name", "contact_phone", "username"]

    def clean_uscc(self) -> str:
        return str(self.cleaned_data["uscc"]).strip().upper()


class AuthorityRegistrationForm(_PasswordPairMixin, _OrganisationFields):
    level = forms.ChoiceField(choices=Level.choices, label=_("Level"))
    parent = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label=_("Parent authority (city and district level)"),
    )
    series = _SeriesField()

    field_order = ["name", "level", "parent", "region", "series", "contact_name"]

    def __init__(self, *args: Any, parents: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if parents is not None:
            self.fields["parent"].queryset = parents  # type: ignore[attr-defined]


class InstitutionRegistrationForm(_PasswordPairMixin, _OrganisationFields):
    level = forms.ChoiceField(
        choices=[(Level.CITY, Level.CITY.label), (Level.PROVINCE, Level.PROVINCE.label)],
        label=_("Level"),
        help_text=_("City or above; a Guangzhou institution chooses city."),
    )

    field_order = ["name", "level", "region", "contact_name", "contact_phone", "username"]


class OrganisationEditForm(_OrganisationFields):
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=18,
        validators=[validate_uscc],
        required=False,
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "name": organisation.name,
                "region": organisation.region_id,
                "contact_name": organisation.contact_name,
                "contact_phone": organisation.contact_phone,
                "uscc": organisation.uscc,
            },
        )
        super().__init__(*args, **kwargs)
        if organisation.kind != Organisation.Kind.EMPLOYER:
            del self.fields["uscc"]


class ProfileForm(forms.Form):
    phone = forms.CharField(label=_("Mobile phone"), max_length=11, validators=[validate_phone])
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("Used to reset your password if you forget it."),
    )
    series = _SeriesField()


class BindForm(forms.Form):
    uscc = forms.CharField(
        label=_("Employer's unified social credit code"),
        max_length=18,
        validators=[validate_uscc],
        help_text=_("Ask your employer's CE administrator for it."),
    )

    def clean_uscc(self) -> str:
        return str(self.cleaned_data["uscc"]).strip().upper()


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=Decision.choices, widget=forms.RadioSelect, label=_("Decision")
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you reject or return."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("decision") in (Decision.REJECT, Decision.RETURN)
            and not (data.get("reason") or "").strip()
        ):
            self.add_error("reason", _("Give a reason when you reject or return."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)


class MemberAddForm(forms.Form):
    username = forms.CharField(
        label=_("Username"), max_length=150, validators=[validate_visible_text]
    )
    role = forms.ChoiceField(
        choices=Membership.Role.choices, label=_("Role"), initial=Membership.Role.STAFF
    )
    password = forms.CharField(
        label=_("Password for a new sub-account"),
        required=False,
        strip=False,
        widget=forms.PasswordInput,
        help_text=_(
            "Leave empty to invite an existing login: it becomes a member once it accepts."
        ),
    )


class MemberUpdateForm(forms.Form):
    ACTIONS = (("role", _("Change role")), ("remove", _("Remove")))

    action = forms.ChoiceField(choices=ACTIONS)
    role = forms.ChoiceField(choices=Membership.Role.choices, required=False)


class InvitationAnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=(("accept", _("Accept")), ("decline", _("Decline"))))


class StaffAddForm(forms.Form):
    id_number = forms.CharField(
        label=_("ID number"), max_length=18, min_length=18, validators=[validate_id_number]
    )


class AuditFilterForm(forms.Form):
    """Filters of the audit page; every field is optional and a bad value is simply ignored."""

    SECURITY = "security"
    OTHER = "other"

    kind = forms.ChoiceField(label=_("Kind"), required=False)
    user = forms.CharField(label=_("User"), required=False, max_length=150)
    date_from = forms.DateField(label=_("From date"), required=False, widget=IsoDateInput())
    date_to = forms.DateField(label=_("To date"), required=False, widget=IsoDateInput())

    def __init__(self, *args: Any, security: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = [("", _("All"))]
        if security:
            choices += [(self.SECURITY, _("All security events")), *SecurityEvent.choices]
            choices.append((self.OTHER, _("Everything but security events")))
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = choices

    def filters(self) -> dict[str, Any]:
        """The valid filters, as keyword arguments of `selectors.audit_for_organisation`."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "kind": data["kind"] or "",
            "username": data["user"].strip(),
            "date_from": data["date_from"],
            "date_to": data["date_to"],
        }


class StaffSearchForm(forms.Form):
    """The staff list's search box; a name or an ID number is short, so a long text is refused
    (it would only make a slow query)."""

    q = forms.CharField(label=_("Name or ID number"), required=False, max_length=SEARCH_MAX_LENGTH)

    def search(self) -> str:
        """The search text, or "" when there is none or it is invalid (see ``errors``)."""
        if not self.is_valid():
            return ""
        return str(self.cleaned_data["q"]).strip()


# --- Profile facts ------------------------------------------------------------------------------


class _FactForm(forms.Form):
    """One profile fact (the page posts its kind beside it, and prefixes each form with its
    kind); the file is checked by content in the service (``portal.uploads``)."""

    kind_value = ""


class AccountingFactForm(_FactForm):
    kind_value = ProfileFact.Kind.ACCOUNTING_START
    basis = forms.ChoiceField(
        label=_("What the date is"),
        choices=ProfileFact.Basis.choices,
        widget=forms.RadioSelect,
    )
    on = forms.DateField(label=_("Date"), widget=IsoDateInput)
    proof = forms.FileField(
        label=_("Qualification certificate"),
        required=False,
        help_text=_(
            "A scan or photo (PDF, JPEG or PNG) of your accounting qualification certificate; "
            "needed when the date is the qualification's."
        ),
    )


class ArchivesFactForm(_FactForm):
    kind_value = ProfileFact.Kind.ARCHIVES_POST
    on = forms.DateField(label=_("Date you took up the archives post"), widget=IsoDateInput)
    education = forms.ChoiceField(
        label=_("Highest archives-related education"), choices=ProfileFact.Education.choices
    )
    proof = forms.FileField(
        label=_("Diploma"),
        required=False,
        help_text=_(
            "A scan or photo (PDF, JPEG or PNG) of your archives diploma; needed for junior "
            "college or above."
        ),
    )


FACT_FORMS: dict[str, type[_FactForm]] = {
    ProfileFact.Kind.ACCOUNTING_START: AccountingFactForm,
    ProfileFact.Kind.ARCHIVES_POST: ArchivesFactForm,
}


class FactDecisionForm(forms.Form):
    """Confirm or reject a profile fact (no "return": a rejected fact is edited and sent again)."""

    decision = forms.ChoiceField(
        choices=[
            (Decision.APPROVE, _("Confirm")),
            (Decision.REJECT, _("Reject")),
        ],
        widget=forms.RadioSelect,
        label=_("Decision"),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you reject."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == Decision.REJECT and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason when you reject."))
        return data
