"""Deliberation pages, one module per feature; thin: a form from ``forms/``, one service or
query, ``core.pages.form_page`` / ``run_action``, a template."""
