"""`make run`'s demo person sees what fills their gap on the progress page."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User


@pytest.mark.django_db
def test_the_demo_persons_progress_shows_what_fills_their_gap() -> None:
    call_command("seed_demo")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.get(username="person"))

    response = client.get(reverse("credits:progress", args=[timezone.localdate().year]))

    rows = [r for r in response.context["gap"] if r.shortfall.series == "engineering"]
    assert rows, [r.shortfall for r in response.context["gap"]]
    offered = [c for s in rows[0].suggestions for c in (*s.items, *s.underway, *s.more)]
    assert offered
    assert 'data-testid="gap-professional-engineering"' in response.content.decode()
