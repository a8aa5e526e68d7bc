"""The codec server's token: what callers send as `Authorization: Bearer`.

Read from the environment or a file (a Docker secret), never from a command
line, where every local user sees it in `ps`. `ordertide run` keeps one in
its data dir so a browser stays signed in across restarts."""

import os
import secrets
from pathlib import Path

from workers.secret_file import write_secret

ENV = "ORDERTIDE_CODEC_TOKEN"
DEV_TOKEN_FILE = "codec-token"


def configured_codec_token(token_file: Path | None = None) -> str:
    if token_file is not None:
        token = token_file.read_text().strip()
        source = str(token_file)
    else:
        token = os.environ.get(ENV, "").strip()
        source = ENV
    if not token:
        raise ValueError(f"codec token: {source} is empty or unset; set {ENV} or --token-file")
    return token


def load_or_create_codec_token(path: Path) -> str:
    if path.exists():
        token = path.read_text().strip()
        if token:
            return token
    token = secrets.token_urlsafe(32)
    write_secret(path, token + "\n")
    return token
