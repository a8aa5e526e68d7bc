"""POST /retailer/offers/export and GET /retailer/offers/export/{report-id}:
a CSV of all offers as they were when the export finished."""

import csv
import io

from tests.sandbox.helpers import CSV_MEDIA_TYPE, LAMP, MEDIA_TYPE, FakeClock, offer_created

HEADER = (
    "offerId,ean,conditionName,conditionCategory,conditionComment,bundlePricesPrice,"
    "fulfilmentDeliveryCode,stockAmount,onHoldByRetailer,fulfilmentType,mutationDateTime,referenceCode"
)


async def _exported(bol, clock: FakeClock) -> str:
    """Requests an export, lets it finish and answers its report id."""
    accepted = await bol.send("POST", "/retailer/offers/export", {"format": "CSV"})
    assert accepted.status_code == 202, accepted.text
    clock.advance(1)
    process = await bol.process(accepted.json()["processStatusId"])
    assert process["status"] == "SUCCESS", process
    return process["entityId"]


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_an_export_is_pending_then_names_its_report(bol, clock: FakeClock):
    accepted = await bol.send("POST", "/retailer/offers/export", {"format": "CSV"})

    pending = accepted.json()
    assert accepted.status_code == 202
    assert (pending["status"], pending["eventType"]) == ("PENDING", "CREATE_OFFER_EXPORT")
    assert "entityId" not in pending  # a POST: named only on SUCCESS
    clock.advance(0.5)
    done = await bol.process(pending["processStatusId"])
    assert done["status"] == "SUCCESS" and done["entityId"].isdigit()


async def test_the_export_is_a_csv_of_every_offer(bol, sandbox, clock: FakeClock):
    mug = await offer_created(bol, clock)
    lamp = await offer_created(
        bol,
        clock,
        ean=LAMP["ean"],
        reference=None,
        condition={"name": "GOOD", "comment": "Scratched, but works"},
        pricing={"bundlePrices": [{"quantity": 1, "unitPrice": 40}]},
        stock={"amount": 0, "managedByRetailer": False},
        onHoldByRetailer=True,
        fulfilment={"method": "FBB"},
    )
    report_id = await _exported(bol, clock)

    response = await bol.offer_export(report_id)

    assert response.status_code == 200
    assert response.headers["content-type"] == CSV_MEDIA_TYPE
    assert response.text.splitlines() == [
        HEADER,
        f"{mug},8710103917885,NEW,NEW,,12.95,1-2d,10,false,FBR,2025-03-03T09:00:00.500000Z,MUG-BLUE",
        f'{lamp},4006381333931,GOOD,SECONDHAND,"Scratched, but works",40.00,,0,true,FBB,2025-03-03T09:00:01.500000Z,',
    ]
    assert [row["offerId"] for row in _rows(response.text)] == [mug, lamp]


async def test_the_export_is_as_of_the_moment_it_finished(bol, sandbox, clock: FakeClock):
    offer_id = await offer_created(bol, clock)
    # Accepted before the export: due first, so in it, though both are due at once.
    await bol.send("PUT", f"/retailer/offers/{offer_id}/stock", {"amount": 7, "managedByRetailer": True})
    report_id = await _exported(bol, clock)
    await bol.send("PUT", f"/retailer/offers/{offer_id}/stock", {"amount": 3, "managedByRetailer": True})
    later = await offer_created(bol, clock, condition={"name": "AS_NEW"})

    [row] = _rows((await bol.offer_export(report_id)).text)

    assert (row["offerId"], row["stockAmount"], row["mutationDateTime"]) == (
        offer_id,
        "7",
        "2025-03-03T09:00:01.500000Z",
    )
    assert later not in (await bol.offer_export(report_id)).text
    newer = _rows((await bol.offer_export(await _exported(bol, clock))).text)
    assert [(r["offerId"], r["stockAmount"]) for r in newer] == [(offer_id, "3"), (later, "10")]


async def test_drift_and_deletion_show_in_the_next_export(bol, http, sandbox, clock: FakeClock):
    kept = await offer_created(bol, clock)
    gone = await offer_created(bol, clock, condition={"name": "REASONABLE"})
    await http.post(f"/_sandbox/offers/{kept}/drift", json={"stock": 2, "price": "12.50", "onHoldByRetailer": True})
    await bol.delete(f"/retailer/offers/{gone}")

    [row] = _rows((await bol.offer_export(await _exported(bol, clock))).text)

    assert row["offerId"] == kept
    assert (row["stockAmount"], row["bundlePricesPrice"], row["onHoldByRetailer"]) == ("2", "12.50", "true")
    assert row["mutationDateTime"] == "2025-03-03T09:00:02Z"  # the moment of the drift


async def test_an_export_with_no_offers_is_the_header_alone(bol, clock: FakeClock):
    response = await bol.offer_export(await _exported(bol, clock))
    assert response.text.splitlines() == [HEADER]


async def test_the_export_must_be_asked_for_as_csv(bol, clock: FakeClock):
    report_id = await _exported(bol, clock)

    for accept in (MEDIA_TYPE, "text/csv", "*/*"):
        refused = await bol.offer_export(report_id, accept=accept)
        assert refused.status_code == 406, accept
        assert refused.headers["content-type"] == MEDIA_TYPE  # Problems are JSON
        assert refused.json()["detail"].endswith(f"Accept: {CSV_MEDIA_TYPE}.")
    assert (await bol.offer_export(report_id, accept=f"{MEDIA_TYPE}, {CSV_MEDIA_TYPE}")).status_code == 200


async def test_unknown_and_unfinished_reports_are_404(bol, clock: FakeClock):
    unknown = await bol.offer_export("9123456789")
    pending = (await bol.send("POST", "/retailer/offers/export", {"format": "CSV"})).json()

    assert unknown.status_code == 404 and unknown.json()["title"] == "Not Found"
    assert unknown.headers["content-type"] == MEDIA_TYPE
    clock.advance(0.5)
    report_id = (await bol.process(pending["processStatusId"]))["entityId"]
    assert (await bol.offer_export(report_id)).status_code == 200


async def test_only_csv_exports_can_be_requested(bol, sandbox):
    xlsx = await bol.send("POST", "/retailer/offers/export", {"format": "XLSX"})
    none = await bol.send("POST", "/retailer/offers/export", {})

    assert [v["name"] for v in xlsx.json()["violations"]] == ["format"]
    assert "allowed values: CSV" in xlsx.json()["violations"][0]["reason"]
    assert [v["name"] for v in none.json()["violations"]] == ["format"]
    assert sandbox.process_statuses() == []


async def test_a_failed_export_leaves_no_report(bol, sandbox, clock: FakeClock):
    sandbox.add_fault(path="/retailer/offers/export", method="POST", kind="process_failure", times=1)

    accepted = (await bol.send("POST", "/retailer/offers/export", {"format": "CSV"})).json()
    clock.advance(1)

    failed = await bol.process(accepted["processStatusId"])
    assert failed["status"] == "FAILURE" and "entityId" not in failed
