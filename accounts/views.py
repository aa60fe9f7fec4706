"""Views: parse → authorise (accounts.permissions) → call one service → render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from accounts import audit, forms, selectors, services
from accounts import home as home_panels
from accounts.middleware import ACTING_ROLE_SESSION_KEY
from accounts.models import (
    Employment,
    Organisation,
    ProfileFact,
    SecurityEvent,
    User,
)
from accounts.permissions import (
    AUTHENTICATED,
    PERSON_ONLY,
    PUBLIC,
    access,
    get_application_for_reviewer,
    get_binding_request_for_employer,
    get_employment_for_employer,
    get_fact_for_employer,
    get_membership_in,
    get_own_employment,
    get_own_fact,
    get_own_invitation,
    get_own_notice,
    get_person_for_user,
    org_access,
)
from accounts.security import security_event
from accounts.throttle import registration_throttle, throttle_hit
from accounts.validators import mask_id_number
from portal import exports
from portal.http import AuthedRequest, stored_file_response
from portal.pagination import paginate
from portal.views import form_submit, post_action

EMPLOYER = Organisation.Kind.EMPLOYER
HRSS = Organisation.Kind.HRSS
AUTHORITY = Organisation.Kind.AUTHORITY


@access(PUBLIC)
def home(request: HttpRequest) -> HttpResponse:
    role = getattr(request, "acting_role", None)
    if request.user.is_authenticated and role:
        return redirect(role.url)
    invitations = (
        selectors.membership_invitations_for(request.user) if request.user.is_authenticated else []
    )
    return render(request, "accounts/landing.html", {"invitations": invitations})


@access(PUBLIC)
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@access(AUTHENTICATED)
@require_POST
def switch_role(request: AuthedRequest) -> HttpResponse:
    key = request.POST.get("role", "")
    option = next((o for o in request.roles if o.key == key), None)
    if option is None:
        messages.error(request, _("You cannot act in that role."))
        return redirect("home")
    request.session[ACTING_ROLE_SESSION_KEY] = option.key
    return redirect(option.url)


# --- Registration ------------------------------------------------------------------------------


@access(PUBLIC)
def register(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/register_choice.html")


def _log_in(request: HttpRequest, user: User) -> None:
    login(request, user, backend="accounts.backends.BoundedModelBackend")


@access(PUBLIC)
@registration_throttle
def register_person(request: HttpRequest) -> HttpResponse:
    form = forms.PersonRegistrationForm(request.POST or None)

    def register(data: dict[str, Any]) -> None:
        person = services.person_register(
            username=data["username"],
            password=data["password"],
            real_name=data["real_name"],
            id_number=data["id_number"],
            phone=data["phone"],
            series_codes=[s.code for s in data["series"]],
        )
        _log_in(request, person.user)

    done = form_submit(
        request, form, register, success=_("Welcome. Your account is ready."), to="home"
    )
    if done:
        return done
    return render(
        request,
        "accounts/register_form.html",
        {"form": form, "title": _("Register as a professional")},
    )


@access(PUBLIC)
@registration_throttle
def register_employer(request: HttpRequest) -> HttpResponse:
    form = forms.EmployerRegistrationForm(request.POST or None)

    def register(data: dict[str, Any]) -> None:
        employer = services.employer_register(
            username=data["username"],
            password=data["password"],
            name=data["name"],
            uscc=data["uscc"],
            region=data["region"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
        )
        _log_in(request, employer.memberships.get().user)

    done = form_submit(
        request, form, register, success=_("Registration sent to HRSS for review."), to="home"
    )
    if done:
        return done
    return render(
        request, "accounts/register_form.html", {"form": form, "title": _("Register an employer")}
    )


@access(PUBLIC)
@registration_throttle
def register_authority(request: HttpRequest) -> HttpResponse:
    form = forms.AuthorityRegistrationForm(
        request.POST or None, parents=selectors.authority_parent_choices()
    )

    def register(data: dict[str, Any]) -> None:
        authority = services.authority_register(
            username=data["username"],
            password=data["password"],
            name=data["name"],
            level=data["level"],
            region=data["region"],
            parent=data["parent"],
            series_codes=[s.code for s in data["series"]],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
        )
        _log_in(request, authority.memberships.get().user)

    done = form_submit(
        request, form, register, success=_("Application sent for review."), to="home"
    )
    if done:
        return done
    return render(
        request,
        "accounts/register_form.html",
        {"form": form, "title": _("Apply as an industry authority")},
    )


@access(PUBLIC)
@registration_throttle
def register_institution(request: HttpRequest) -> HttpResponse:
    form = forms.InstitutionRegistrationForm(request.POST or None)

    def register(data: dict[str, Any]) -> None:
        institution = services.institution_register(
            username=data["username"],
            password=data["password"],
            name=data["name"],
            level=data["level"],
            region=data["region"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
        )
        _log_in(request, institution.memberships.get().user)

    done = form_submit(
        request,
        form,
        register,
        success=_("Filing sent to the HRSS office of your level for review."),
        to="home",
    )
    if done:
        return done
    return render(
        request,
        "accounts/register_form.html",
        {"form": form, "title": _("Register a teaching institution")},
    )


# --- Person ------------------------------------------------------------------------------------


@access(PERSON_ONLY)
def me(request: AuthedRequest) -> HttpResponse:
    person = get_person_for_user(request.user)
    return render(
        request,
        "accounts/person_home.html",
        {
            "person": person,
            "series": person.series.all(),
            "employment": selectors.person_open_employment(person),
            "history": selectors.person_employments(person)[:10],
            "bind_form": forms.BindForm(),
            **home_panels.person_home(person),
            "employment_invitations": selectors.person_employment_invitations(person),
            "invitations": selectors.membership_invitations_for(request.user),
        },
    )


def _answer(request: AuthedRequest) -> bool:
    form = forms.InvitationAnswerForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Choose accept or decline."))
    return bool(form.cleaned_data["answer"] == "accept")


@access(PERSON_ONLY)
@require_POST
def me_employment_answer(request: AuthedRequest, employment_id: int) -> HttpResponse:
    person = get_person_for_user(request.user)
    employment = get_own_employment(person, employment_id)

    def answer() -> bool:
        accept = _answer(request)
        services.employment_invitation_answer(person=person, employment=employment, accept=accept)
        return accept

    return post_action(
        request,
        answer,
        success=lambda accept: _("Binding confirmed.") if accept else _("Invitation declined."),
        to="accounts:me",
    )


@access(AUTHENTICATED)
@require_POST
def invitation_answer(request: AuthedRequest, invitation_id: int) -> HttpResponse:
    invitation = get_own_invitation(request.user, invitation_id)

    def answer() -> bool:
        accept = _answer(request)
        services.membership_invitation_answer(
            user=request.user, invitation=invitation, accept=accept
        )
        return accept

    return post_action(
        request,
        answer,
        success=lambda accept: (
            _("You joined %(org)s.") % {"org": invitation.organisation}
            if accept
            else _("Invitation declined.")
        ),
        to="home",
    )


@access(PERSON_ONLY)
def me_profile(request: AuthedRequest) -> HttpResponse:
    person = get_person_for_user(request.user)
    initial = {"phone": person.phone, "email": request.user.email, "series": person.series.all()}
    form = forms.ProfileForm(request.POST or None, initial=initial)
    locked = services.series_locked_year(person)
    if locked is not None:
        form.fields["series"].disabled = True
        form.fields["series"].help_text = services.series_locked_message(locked)
    done = form_submit(
        request,
        form,
        lambda data: services.person_update(
            person=person,
            phone=data["phone"],
            email=data["email"],
            series_codes=[s.code for s in data["series"]],
        ),
        success=_("Profile saved."),
        to="accounts:me",
    )
    if done:
        return done
    return render(
        request,
        "accounts/simple_form.html",
        {"form": form, "title": _("My profile"), "back": reverse("accounts:me")},
    )


@access(PERSON_ONLY)
def me_bind(request: AuthedRequest) -> HttpResponse:
    person = get_person_for_user(request.user)
    form = forms.BindForm(request.POST or None)

    def bind(data: dict[str, Any]) -> None:
        employer = selectors.employer_choices().filter(uscc=data["uscc"]).first()
        if employer is None:
            raise ValidationError({"uscc": _("No approved employer has this credit code.")})
        services.employment_request(person=person, employer=employer)

    done = form_submit(
        request,
        form,
        bind,
        success=_("Binding requested; your employer will confirm it."),
        to="accounts:me",
    )
    if done:
        return done
    return render(
        request,
        "accounts/simple_form.html",
        {"form": form, "title": _("Bind to my employer"), "back": reverse("accounts:me")},
    )


@access(PERSON_ONLY)
@require_POST
def me_employment_end(request: AuthedRequest, employment_id: int) -> HttpResponse:
    person = get_person_for_user(request.user)
    employment = get_own_employment(person, employment_id)
    return post_action(
        request,
        lambda: services.employment_end(
            actor=request.user, employment=employment, reason=request.POST.get("reason", "")
        ),
        success=_("Unbound from %(employer)s.") % {"employer": employment.employer},
        to="accounts:me",
    )


@access(PERSON_ONLY)
@require_POST
def me_employment_resubmit(request: AuthedRequest, employment_id: int) -> HttpResponse:
    person = get_person_for_user(request.user)
    employment = get_own_employment(person, employment_id)
    return post_action(
        request,
        lambda: services.employment_resubmit(person=person, employment=employment),
        success=_("Binding sent to your employer again."),
        to="accounts:me",
    )


# --- Notices (any logged-in user) -------------------------------------------------------------


@access(AUTHENTICATED)
def notices(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "accounts/notices.html",
        {"page": paginate(request, selectors.notices_for(request.user))},
    )


@access(AUTHENTICATED)
@require_POST
def notice_read(request: AuthedRequest, notice_id: int) -> HttpResponse:
    notice = get_own_notice(request.user, notice_id)
    services.notice_mark_read(user=request.user, notice=notice)
    if request.POST.get("open") and notice.link.startswith("/"):
        return redirect(notice.link)
    return redirect(_notices_page(request))


@access(AUTHENTICATED)
@require_POST
def notices_read_all(request: AuthedRequest) -> HttpResponse:
    count = services.notices_mark_all_read(user=request.user)
    messages.success(request, _("%(count)d notices marked as read.") % {"count": count})
    return redirect(_notices_page(request))


def _notices_page(request: AuthedRequest) -> str:
    page = request.POST.get("page", "")
    url = reverse("accounts:notices")
    return f"{url}?{urlencode({'page': page})}" if page.isdigit() else url


# --- Organisations -----------------------------------------------------------------------------


@org_access(require_approved=False)
def org_home(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    return render(
        request,
        "accounts/org_home.html",
        {
            "organisation": organisation,
            "waiting": selectors.waiting_for_organisation(
                organisation,
                request.organisation_perms,
            ),
            "invitations": selectors.membership_invitations_for(request.user),
        },
    )


@org_access(perm="edit_organisation", require_approved=False)
def org_edit(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    form = forms.OrganisationEditForm(request.POST or None, organisation=organisation)
    home_url = reverse("accounts:org_home", kwargs={"organisation_id": organisation.pk})
    done = form_submit(
        request,
        form,
        lambda data: services.organisation_resubmit(
            actor=request.user, organisation=organisation, **data
        ),
        success=_("Application resubmitted for review."),
        to=home_url,
    )
    if done:
        return done
    return render(
        request,
        "accounts/simple_form.html",
        {
            "form": form,
            "title": _("Edit and resubmit the application"),
            "organisation": organisation,
            "back": home_url,
        },
    )


@org_access(perm="manage_members", require_approved=False)
def members(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    form = forms.MemberAddForm(request.POST or None)

    def add(data: dict[str, Any]) -> bool:
        services.membership_add(actor=request.user, organisation=organisation, **data)
        return bool(data["password"])

    done = form_submit(
        request,
        form,
        add,
        # The same answer whether or not the login exists (no username oracle).
        success=lambda created: (
            _("Member added.")
            if created
            else _("If this account exists, it has been invited; it joins once it accepts.")
        ),
        to=reverse("accounts:members", kwargs={"organisation_id": organisation.pk}),
    )
    if done:
        return done
    return render(
        request,
        "accounts/members.html",
        {
            "organisation": organisation,
            "form": form,
            "page": paginate(request, selectors.members_of(organisation)),
        },
    )


@org_access(perm="manage_members", require_approved=False)
@require_POST
def member_update(
    request: AuthedRequest, organisation: Organisation, membership_id: int
) -> HttpResponse:
    membership = get_membership_in(organisation, membership_id)
    form = forms.MemberUpdateForm(request.POST)

    def update() -> None:
        if not form.is_valid():
            raise ValidationError(_("Choose an action."))
        if form.cleaned_data["action"] == "remove":
            services.membership_remove(actor=request.user, membership=membership)
        else:
            services.membership_change_role(
                actor=request.user, membership=membership, role=form.cleaned_data["role"]
            )

    return post_action(
        request,
        update,
        success=_("Member updated."),
        to=reverse("accounts:members", kwargs={"organisation_id": organisation.pk}),
    )


@org_access(EMPLOYER, perm="review_bindings")
def binding_queue(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    return render(
        request,
        "accounts/binding_queue.html",
        {
            "organisation": organisation,
            "page": paginate(request, selectors.binding_queue(organisation)),
            "form": forms.DecisionForm(),
        },
    )


@org_access(EMPLOYER, perm="review_bindings")
@require_POST
def binding_decide(
    request: AuthedRequest, organisation: Organisation, employment_id: int
) -> HttpResponse:
    employment = get_employment_for_employer(organisation, employment_id)
    form = forms.DecisionForm(request.POST)

    def decide() -> None:
        if not form.is_valid():
            raise ValidationError(list(form.errors.get("reason", [])) or _("Choose a decision."))
        services.employment_review(
            reviewer=request.user, employment=employment, **form.cleaned_data
        )

    return post_action(
        request,
        decide,
        success=_("Decision saved for %(name)s.") % {"name": employment.person},
        to=reverse("accounts:binding_queue", kwargs={"organisation_id": organisation.pk}),
    )


@org_access(EMPLOYER, perm="review_bindings")
@require_POST
def binding_id_number(
    request: AuthedRequest, organisation: Organisation, employment_id: int
) -> HttpResponse:
    """The one page that shows a full ID number: to a reviewer confirming a binding, on
    request, audited (docs/decisions/0004-no-id-number-oracles.md)."""
    employment = get_binding_request_for_employer(organisation, employment_id)
    id_number = services.person_id_number_view(
        actor=request.user, organisation=organisation, person=employment.person
    )
    return render(
        request,
        "accounts/binding_id_number.html",
        {"organisation": organisation, "employment": employment, "id_number": id_number},
    )


@org_access(EMPLOYER, perm="manage_staff")
def staff_list(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    form = forms.StaffAddForm(request.POST or None)
    done = form_submit(
        request,
        form,
        lambda data: services.employment_add_by_employer(
            actor=request.user, employer=organisation, id_number=data["id_number"]
        ),
        # The same answer for unknown, already bound and invited people (no ID oracle).
        success=_(
            "If a registered professional with this ID number can be bound, they have "
            "been invited; they confirm on their home page."
        ),
        to=reverse("accounts:staff_list", kwargs={"organisation_id": organisation.pk}),
    )
    if done:
        return done
    search_form = forms.StaffSearchForm(request.GET)
    search = search_form.search()
    return render(
        request,
        "accounts/staff_list.html",
        {
            "organisation": organisation,
            "form": form,
            "search": search,
            "search_errors": search_form.errors.get("q", []),
            "query": urlencode({"q": search}) if search else "",
            "page": paginate(request, selectors.staff_list(organisation, search=search)),
        },
    )


def _staff_series(employment: Employment) -> str:
    return "、".join(s.name for s in employment.person.series.all())


STAFF_COLUMNS: list[exports.Column[Employment]] = [
    exports.Column(_lazy("Name"), lambda e: e.person.real_name),
    exports.Column(_lazy("ID number"), lambda e: mask_id_number(e.person.id_number)),
    exports.Column(_lazy("Series"), _staff_series),
    exports.Column(
        pgettext_lazy("date of confirmation", "Confirmed"),
        lambda e: e.decided_at.date() if e.decided_at else None,
    ),
]


@org_access(EMPLOYER, perm="manage_staff")
def staff_export(request: AuthedRequest, organisation: Organisation, fmt: str) -> HttpResponseBase:
    """The staff list as shown (search applied), every matching row, ID numbers masked."""
    search = request.GET.get("q", "").strip()
    return exports.export_response(
        rows=selectors.staff_list(organisation, search=search),
        columns=STAFF_COLUMNS,
        fmt=fmt,
        filename=f"staff-{organisation.pk}-{timezone.localdate():%Y%m%d}",
        title=_("Staff list"),
    )


@org_access(EMPLOYER, perm="manage_staff")
@require_POST
def staff_unbind(
    request: AuthedRequest, organisation: Organisation, employment_id: int
) -> HttpResponse:
    employment = get_employment_for_employer(organisation, employment_id)
    return post_action(
        request,
        lambda: services.employment_end(
            actor=request.user, employment=employment, reason=request.POST.get("reason", "")
        ),
        success=_("%(name)s unbound.") % {"name": employment.person},
        to=reverse("accounts:staff_list", kwargs={"organisation_id": organisation.pk}),
    )


@org_access(HRSS, AUTHORITY, perm="review_organisations")
def application_queue(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    status = request.GET.get("status", Organisation.Status.PENDING)
    if status not in Organisation.Status.values:
        status = Organisation.Status.PENDING
    kind = request.GET.get("kind", "")
    if kind not in Organisation.Kind.values:
        kind = ""
    return render(
        request,
        "accounts/application_queue.html",
        {
            "organisation": organisation,
            "status": status,
            "kind": kind,
            "kinds": Organisation.Kind.choices,
            "query": urlencode({"status": status, **({"kind": kind} if kind else {})}),
            "statuses": Organisation.Status.choices,
            "page": paginate(
                request, selectors.application_queue(organisation, status=status, kind=kind)
            ),
        },
    )


@org_access(HRSS, AUTHORITY, perm="review_organisations")
def application_detail(
    request: AuthedRequest, organisation: Organisation, application_id: int
) -> HttpResponse:
    application = get_application_for_reviewer(organisation, application_id)
    form = forms.DecisionForm(request.POST or None)
    done = form_submit(
        request,
        form,
        lambda data: services.organisation_review(
            reviewer=request.user,
            reviewer_organisation=organisation,
            organisation=application,
            **data,
        ),
        success=_("Decision saved for %(name)s.") % {"name": application},
        to=reverse("accounts:application_queue", kwargs={"organisation_id": organisation.pk}),
    )
    if done:
        return done
    return render(
        request,
        "accounts/application_detail.html",
        {
            "organisation": organisation,
            "application": application,
            "form": form,
            "series": application.series.all(),
            "history": audit.readable(
                selectors.audit_for_target("accounts.organisation", application.pk)[:20]
            ),
        },
    )


@org_access(perm="view_audit", require_approved=False)
def audit_log(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    form = forms.AuditFilterForm(
        request.GET or None, security=selectors.audit_sees_security_events(organisation)
    )
    entries = selectors.audit_for_organisation(organisation, **form.filters())
    page = paginate(request, entries, per_page=50)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/audit_log.html",
        {
            "organisation": organisation,
            "filter_form": form,
            "query": query.urlencode(),
            "page": page,
            "entries": audit.readable(page),
        },
    )


# --- Passwords: change, and reset by e-mail (each audited as a security event) ----------------


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/simple_form.html"
    success_url = "/"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        security_event(self.request, SecurityEvent.PASSWORD_CHANGED, user=form.user)
        messages.success(self.request, _("Your password was changed."))
        return response


def _password_reset_throttled(request: HttpRequest) -> bool:
    """At most settings.PASSWORD_RESET_LIMIT reset requests per client IP and hour."""
    return throttle_hit(
        "password-reset", request, limit=settings.PASSWORD_RESET_LIMIT, window=60 * 60
    )


class PasswordResetView(auth_views.PasswordResetView):
    """The answer is the same whether or not an account has the e-mail address."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if _password_reset_throttled(request):
            return render(
                request,
                self.template_name,
                {"form": self.get_form(), "throttled": True},
                status=429,
            )
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"]
        user = next(iter(form.get_users(email)), None)
        response = super().form_valid(form)
        security_event(
            self.request,
            SecurityEvent.PASSWORD_RESET_REQUESTED,
            user=user,
            reason=f"e-mail: {email}",
        )
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        security_event(self.request, SecurityEvent.PASSWORD_RESET_DONE, user=form.user)
        return response


AUDIT_COLUMNS: list[exports.Column[audit.ReadableEntry]] = [
    exports.Column(_lazy("When"), lambda r: r.at),
    exports.Column(_lazy("Who"), lambda r: r.actor.username if r.actor else ""),
    exports.Column(_lazy("What happened"), lambda r: r.sentence),
    exports.Column(_lazy("From"), lambda r: r.from_state),
    exports.Column(_lazy("To"), lambda r: r.to_state),
    exports.Column(_lazy("Reason"), lambda r: r.reason),
    exports.Column(_lazy("Changes"), lambda r: r.changes),
    exports.Column(_lazy("IP address"), lambda r: r.entry.ip or ""),
    exports.Column(_lazy("Path"), lambda r: r.entry.path),
]


@org_access(perm="view_audit", require_approved=False)
def audit_export(request: AuthedRequest, organisation: Organisation, fmt: str) -> HttpResponseBase:
    """Every entry of the log as shown, as readable sentences."""
    form = forms.AuditFilterForm(
        request.GET or None, security=selectors.audit_sees_security_events(organisation)
    )
    entries = selectors.audit_for_organisation(organisation, **form.filters())
    return exports.export_response(
        rows=(row for chunk in exports.chunked(entries) for row in audit.readable(chunk)),
        columns=AUDIT_COLUMNS,
        fmt=fmt,
        filename=f"audit-{organisation.pk}-{timezone.localdate():%Y%m%d}",
        title=_("Audit log"),
    )


# --- Profile facts (accounting art. 6, archives art. 9) -----------------------------------------


def _fact_forms(
    request: AuthedRequest, facts: dict[str, ProfileFact]
) -> dict[str, forms._FactForm]:
    """One form per fact kind, the posted one bound (its kind names it), others initial."""
    posted = request.POST.get("kind") if request.method == "POST" else None
    built: dict[str, forms._FactForm] = {}
    for kind, form_class in forms.FACT_FORMS.items():
        fact = facts.get(kind)
        initial = {"on": fact.on, "basis": fact.basis, "education": fact.education} if fact else {}
        if kind == posted:
            built[kind] = form_class(request.POST, request.FILES, initial=initial, prefix=kind)
        else:
            built[kind] = form_class(initial=initial, prefix=kind)
    return built


@access(PERSON_ONLY)
def me_facts(request: AuthedRequest) -> HttpResponse:
    """The facts that change what a year requires, each confirmed by the employer."""
    person = get_person_for_user(request.user)
    facts = selectors.person_profile_facts(person)
    built = _fact_forms(request, facts)
    kind = request.POST.get("kind") if request.method == "POST" else None
    form = built.get(kind or "")
    if form is not None:
        done = form_submit(
            request,
            form,
            lambda data: services.profile_fact_set(
                person=person,
                kind=kind or "",
                on=data["on"],
                basis=data.get("basis", ""),
                education=data.get("education", ""),
                proof=data.get("proof"),
            ),
            success=_("Saved; your employer will confirm it."),
            to="accounts:me_facts",
        )
        if done is not None:
            return done
    return render(
        request,
        "accounts/person_facts.html",
        {
            "person": person,
            "sections": [
                (
                    kind,
                    ProfileFact.Kind(kind).label,
                    facts.get(kind),
                    built[kind],
                )
                for kind in forms.FACT_FORMS
            ],
            "employment": selectors.person_open_employment(person),
        },
    )


def _proof_response(fact: ProfileFact) -> FileResponse:
    return stored_file_response(
        fact.proof,
        filename=fact.proof_name or "proof",
        content_type=fact.proof_content_type or "application/octet-stream",
    )


@access(PERSON_ONLY)
def me_fact_proof(request: AuthedRequest, fact_id: int) -> HttpResponseBase:
    person = get_person_for_user(request.user)
    return _proof_response(get_own_fact(person, fact_id))


@org_access(EMPLOYER, perm="review_bindings")
def fact_queue(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    return render(
        request,
        "accounts/fact_queue.html",
        {
            "organisation": organisation,
            "page": paginate(request, selectors.fact_queue(organisation)),
            "form": forms.FactDecisionForm(),
        },
    )


@org_access(EMPLOYER, perm="review_bindings")
@require_POST
def fact_decide(request: AuthedRequest, organisation: Organisation, fact_id: int) -> HttpResponse:
    fact = get_fact_for_employer(organisation, fact_id)
    form = forms.FactDecisionForm(request.POST)

    def decide() -> None:
        if not form.is_valid():
            raise ValidationError(list(form.errors.get("reason", [])) or _("Choose a decision."))
        services.profile_fact_review(
            reviewer=request.user, employer=organisation, fact=fact, **form.cleaned_data
        )

    return post_action(
        request,
        decide,
        success=_("Decision saved for %(name)s.") % {"name": fact.person},
        to=reverse("accounts:fact_queue", args=[organisation.pk]),
    )


@org_access(EMPLOYER, perm="review_bindings")
def fact_proof(
    request: AuthedRequest, organisation: Organisation, fact_id: int
) -> HttpResponseBase:
    return _proof_response(get_fact_for_employer(organisation, fact_id))
