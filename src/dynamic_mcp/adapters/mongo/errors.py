"""Driver errors become domain errors at the port (CONVENTIONS habit 4)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from pymongo.errors import ConnectionFailure, DuplicateKeyError, OperationFailure, PyMongoError

from dynamic_mcp.domain.errors import Conflict, StorageUnavailable

log = logging.getLogger(__name__)


def duplicate_key_fields(exc: DuplicateKeyError) -> frozenset[str]:
    """The document keys of the unique index that was violated (empty when the server did not say)."""
    pattern = (exc.details or {}).get("keyPattern") or {}
    return frozenset(pattern)


@contextmanager
def storage_errors() -> Iterator[None]:
    """Translate what escapes the block: unreachable server -> StorageUnavailable, and so on.

    A DuplicateKeyError the caller did not expect becomes a generic Conflict; callers that can
    name the clash catch DuplicateKeyError inside the block first.
    """
    try:
        yield
    except DuplicateKeyError as exc:
        raise Conflict("A record with the same unique key already exists") from exc
    except ConnectionFailure as exc:  # includes AutoReconnect, NetworkTimeout, ServerSelectionTimeoutError
        log.warning("MongoDB unreachable: %s", type(exc).__name__)
        raise StorageUnavailable(f"Storage is unavailable: cannot reach the database ({type(exc).__name__})") from exc
    except OperationFailure as exc:
        log.error("MongoDB rejected an operation: %s code=%s", type(exc).__name__, exc.code)
        raise StorageUnavailable(
            f"Storage is unavailable: the database rejected the operation (code {exc.code})"
        ) from exc
    except PyMongoError as exc:
        log.error("MongoDB driver error: %s", type(exc).__name__)
        raise StorageUnavailable(f"Storage is unavailable: database driver error ({type(exc).__name__})") from exc
