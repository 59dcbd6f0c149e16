"""Output: the only code that touches the output folder, and the search index over it."""
