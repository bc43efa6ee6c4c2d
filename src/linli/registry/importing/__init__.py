"""Importing a community's registry from the spreadsheet its office already keeps.

``sheets`` reads the file (every sheet, CSV in UTF-8 or GBK, formulas kept as formulas) and
finds each sheet's header row; ``mapping`` maps columns to fields (guessed, confirmed, and
remembered per community); ``values`` reads a cell the way offices write it; ``plan`` is the dry
run, row by row; ``commit`` holds the services; ``report`` the preview rows and the error file;
``views`` the pages."""

from .columns import (
    MAX_ROWS,
    XLSX_CONTENT_TYPE,
    ImportAlreadyDone,
    ImportHasErrors,
    ImportRejected,
)
from .commit import (
    import_commit,
    import_list_for,
    import_remap,
    import_upload,
    media_path,
    purge_stale_uploads,
)
from .report import describe_errors, describe_notes, error_file, preview_rows

__all__ = [
    "MAX_ROWS",
    "XLSX_CONTENT_TYPE",
    "ImportAlreadyDone",
    "ImportHasErrors",
    "ImportRejected",
    "describe_errors",
    "describe_notes",
    "error_file",
    "import_commit",
    "import_list_for",
    "import_remap",
    "import_upload",
    "media_path",
    "preview_rows",
    "purge_stale_uploads",
]
