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
    failures: int = 0  # answer `status` to this many pushes first
    status: int = 503
    answer: dict = field(default_factory=dict)  # the body of those answers
    headers: dict[str, str] = field(default_factory=dict)  # and their headers
    pushes: list[Push] = field(default_factory=list)

    def app(self) -> Starlette:
        async def receive(request: Request) -> JSONResponse:
            body = await request.body()
            h = request.headers
            signed = signature_matches(SECRET, h.get(TIMESTAMP_HEADER), body, h.get(SIGNATURE_HEADER))
            failing = len(self.pushes) < self.failures
            status = self.status if failing else 200
            self.pushes.append(Push(h.get(IDEMPOTENCY_HEADER), signed, await request.json(), status))
            if failing:
                return JSONResponse(self.answer, status_code=status, headers=self.headers)
            return JSONResponse({}, status_code=status)

        return Starlette(routes=[Route("/orders", receive, methods=["POST"])])

    def acknowledged(self) -> list[Push]:
        return [p for p in self.pushes if p.answered == 200]
