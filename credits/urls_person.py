"""The person's pages: records, declaration and yearly progress (wired into credits.urls)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
