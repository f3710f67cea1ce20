"""What makes the site paper-aware and findable: citations, related notes, lineage, search, metadata import."""
