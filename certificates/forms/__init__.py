"""Forms of the certificates app, one module per feature: issued certificates and printing."""
