"""EAN/GTIN checks, by python-stdnum."""

from stdnum import ean as _ean
from stdnum.exceptions import ValidationError


def normalise_ean(value: str) -> str:
    """Return the EAN in its canonical 13-digit form, or raise ValueError."""
    try:
        code = _ean.validate(value)
    except ValidationError as exc:
        raise ValueError(f"invalid EAN {value!r}: {exc}") from None
    if len(code) not in (8, 12, 13, 14):
        raise ValueError(f"invalid EAN {value!r}: unsupported length {len(code)}")
    # bol and Kaufland speak EAN-13; zero-pad UPC-A so one product has one key.
    return code.zfill(13) if len(code) == 12 else code


def is_valid_ean(value: str) -> bool:
    try:
        normalise_ean(value)
    except ValueError:
        return False
    return True
