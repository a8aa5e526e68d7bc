"""The offer-sync activity: desired offers from stock and feed rules, diffed
against what the channel last accepted; only the difference is sent."""

import asyncio
from datetime import UTC, datetime, timedelta

from temporalio import activity

from activities.channels import Channels
from activities.errors import marketplace_errors
from activities.heartbeat import heartbeating
from activities.marketplaces.base import OfferUpdateFollower
from activities.notify import StockNotifier
from activities.offer_rounds import ListeningRound
from activities.store import InventoryStore, OfferBook, OfferChanges
from domain.errors import BusinessError
from domain.offers.condition import OfferCondition
from domain.offers.export import COMPARED, OfferExport
from domain.offers.feed import FeedRules
from domain.offers.in_flight import Settled, sent_offer
from domain.offers.model import (
    ChannelOffer,
    DesiredOffer,
    OfferChange,
    OfferOutcome,
    OfferState,
    offer_as_sent,
    offer_change,
)
from domain.offers.sync import (
    FollowOffersResult,
    ReconcileResult,
    SyncOffersInput,
    SyncOffersResult,
    window_left,
)

# SKUs a reconciliation result names, of those that drifted or vanished.
REPORTED_SKUS = 100
# Updates in flight one follow settles: one bulk look-up of bol's.
FOLLOWED = 1_000
# A follow first lets the updates of the next rounds join it: nothing waits
# for it but the book's state, and one look-up then covers them all.
FOLLOW_GATHER = timedelta(seconds=1)


class OfferSyncActivities:
    def __init__(
        self,
        channels: Channels,
        inventory: InventoryStore,
        offers: OfferBook,
        notifier: StockNotifier,
        follow_gather: timedelta = FOLLOW_GATHER,
        changes: OfferChanges | None = None,
    ):
        """`changes`: where the notifier records changes for listening rounds
        (without it, a round sends what it was given and ends)."""
        self.channels = channels
        self.inventory = inventory
        self.offers = offers
        self.notifier = notifier
        self.follow_gather = follow_gather
        self.changes = changes

    @activity.defn
    async def sync_offers(self, request: SyncOffersInput) -> SyncOffersResult:
        config = self.channels.configs[request.channel]
        if self.changes is None or config.offer_sync_listen <= timedelta(0):
            return await self._sync_once(request)
        listen_for = timedelta(0)
        if request.listen_until is not None:
            listen_for = max(timedelta(0), min(config.offer_sync_listen, request.listen_until - datetime.now(UTC)))
        adapter = self.channels[request.channel]
        round_ = ListeningRound(
            request=request,
            changes=self.changes,
            listen_for=listen_for,
            send=lambda skus, result: self._send(request.channel, skus, config.feed, result),
            follow=(lambda: self._follow(request.channel)) if isinstance(adapter, OfferUpdateFollower) else None,
            follow_gather=self.follow_gather,
        )
        result = await round_.run()
        if isinstance(adapter, OfferUpdateFollower):
            result.in_flight_total = await self.inventory.db.run(self.offers.count_in_flight, request.channel)
        return result

    async def _sync_once(self, request: SyncOffersInput) -> SyncOffersResult:
        """A round of the changes it was given, for a channel whose rounds do not listen."""
        # Changes keep arriving during the window; reading stock after it
        # puts them all in this one update.
        await asyncio.sleep(window_left(request, datetime.now(UTC)).total_seconds())
        result = SyncOffersResult()
        await self._send(request.channel, request.skus, self.channels.configs[request.channel].feed, result)
        # Besides this round's, any a lost run left behind: the workflow
        # follows them until the book holds none. Only a channel that
        # processes updates later can have any.
        if isinstance(self.channels[request.channel], OfferUpdateFollower):
            result.in_flight_total = await self.inventory.db.run(self.offers.count_in_flight, request.channel)
        return result

    async def _send(self, channel: str, skus: list[str], rules: FeedRules, result: SyncOffersResult) -> None:
        """Sends what the offers of these SKUs need now, into `result`."""
        changes, desired, current, planned = await self.inventory.db.run(self._plan, channel, skus, rules)
        result.considered, result.withheld = planned.considered, planned.withheld
        result.sent = len(changes)
        if changes:
            await self._push(channel, changes, desired, current, result)

    async def _push(
        self,
        channel: str,
        changes: list[OfferChange],
        desired: dict[str, DesiredOffer],
        current: dict[str, ChannelOffer],
        result: SyncOffersResult,
    ) -> None:

        async def recorded(outcome: OfferOutcome) -> None:
            # The channel has had this update since then: the offer's next
            # window runs from it (workflows/offer_sync.py).
            result.updated_at[outcome.sku] = outcome.taken_at or datetime.now(UTC)
            want, before = desired[outcome.sku], current.get(outcome.sku)
            # At once, not at the end: if this attempt dies mid-way, the retry
            # finds the offers already created and does not create them again.
            if outcome.pending_processes:
                result.in_flight += 1
                await self.inventory.db.run(self.offers.record, sent_offer(channel, outcome, want, before), want)
                return
            await self.inventory.db.run(self._record, channel, want, before, outcome, result)

        async with heartbeating():
            with marketplace_errors():
                await self.channels[channel].push_offers(changes, recorded)

    @activity.defn
    async def follow_offers(self, channel: str) -> FollowOffersResult:
        """Waits for how the channel's processing of the updates in flight
        ended (bol looks them up in bulk) and records it."""
        if not isinstance(self.channels[channel], OfferUpdateFollower):
            raise BusinessError(f"{channel} does not process offer updates later: nothing to follow")
        await asyncio.sleep(self.follow_gather.total_seconds())
        return await self._follow(channel)

    async def _follow(self, channel: str) -> FollowOffersResult:
        adapter = self.channels[channel]
        assert isinstance(adapter, OfferUpdateFollower)  # the callers ask first
        in_flight = await self.inventory.db.run(self.offers.in_flight, channel, FOLLOWED + 1)
        followed = {o.sku: o.in_flight.process_ids for o in in_flight[:FOLLOWED] if o.in_flight}
        async with heartbeating():
            with marketplace_errors():
                ends = await adapter.offer_update_ends([pid for ids in followed.values() for pid in ids])
        settled = await self.inventory.db.run(self.offers.settle, channel, followed, ends)
        return FollowOffersResult(
            accepted=sum(how is Settled.ACCEPTED for how in settled.values()),
            rejected=sum(how is Settled.REJECTED for how in settled.values()),
            superseded=sum(how is Settled.SUPERSEDED for how in settled.values()),
            resend=[sku for sku, how in settled.items() if how is Settled.UNKNOWN],
            more=len(in_flight) > FOLLOWED,
        )

    @activity.defn
    async def reconcile_offers(self, channel: str) -> ReconcileResult:
        """Compare the channel's offer export with what we believe it accepted.
        Where they differ (an edit in the seller portal, a lost update), take
        the live values as the channel's state, so the next sync round sends
        what our rules want."""
        if not self.channels.configs[channel].has_offer_export:
            return ReconcileResult()
        async with heartbeating():
            with marketplace_errors():
                live = await self.channels[channel].export_offers()
            result = await self.inventory.db.run(self._reconcile, channel, live)
            # Drift can be the whole catalogue (a bulk edit in the portal): the
            # SKUs go to the offer sync in parts, and the result, one payload,
            # names the first few.
            await self.notifier.changed(result.drifted + result.vanished, channels=[channel])
        result.drifted_count, result.vanished_count = len(result.drifted), len(result.vanished)
        result.drifted, result.vanished = result.drifted[:REPORTED_SKUS], result.vanished[:REPORTED_SKUS]
        result.adopted = result.adopted[:REPORTED_SKUS]
        return result

    def _reconcile(self, channel: str, export: OfferExport) -> ReconcileResult:
        by_id = {offer.offer_id: offer for offer in export.offers}
        unreadable = set(export.unreadable_ids)
        compared = [name for name in COMPARED if name not in export.absent]
        result = ReconcileResult(
            live=len(export.offers) + len(unreadable), bad_rows=export.bad_rows, bad_row_count=export.bad_row_count
        )
        if export.absent:
            result.bad_rows.insert(0, f"the export has no column for {', '.join(export.absent)}: not compared")
        believed_offers = self.offers.offers(channel)
        self._adopt_unknown(believed_offers, export, result)
        for sku, believed in believed_offers.items():
            if (
                believed.offer_id is None
                or believed.state is not OfferState.ACCEPTED
                or believed.offer_id in unreadable
            ):
                continue
            now = by_id.get(believed.offer_id)
            if now is None:
                # A row without an id may be this offer: only a whole export says it is gone.
                if export.complete:
                    result.vanished.append(sku)
                    self.offers.record(
                        believed.model_copy(update={"offer_id": None, "state": OfferState.PENDING}), None
                    )
                continue
            seen = {name: getattr(now, name) for name in compared}
            if seen != {name: getattr(believed, name) for name in compared}:
                result.drifted.append(sku)
                self.offers.record(believed.model_copy(update=seen), None)
        return result

    def _adopt_unknown(self, believed: dict[str, ChannelOffer], export: OfferExport, result: ReconcileResult) -> None:
        """An offer of ours the channel has but our store has no id for (a
        create whose answer was lost, then refused as a duplicate): it is
        ours to keep in line, or it goes on selling stock we no longer have."""
        unknown = [sku for sku, offer in believed.items() if offer.offer_id is None]
        if not unknown:
            return
        live = {(offer.ean, offer.condition): offer for offer in export.offers}
        items = [
            item
            for start in range(0, len(unknown), 1_000)
            for item in self.inventory.catalog_items(unknown[start : start + 1_000])
        ]
        for item in items:
            found = live.get((item.ean, OfferCondition.NEW.value))
            if found is None:
                continue
            result.adopted.append(item.sku)
            result.drifted.append(item.sku)
            self.offers.record(
                believed[item.sku].model_copy(
                    update={
                        "offer_id": found.offer_id,
                        "state": OfferState.ACCEPTED,
                        "rejection_reasons": [],
                        **{name: getattr(found, name) for name in COMPARED if name not in export.absent},
                    }
                ),
                None,
            )

    def _plan(
        self, channel: str, skus: list[str], rules: FeedRules
    ) -> tuple[list[OfferChange], dict[str, DesiredOffer], dict[str, ChannelOffer], SyncOffersResult]:
        """The changes to send, what we want, and what the channel last
        accepted (`before` for what the push records)."""
        items = self.inventory.catalog_items(skus)
        current, last = self.offers.offers_and_desired(channel, skus)
        result = SyncOffersResult(considered=len(items))
        changes: list[OfferChange] = []
        desired: dict[str, DesiredOffer] = {}
        for item in items:
            want = rules.desired(item)
            desired[item.sku] = want
            change = offer_change(want, current.get(item.sku), last.get(item.sku))
            if change is not None:
                changes.append(change)
            elif want.on_hold and (item.sku not in current or current[item.sku].offer_id is None):
                result.withheld += 1
                self.offers.record(
                    ChannelOffer(
                        channel=channel,
                        sku=item.sku,
                        on_hold=True,
                        state=OfferState.WITHHELD,
                        rejection_reasons=[want.withheld_reason or "withheld"],
                    ),
                    want,
                )
        return changes, desired, current, result

    def _record(
        self,
        channel: str,
        want: DesiredOffer,
        before: ChannelOffer | None,
        outcome: OfferOutcome,
        result: SyncOffersResult,
    ) -> None:
        if outcome.accepted:
            result.accepted += 1
            offer = offer_as_sent(
                channel,
                outcome,
                want,
                before,
                state=OfferState.WITHHELD if want.on_hold else OfferState.ACCEPTED,
                rejection_reasons=[want.withheld_reason] if want.withheld_reason else [],
                not_publishable_reasons=outcome.not_publishable_reasons,
            )
        else:
            result.rejected += 1
            offer = (before or ChannelOffer(channel=channel, sku=outcome.sku)).model_copy(
                update={"state": OfferState.REJECTED, "rejection_reasons": outcome.reasons}
            )
        self.offers.record(offer, want)
