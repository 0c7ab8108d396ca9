"""One base exception and its meaningful subclasses.

Readers raise ``ReaderError`` subclasses whose ``outcome`` is one word of the shared outcome
vocabulary (see ``seoulrec.model.Outcome``); the CLI translates ``SeoulrecError`` to a message and
an exit code in exactly one place (``seoulrec.commands.console``).
"""

from __future__ import annotations


class SeoulrecError(Exception):
    """Base of every error seoulrec reports to a user."""

    exit_code = 1


class UsageError(SeoulrecError):
    """The user asked for something that cannot be done as asked (exit code 2)."""

    exit_code = 2


class PartialFailure(SeoulrecError):
    """A batch finished, but some of its items failed (exit code 3); the report says which."""

    exit_code = 3


class ConfigError(UsageError):
    """seoulrec.toml or a data file given by the user is invalid."""


class CatalogNotFound(UsageError):
    """No catalog was named and none was found."""


class RecordNotFound(UsageError):
    """A record id that is not in the catalog."""


class CatalogLocked(SeoulrecError):
    """Another process holds the catalog's write lock."""


class StageFailed(SeoulrecError):
    """A stage of the nightly pipeline failed; the run stopped there (exit code 4)."""

    exit_code = 4


class ComplianceFailed(SeoulrecError):
    """``seoulrec compliance --fail-on`` found findings of those kinds (exit code 5)."""

    exit_code = 5


class NightlyLocked(SeoulrecError):
    """Another nightly run holds the lock (exit code 75, "try again later")."""

    exit_code = 75


class ReaderError(SeoulrecError):
    """A file could not be read; ``outcome`` says why in the shared vocabulary."""

    outcome = "corrupt"

    def __init__(self, message: str, outcome: str | None = None):
        super().__init__(message)
        if outcome is not None:
            self.outcome = outcome


class CorruptDocument(ReaderError):
    outcome = "corrupt"


class UnsupportedFormat(ReaderError):
    outcome = "unsupported_format"


class EncryptedDocument(ReaderError):
    outcome = "encrypted"


class DrmProtected(ReaderError):
    outcome = "drm_protected"


class UnsafeInput(ReaderError):
    """External entities, entity bombs, zip-slip, zip bombs: refused before anything is written."""

    outcome = "unsafe"


class EmptyDocument(ReaderError):
    outcome = "empty"


class Unreadable(ReaderError):
    """Permissions, or not a regular file (FIFO, socket, device)."""

    outcome = "unreadable"


class TooLarge(ReaderError):
    outcome = "too_large"
