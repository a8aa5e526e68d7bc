"""Kaufland's delivery promise is a handling time in working days (0-100);
the feed rules name delivery codes. A channel's delivery tiers may name the
days themselves ("1", "3"), or bol's codes, translated by this table."""

# bol delivery code -> working days until the parcel leaves us.
BOL_CODE_DAYS = {
    "1-2d": 1,
    "2-3d": 2,
    "3-5d": 3,
    "4-8d": 4,
    "1-8d": 8,
    "MijnLeverbelofte": 1,
    "VVB": 1,
}
MAX_HANDLING_DAYS = 100


class UnknownDeliveryCode(ValueError):
    """The feed rules name a delivery code Kaufland has no handling time for."""


def handling_days(delivery_code: str) -> int:
    code = delivery_code.strip()
    if code.isdigit():
        return min(int(code), MAX_HANDLING_DAYS)
    if code.startswith("24uurs-"):
        return 0  # ordered before the cut-off, shipped the same day
    try:
        return BOL_CODE_DAYS[code]
    except KeyError:
        raise UnknownDeliveryCode(
            f"delivery code {code!r} has no Kaufland handling time (use a number of working days)"
        ) from None
