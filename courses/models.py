"""Models of the courses app (the issue that builds this app adds them)."""
