"""llmnotes: a static site generator for paper reading notes."""

__version__ = "0.1.0"
