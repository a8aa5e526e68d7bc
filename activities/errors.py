"""Adapter errors → Temporal ApplicationErrors, in one place.

Business errors are non-retryable with type BUSINESS_ERROR_TYPE: the
workflow turns them into NeedsAttention. Everything retryable keeps
retrying; a 429 retries after the server's delay, or a jittered backoff
when it gave none."""

from collections.abc import Iterator
from contextlib import contextmanager

from pydantic import ValidationError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.retry import backoff_delay
from domain.errors import (
    BUSINESS_ERROR_TYPE,
    RETRYABLE_ERROR_TYPE,
    BusinessError,
    RateLimited,
    RetryableMarketplaceError,
)


@contextmanager
def marketplace_errors() -> Iterator[None]:
    try:
        yield
    except BusinessError as exc:
        raise ApplicationError(
            exc.readable(),
            [v.model_dump() for v in exc.violations],
            type=BUSINESS_ERROR_TYPE,
            non_retryable=True,
        ) from exc
    except RateLimited as exc:
        delay = exc.retry_after or backoff_delay(activity.info().attempt)
        raise ApplicationError(str(exc), type=RETRYABLE_ERROR_TYPE, next_retry_delay=delay) from exc
    except RetryableMarketplaceError as exc:
        raise ApplicationError(str(exc), type=RETRYABLE_ERROR_TYPE, next_retry_delay=exc.retry_after) from exc
    except ValidationError as exc:
        # The marketplace sent a record we cannot read: asking again returns
        # the same record, so ops look at it (NeedsAttention) and resume.
        raise ApplicationError(unreadable(exc), type=BUSINESS_ERROR_TYPE, non_retryable=True) from exc


def unreadable(exc: ValidationError) -> str:
    """One line naming the fields, never their values (a buyer's name)."""
    problems = "; ".join(
        f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}" for error in exc.errors(include_input=False)
    )
    return f"the marketplace sent a record ordertide cannot read ({problems})"
