"""Views of the credits app, one module per feature: the person's pages and the review pages."""
