"""What every stage shares: diagnostics, build options, progress, URLs, rendered pages, processes."""
