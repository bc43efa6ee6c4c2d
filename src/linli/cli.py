"""The ``linli`` command: ``manage.py`` for an installed Linli.

``linli demo``, ``linli tally`` and ``linli open311-key`` are management commands of their apps,
so ``linli <anything>`` is the same as ``python manage.py <anything>``.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
