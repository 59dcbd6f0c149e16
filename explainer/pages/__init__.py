"""Pages: which pages the site has and how each is drawn (pure: model in, bytes out)."""
