"""The commands beside build: check, serve, new and import, and how diagnostics are reported."""
