"""``linli open311-key``: Django finds commands by file name, and a hyphenated module imports
fine through ``importlib``; the implementation lives in ``open311_key.py``."""

from .open311_key import Command  # noqa: F401
