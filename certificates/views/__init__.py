"""Views of the certificates app, one module per feature: issued certificates (verification,
the person's and the organisation's lists, reissue and revocation) and printing (bulk print
and the pre-2019 history)."""
