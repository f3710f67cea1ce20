"""Diagram fences drawn as SVG at build time: flow charts and attention masks, and their shared parts."""
