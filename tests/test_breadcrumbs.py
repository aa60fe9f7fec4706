"""Every page has a place in the breadcrumb trail, and the frame marks where the user is.

The first test walks the URL resolver, so a page added later fails here until it registers a
``Crumb`` in ``portal/breadcrumbs.py`` (or, when it renders no page, its name in ``NOT_PAGES``).
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from portal.breadcrumbs import BREADCRUMBS, HOME, HOME_PAGES, NOT_PAGES, named_urls
from tests.factories import World, record_make

URLS = named_urls()


def test_every_page_url_has_a_breadcrumb_entry() -> None:
    missing = sorted(
        url.name
        for url in URLS.values()
        if not url.is_api and url.name not in BREADCRUMBS and url.name not in NOT_PAGES
    )
    assert missing == [], (
        f"add these URL names to portal.breadcrumbs.BREADCRUMBS (a page) or NOT_PAGES: {missing}"
    )


def test_breadcrumb_entries_name_real_urls_and_lead_home() -> None:
    assert sorted(set(BREADCRUMBS) - set(URLS)) == []
    assert sorted(NOT_PAGES - set(URLS)) == []
    assert set(BREADCRUMBS) & NOT_PAGES == set()
    for name, crumb in BREADCRUMBS.items():
        if name in HOME_PAGES:
            assert crumb.parent is None, name
            continue
        seen = {name}
        parent = crumb.parent
        while parent is not None:
            assert parent in BREADCRUMBS, f"{name}: unknown parent {parent}"
            assert parent not in seen, f"{name}: the trail loops at {parent}"
            seen.add(parent)
            # A parent's URL must be buildable from the child's own URL arguments.
            assert set(URLS[parent].kwargs) <= set(URLS[name].kwargs), f"{name} → {parent}"
            parent = BREADCRUMBS[parent].parent
        assert HOME in seen, f"{name} does not lead to the home page"


def _breadcrumb(html: str) -> list[tuple[str, str | None, bool]]:
    """(label, href or None, is current) for each breadcrumb item in the page."""
    found = re.findall(r'<nav class="breadcrumb" aria-label="breadcrumb">(.*?)</nav>', html, re.S)
    assert len(found) <= 1
    if not found:
        return []
    items = []
    for item in re.findall(r"<li>(.*?)</li>", found[0], re.S):
        link = re.search(r'<a href="([^"]+)">([^<]+)</a>', item)
        if link:
            items.append((link.group(2), link.group(1), False))
        else:
            current = re.search(r'<span aria-current="page">([^<]+)</span>', item)
            assert current, item
            items.append((current.group(1), None, True))
    return items


def _menu_link(html: str, href: str) -> str:
    match = re.search(rf'<a href="{re.escape(href)}"[^>]*>', html)
    assert match, f"no menu link to {href}"
    return match.group(0)


@pytest.mark.django_db
def test_review_detail_page_shows_home_queue_detail_and_marks_its_menu_section(
    world: World,
) -> None:
    client = Client()
    client.force_login(world.user("employer"))
    org = world.employer.pk
    queue = reverse("credits:review_queue", args=[org])
    html = client.get(
        reverse("credits:record_review_detail", args=[org, world.record.pk])
    ).content.decode()
    assert _breadcrumb(html) == [
        ("首页", reverse("accounts:org_home", args=[org]), False),
        ("记录审核", queue, False),
        ("详情", None, True),
    ]
    assert 'aria-current="true"' in _menu_link(html, queue)
    assert "active" in _menu_link(html, queue)
    assert "aria-current" not in _menu_link(html, reverse("accounts:staff_list", args=[org]))


@pytest.mark.django_db
def test_list_page_marks_its_menu_link_as_the_current_page(world: World) -> None:
    client = Client()
    client.force_login(world.user("employer"))
    staff = reverse("accounts:staff_list", args=[world.employer.pk])
    html = client.get(staff).content.decode()
    assert 'aria-current="page"' in _menu_link(html, staff)
    assert [label for label, _, _ in _breadcrumb(html)] == ["首页", "工作人员"]


@pytest.mark.django_db
def test_person_record_edit_trail_goes_through_the_record(world: World) -> None:
    client = Client()
    client.force_login(world.person.user)
    record = record_make(world.person, world.employer, status="returned")
    trail = _breadcrumb(
        client.get(reverse("credits:record_edit", args=[record.pk])).content.decode()
    )
    assert [href for _, href, _ in trail] == [
        reverse("accounts:me"),
        reverse("credits:my_records"),
        reverse("credits:record_detail", args=[record.pk]),
        None,
    ]


@pytest.mark.django_db
def test_home_pages_show_no_breadcrumb_but_a_skip_link(world: World) -> None:
    for user, url in [
        (world.person.user, reverse("accounts:me")),
        (world.user("hrss"), reverse("accounts:org_home", args=[world.hrss.pk])),
        (None, reverse("home")),
    ]:
        client = Client()
        if user is not None:
            client.force_login(user)
        html = client.get(url).content.decode()
        assert _breadcrumb(html) == [], url
        assert '<a class="skip-link" href="#main">跳到主要内容</a>' in html
        assert '<main id="main"' in html


@pytest.mark.django_db
def test_anonymous_register_form_trail(db: None) -> None:
    html = Client().get(reverse("accounts:register_employer")).content.decode()
    assert [(label, href) for label, href, _ in _breadcrumb(html)] == [
        ("首页", "/"),
        ("注册", reverse("accounts:register")),
        ("用人单位", None),
    ]
