"""The message centre: binding notices, the list page, read / unread, and the header badge."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts import services
from accounts.models import Decision, Notice, User
from tests.factories import World, admin_of, bind, person_create

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10


def notices_of(user: User) -> list[Notice]:
    return list(Notice.objects.filter(recipient=user).order_by("pk"))


def send(user: User, n: int) -> None:
    services.notices_send(
        Notice(recipient=user, kind="record_returned", params={"title": f"T{i}", "reason": "r"})
        for i in range(n)
    )


def logged_in(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


# --- binding notices --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "reason", "kind"),
    [
        (Decision.APPROVE, "", "binding_confirmed"),
        (Decision.REJECT, "Not our staff", "binding_rejected"),
        (Decision.RETURN, "Use your ID name", "binding_returned"),
    ],
)
def test_binding_decision_sends_the_person_a_notice(
    world: World, decision: str, reason: str, kind: str
) -> None:
    person = person_create()
    employment = bind(person, world.employer, confirm=False)
    assert notices_of(person.user) == []

    services.employment_review(
        reviewer=admin_of(world.employer), employment=employment, decision=decision, reason=reason
    )

    (notice,) = notices_of(person.user)
    assert notice.kind == kind
    assert notice.link == reverse("accounts:me")
    assert notice.params == {"by": world.employer.name, "reason": reason}
    assert world.employer.name in notice.text
    assert reason in notice.text


def test_a_missing_parameter_renders_empty_instead_of_failing(world: World) -> None:
    notice = Notice(recipient=world.person.user, kind="binding_rejected", params={})

    with translation.override("en"):
        assert notice.text == " refused your binding. Reason: "


# --- pages ------------------------------------------------------------------------------------


def test_notice_list_shows_only_my_notices_newest_first(world: World, other_world: World) -> None:
    send(world.person.user, 2)
    send(other_world.person.user, 1)

    page = logged_in(world.person.user).get(reverse("accounts:notices"))

    shown = list(page.context["page"])
    assert [n.recipient_id for n in shown] == [world.person.user_id] * 3  # 2 + binding
    assert shown[0].params["title"] == "T1"
    assert "Your record “T1” was returned" in page.content.decode()


def test_mark_one_read_then_open_it(world: World) -> None:
    send(world.person.user, 1)
    notice = notices_of(world.person.user)[-1]
    notice.link = reverse("credits:my_records")
    notice.save()
    client = logged_in(world.person.user)

    response = client.post(reverse("accounts:notice_read", args=[notice.pk]), {"open": "1"})

    assert response.status_code == 302 and response["Location"] == reverse("credits:my_records")
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert Notice.objects.filter(recipient=world.person.user, read_at__isnull=True).count() == 1


def test_mark_all_read_marks_only_mine(world: World, other_world: World) -> None:
    send(world.person.user, 3)
    send(other_world.person.user, 2)

    response = logged_in(world.person.user).post(reverse("accounts:notices_read_all"))

    assert response.status_code == 302
    assert not Notice.objects.filter(recipient=world.person.user, read_at__isnull=True).exists()
    theirs = Notice.objects.filter(recipient=other_world.person.user, read_at__isnull=True)
    assert theirs.count() == 3


def test_mark_read_is_post_only(world: World) -> None:
    notice = notices_of(world.person.user)[0]
    client = logged_in(world.person.user)

    assert client.get(reverse("accounts:notice_read", args=[notice.pk])).status_code == 405
    assert client.get(reverse("accounts:notices_read_all")).status_code == 405
    notice.refresh_from_db()
    assert notice.read_at is None


def test_someone_elses_notice_is_404_and_stays_unread(world: World, other_world: World) -> None:
    theirs = notices_of(other_world.person.user)[0]

    response = logged_in(world.person.user).post(reverse("accounts:notice_read", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_organisation_users_have_a_notice_list_too(world: World) -> None:
    response = logged_in(admin_of(world.employer)).get(reverse("accounts:notices"))

    assert response.status_code == 200
    assert "No notices yet." in response.content.decode()


def test_notice_list_paginates(world: World) -> None:
    send(world.person.user, 24)  # + the binding notice: 25

    client = logged_in(world.person.user)
    first = client.get(reverse("accounts:notices"))
    second = client.get(reverse("accounts:notices"), {"page": 2})

    assert (first.context["page"].paginator.count, len(first.context["page"])) == (25, 20)
    assert len(second.context["page"]) == 5


def _queries(client: Client) -> int:
    client.get(reverse("accounts:notices"))  # warm per-process caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("accounts:notices")).status_code == 200
    return len(ctx)


def test_notice_list_runs_the_same_queries_for_2_and_25_notices(world: World) -> None:
    client = logged_in(world.person.user)
    send(world.person.user, 1)
    with_2 = _queries(client)
    send(world.person.user, 23)
    with_25 = _queries(client)

    assert with_2 == with_25
    assert with_25 <= MAX_QUERIES


# --- the header badge -------------------------------------------------------------------------


def test_header_shows_the_unread_count_and_it_drops_when_read(world: World) -> None:
    send(world.person.user, 2)  # + the binding notice: 3 unread
    client = logged_in(world.person.user)

    page = client.get(reverse("accounts:me"))
    assert page.context["unread_notices"] == 3
    assert '<span class="badge"' in page.content.decode()

    client.post(reverse("accounts:notices_read_all"))
    page = client.get(reverse("accounts:me"))
    assert page.context["unread_notices"] == 0
    assert '<span class="badge"' not in page.content.decode()


def test_badge_count_is_one_query_and_none_for_anonymous(world: World) -> None:
    with CaptureQueriesContext(connection) as ctx:
        Client().get(reverse("accounts:login"))
    assert not any("accounts_notice" in q["sql"] for q in ctx.captured_queries)

    client = logged_in(world.person.user)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("accounts:me"))
    assert len([q for q in ctx.captured_queries if "accounts_notice" in q["sql"]]) == 1
