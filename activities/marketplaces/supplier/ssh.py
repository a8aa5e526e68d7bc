"""asyncssh, imported without the DSA deprecation warnings that
cryptography 47 and later print at its import: every CLI command loads the
supplier adapters, and a seller's terminal is no place for a library's
roadmap (nor a script's stderr, which `ordertide run`'s start check prints
its verdict to)."""

import warnings

from cryptography.utils import CryptographyDeprecationWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", CryptographyDeprecationWarning)
    import asyncssh

__all__ = ["asyncssh"]
