"""Writing a file in one piece, with its mode set before the first byte, so
a secret is never readable by others, not even for a moment, and a crash
never leaves half a config."""

import contextlib
import os
import secrets
from pathlib import Path


def write_atomically(path: Path, text: str, mode: int) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
