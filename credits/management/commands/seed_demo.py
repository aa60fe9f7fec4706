from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from accounts.api import Organisation, Person, User, demo_load
from credits.demo import demo_accounting_load, demo_entry_load, demo_recheck_load, demo_records_load


class Command(BaseCommand):
    help = (
        "Load demo organisations, one login per role and a professional's CE records; "
        "print the passwords once. (In credits, the app that depends on accounts.)"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.filter(username="hrss").exists():
            self.stdout.write(
                "Demo data is already loaded; its passwords were printed when it was created. "
                "Delete var/db.sqlite3 and run `make run` again for fresh ones."
            )
            return
        logins = demo_load()
        demo_records_load(
            person=Person.objects.get(user__username="person"),
            reviewer=User.objects.get(username="employer"),
            employer=Organisation.objects.get(memberships__user__username="employer"),
        )
        demo_entry_load(
            employer=Organisation.objects.get(memberships__user__username="employer"),
            actor=User.objects.get(username="employer"),
            person=Person.objects.get(user__username="person"),
        )
        demo_accounting_load(person=Person.objects.get(user__username="person2"))
        demo_recheck_load(
            office=Organisation.objects.get(memberships__user__username="hrss"),
            actor=User.objects.get(username="hrss"),
        )
        # Apps built on credits (certificates) add theirs through their own demo module; credits
        # does not import them (ARCHITECTURE.md), it only looks the module up by name.
        for config in apps.get_app_configs():
            if config.name in ("accounts", "credits"):
                continue
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError:
                continue
            extra = getattr(module, "demo_extra_load", None)
            if extra is not None:
                extra()
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Logins (shown only this once):"))
        width = max(len(login.role) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.role:<{width}} {login.username:<16} {login.password}")
        self.stdout.write("Open http://127.0.0.1:8000/accounts/login/")
