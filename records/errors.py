"""The project's error tree.

Every error a user can cause or meet derives from :class:`HosoError`. Each class carries
what the outer layers need to report it: an HTTP status for the API, an exit code for the
CLI, and whether retrying the same work may succeed. Messages are written for a clerk,
in Vietnamese, and name the file or item concerned.
"""

from __future__ import annotations


class HosoError(Exception):
    """Root of every error hoso raises on purpose."""

    http_status: int = 500
    exit_code: int = 1
    retryable: bool = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInput(HosoError):
    """The user gave us something we cannot accept (file, query, form field)."""

    http_status = 400
    exit_code = 2


class UnsupportedFile(BadInput):
    """A file's content is not a PDF, TIFF, JPEG or PNG we can read."""

    http_status = 415


class FileTooLarge(BadInput):
    """A file exceeds a configured limit (bytes, pages or pixels)."""

    http_status = 413


class NotFound(HosoError):
    """The requested item does not exist (or the user may not see it)."""

    http_status = 404
    exit_code = 3


class Unauthorized(HosoError):
    """No valid credentials were presented."""

    http_status = 401
    exit_code = 4


class Forbidden(HosoError):
    """The user's role does not allow this action."""

    http_status = 403
    exit_code = 4


class Conflict(HosoError):
    """The action clashes with the current state (e.g. a user name already taken)."""

    http_status = 409
    exit_code = 2


class IntegrityError(HosoError):
    """Stored bytes no longer match their SHA-256 address: storage corruption."""

    http_status = 500
    exit_code = 5


class ServiceUnavailable(HosoError):
    """A server hoso depends on (object store, search server) cannot be reached or
    answered with an error. The message names the service and where it is; retrying later
    may succeed (the server may be back)."""

    http_status = 503
    exit_code = 5
    retryable = True


class EngineError(HosoError):
    """An external engine (Tesseract, poppler, …) failed or timed out on one item."""

    http_status = 500
    exit_code = 5
    retryable = True
