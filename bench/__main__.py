"""``python -m bench``: needs PostgreSQL (``DATABASE_URL``); run through ``scripts/bench.sh``."""

from __future__ import annotations

import os
import sys


def main() -> int:
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        print("bench: DATABASE_URL must point at PostgreSQL; run `make bench`.")
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from bench.run import run

    return run(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
