"""What other apps may use of the courses app; nothing else of it is imported elsewhere."""

from __future__ import annotations

__all__: list[str] = []
