from datetime import UTC, datetime, timedelta

from domain.transit import TRANSIT_TIMES

SHIPPED = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


def test_transit_time_per_transporter_and_destination_country():
    assert TRANSIT_TIMES.expected_delivery(SHIPPED, "TNT", "NL") == SHIPPED + timedelta(days=1)
    assert TRANSIT_TIMES.transit("dhl", "be") == timedelta(days=2)  # codes and countries in any case
    assert TRANSIT_TIMES.transit("BPOST_BE", "FR") == timedelta(days=5)  # the transporter's other countries
    assert TRANSIT_TIMES.transit("UPS", "NL") == timedelta(days=5)  # a transporter not listed: the default
    assert TRANSIT_TIMES.transit("GLS", None) == timedelta(days=5)  # no country known
