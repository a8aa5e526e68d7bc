"""OfferReconcileWorkflow: one nightly comparison of a channel's offer export
with what we believe it accepted, started by the channel's offer sync and
run beside it (`offer-reconcile:{channel}`). An export can be slow or broken;
stock updates must not wait for it, so it runs here, under a deadline, and
tells the offer sync what drifted when it is done."""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.offer_sync import OfferSyncActivities
    from domain import names
    from domain.errors import BUSINESS_ERROR_TYPE
    from domain.ids import offer_sync_workflow_id
    from domain.offers.sync import ReconcileInput, ReconcileResult

RECONCILE_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5),
    maximum_interval=timedelta(minutes=5),
    non_retryable_error_types=[BUSINESS_ERROR_TYPE],
)


@workflow.defn(name=names.OFFER_RECONCILE_WORKFLOW)
class OfferReconcileWorkflow:
    @workflow.run
    async def run(self, request: ReconcileInput) -> ReconcileResult:
        workflow.set_current_details(f"Comparing {request.channel}'s offer export with what we believe")
        try:
            result = await workflow.execute_activity_method(
                OfferSyncActivities.reconcile_offers,
                request.channel,
                schedule_to_close_timeout=request.deadline,
                start_to_close_timeout=min(request.deadline, timedelta(minutes=30)),
                heartbeat_timeout=timedelta(minutes=2),
                retry_policy=RECONCILE_RETRY,
                summary="compare the offer export with what we believe",
            )
        except ActivityError as err:
            result = ReconcileResult(failure=str(err.cause or err))
        await workflow.get_external_workflow_handle(offer_sync_workflow_id(request.channel)).signal(
            names.SIGNAL_RECONCILED, result
        )
        return result
