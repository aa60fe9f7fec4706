"""What other apps may use of the partners app (nothing yet: portal.urls wires its URLs)."""

from __future__ import annotations

__all__: list[str] = []
