"""Writing a file only its owner may read (codec keys, the codec token,
recorded channel credentials).

The mode is set by the call that creates the file, never afterwards: a
write-then-chmod leaves a moment in which another local user can open the
file, and an open descriptor keeps reading after the chmod. The text goes to
a fresh file beside the target (O_EXCL: never one planted there first) and is
renamed over it, so a reader sees the old file or the new one, never half."""

import os
import secrets
from pathlib import Path

OWNER_ONLY = 0o600


def private_dir(path: Path) -> Path:
    """A directory only its owner may enter (the data dir: codec keys, the
    store with buyers' addresses, Temporal's history). One left open by an
    earlier version is closed: what is inside it was never meant for others."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def write_secret(path: Path, text: str) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_whole(path, text, OWNER_ONLY)


def write_whole(path: Path, text: str, mode: int) -> None:
    """`text` becomes the file at once, created with `mode` (a crash never
    leaves half a config behind)."""
    staging = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(staging, path)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
