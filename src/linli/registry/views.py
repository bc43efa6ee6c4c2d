"""Registry pages."""
