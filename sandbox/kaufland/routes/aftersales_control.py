"""The control API's after-sales part: the buyer returns pieces and writes
messages; tests read what the seller answered and uploaded."""

from starlette.routing import Route

from sandbox.kaufland.routes.control import control

routes = [
    Route("/_sandbox/returns", control(lambda s, p, b, q: (201, s.open_return(**b))), methods=["POST"]),
    Route("/_sandbox/return-units", control(lambda s, p, b, q: (200, s.return_units())), methods=["GET"]),
    Route("/_sandbox/tickets", control(lambda s, p, b, q: (201, s.open_ticket(**b))), methods=["POST"]),
    Route("/_sandbox/tickets", control(lambda s, p, b, q: (200, s.tickets())), methods=["GET"]),
    Route(
        "/_sandbox/tickets/{id_ticket}/messages",
        control(lambda s, p, b, q: (201, s.buyer_writes(p["id_ticket"], str(b.get("text", ""))))),
        methods=["POST"],
    ),
    Route("/_sandbox/invoices", control(lambda s, p, b, q: (200, s.invoices())), methods=["GET"]),
    Route("/_sandbox/notifications", control(lambda s, p, b, q: (200, s.notify(**b))), methods=["POST"]),
]
