"""Kaufland's error bodies: ErrorResponse{type, message, errors[{field, message}]}."""

from typing import Any


class KauflandProblem(Exception):
    def __init__(
        self, status: int, message: str, problem_type: str = "about:blank", errors: list[dict[str, str]] | None = None
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.problem_type = problem_type
        self.errors = errors or []

    def body(self) -> dict[str, Any]:
        return {"type": self.problem_type, "message": self.message, "errors": self.errors}


def not_found(what: str) -> KauflandProblem:
    return KauflandProblem(404, f"{what} not found", "/problems/not-found")


def invalid(field: str, message: str) -> KauflandProblem:
    return KauflandProblem(
        400,
        "Request parameters have invalid values",
        "/problems/validation-error",
        [{"field": field, "message": message}],
    )


def unauthorized(problem_type: str, message: str) -> KauflandProblem:
    return KauflandProblem(401, message, problem_type)


def forbidden(problem_type: str, message: str) -> KauflandProblem:
    return KauflandProblem(403, message, problem_type)


def too_many_requests() -> KauflandProblem:
    return KauflandProblem(429, "Too Many Requests", "about:blank")
