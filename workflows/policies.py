"""Activity options shared by the workflows."""

from datetime import timedelta

from temporalio.common import RetryPolicy

from domain.errors import BUSINESS_ERROR_TYPE

# Retry transport errors, 5xx and 429 for as long as it takes (a marketplace
# that is down for an hour must not fail orders); never retry a business "no".
MARKETPLACE_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=2),
    non_retryable_error_types=[BUSINESS_ERROR_TYPE],
)

# Reading and accepting an order: a few HTTP calls and a store transaction.
ACCEPT_TIMEOUT = timedelta(seconds=30)
# Commands follow bol's process status inside the attempt and heartbeat every
# few seconds, so a dead worker is noticed within HEARTBEAT.
COMMAND_TIMEOUT = timedelta(minutes=15)
HEARTBEAT = timedelta(seconds=20)
LOCAL_TIMEOUT = timedelta(seconds=10)
