"""explainer: a static site generator for political explainer sites."""

__version__ = "0.1.0"
