"""Admin of the courses app."""

from courses import admin_online  # noqa: F401 (online public-subject study)
