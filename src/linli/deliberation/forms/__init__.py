"""Deliberation's forms, one module per feature (``common`` holds the shared widgets)."""
