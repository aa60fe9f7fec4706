"""Forms of the credits app, one module per feature: they parse input; the services validate
the rules."""
