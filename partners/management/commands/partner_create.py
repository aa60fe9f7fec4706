from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from partners.models import Partner
from partners.services.keys import partner_create


def _codes(text: str) -> list[str]:
    return [code.strip() for code in text.split(",") if code.strip()]


class Command(BaseCommand):
    help = (
        "Register a sync partner allowed to push records of the given series and categories; "
        "prints its new API key once, on the last line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--kind", required=True, choices=Partner.Kind.values)
        parser.add_argument("--series", default="", help="Series codes, comma-separated.")
        parser.add_argument(
            "--categories",
            default="",
            help="Record categories (public, professional, elective), comma-separated.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            issued = partner_create(
                actor=None,
                name=options["name"],
                kind=options["kind"],
                series=_codes(options["series"]),
                categories=_codes(options["categories"]),
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        partner = issued.key.partner
        self.stdout.write(
            f"Partner #{partner.pk} {partner.name} ({partner.kind}) created; key prefix "
            f"{issued.key.prefix}. The key is shown once:"
        )
        self.stdout.write(issued.secret)
