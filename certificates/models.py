"""Models of the certificates app (the issue that builds this app adds them)."""
