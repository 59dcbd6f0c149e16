"""Content: site.yaml and the Markdown files, read and parsed into a frozen, typed model."""
