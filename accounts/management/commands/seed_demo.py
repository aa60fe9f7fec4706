from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from accounts.demo import demo_load
from accounts.models import User


class Command(BaseCommand):
    help = "Load demo organisations and one login per role; print the passwords once."

    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.filter(username="hrss").exists():
            self.stdout.write(
                "Demo data is already loaded; its passwords were printed when it was created. "
                "Delete var/db.sqlite3 and run `make run` again for fresh ones."
            )
            return
        logins = demo_load()
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Logins (shown only this once):"))
        for login in logins:
            self.stdout.write(f"  {login.role:<28} {login.username:<16} {login.password}")
        self.stdout.write("Open http://127.0.0.1:8000/accounts/login/")
