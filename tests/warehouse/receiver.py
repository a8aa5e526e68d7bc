"""A warehouse's receiving end over real HTTP, for the push tests: it can
refuse the first pushes, and keeps every push it got."""

from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from domain.warehouse import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_matches

SECRET = "warehouse-test-secret"


@dataclass
class Push:
    key: str | None
    signed: bool
    body: dict
    answered: int


@dataclass
class FlakyWarehouse:
    failures: int = 0  # answer 503 to this many pushes first
    pushes: list[Push] = field(default_factory=list)

    def app(self) -> Starlette:
        async def receive(request: Request) -> JSONResponse:
            body = await request.body()
            h = request.headers
            signed = signature_matches(SECRET, h.get(TIMESTAMP_HEADER), body, h.get(SIGNATURE_HEADER))
            status = 503 if len(self.pushes) < self.failures else 200
            self.pushes.append(Push(h.get(IDEMPOTENCY_HEADER), signed, await request.json(), status))
            return JSONResponse({}, status_code=status)

        return Starlette(routes=[Route("/orders", receive, methods=["POST"])])

    def acknowledged(self) -> list[Push]:
        return [p for p in self.pushes if p.answered == 200]
