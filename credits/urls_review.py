"""Employer review queue and HRSS recheck pages (wired into credits.urls)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
