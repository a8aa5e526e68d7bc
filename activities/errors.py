"""Adapter errors → Temporal ApplicationErrors, in one place.

Business errors are non-retryable with type BUSINESS_ERROR_TYPE: the
workflow turns them into NeedsAttention. Everything retryable keeps
retrying; a 429 retries after the server's delay, or a jittered backoff
when it gave none. Anything else is unexpected: retried a few times, then
NeedsAttention too, with a description free of personal data."""

import functools
import json
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from pydantic import ValidationError
from sqlalchemy.exc import OperationalError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.retry import backoff_delay
from domain.errors import (
    BUSINESS_ERROR_TYPE,
    RETRYABLE_ERROR_TYPE,
    UNEXPECTED_ERROR_TYPE,
    BusinessError,
    RateLimited,
    RetryableMarketplaceError,
)

A = TypeVar("A", bound=Callable[..., Awaitable[Any]])


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


# Attempts at an unexpected error before the order needs attention: with
# MARKETPLACE_RETRY's backoff (1, 2, 4 … s) the seventh comes about a minute
# after the first, which rides out a store restart, and keeps a local
# activity's backoff under the minute beyond which it would cost a timer.
UNEXPECTED_ERROR_ATTEMPTS = 7


@contextmanager
def unexpected_errors() -> Iterator[None]:
    """Around a whole activity: an error nobody classified (a response that
    does not parse, the store down, a bug) is retried UNEXPECTED_ERROR_ATTEMPTS
    times, then raised non-retryable, so the order needs attention instead of
    retrying forever unseen. Classified errors pass through untouched: the
    marketplace being down is retried for as long as it takes.

    Its message ends up in the order's history and in the UI: it is
    `describe(exc)`, never the exception's own text. The full error goes to
    the worker's log only."""
    try:
        yield
    except ApplicationError:
        raise
    except Exception as exc:
        info = activity.info()
        activity.logger.warning("unexpected error, attempt %d", info.attempt, exc_info=True)
        attempts = f"{info.attempt} attempt{'s' if info.attempt > 1 else ''}"
        raise ApplicationError(
            f"unexpected error in {info.activity_type} ({attempts}): {describe(exc)}",
            type=UNEXPECTED_ERROR_TYPE,
            non_retryable=info.attempt >= UNEXPECTED_ERROR_ATTEMPTS,
        ) from None  # the cause would carry the exception's own text into the history


def unexpected_errors_need_attention(run: A) -> A:
    """An activity whose whole run is inside `unexpected_errors`."""

    @functools.wraps(run)
    async def guarded(*args: Any, **kwargs: Any) -> Any:
        with unexpected_errors():
            return await run(*args, **kwargs)

    return cast(A, guarded)


def describe(exc: BaseException) -> str:
    """What went wrong, free of personal data: the exception's class; for a
    response that does not match its model, the fields and the kind of
    problem, never their values. Other messages can quote anything (a
    response body, a SQL statement's parameters with the buyer's address),
    so only those known to speak of infrastructure alone are kept."""
    name = type(exc).__name__
    if isinstance(exc, ValidationError):
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        fields = "; ".join(f"{'.'.join(str(part) for part in error['loc'])}: {error['type']}" for error in errors[:5])
        more = f" and {len(errors) - 5} more" if len(errors) > 5 else ""
        return f"{name}: {exc.title} does not match ({fields}{more})"
    if isinstance(exc, json.JSONDecodeError):
        return f"{name}: {exc.msg} (line {exc.lineno}, column {exc.colno})"
    if isinstance(exc, OperationalError):
        # The database is unreachable or locked: its driver says which, about itself.
        first_line = str(exc.orig).splitlines()[0] if str(exc.orig) else ""
        return f"{name} from the store: {first_line[:200]}"
    return name
