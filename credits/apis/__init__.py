"""DRF endpoints of the credits app."""
