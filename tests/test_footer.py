"""Every page has one footer with the public links (two branches once each added their own)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
def test_one_footer_links_every_public_page(client: Client) -> None:
    html = client.get(reverse("courses:class_search")).content.decode()
    assert html.count("<footer") == 1
    footer = html[html.index("<footer") :]
    for name in (
        "certificates:verify",
        "courses:class_search",
        "courses:public_institutions",
        "courses:public_violations",
    ):
        assert f'href="{reverse(name)}"' in footer
