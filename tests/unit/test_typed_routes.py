"""A route that returns its model: Powertools checks and writes it, with the status and responses api_route gave."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel

from sigap.platform.http.gateway import Access, api_route
from sigap.platform.http.resolver import new_resolver


class Greeting(BaseModel):
    text: str
    at: datetime
    score: float


GREETING = Greeting(text="Tanggapan resmi — “maaf” 🙏", at=datetime(2026, 12, 4, 2, 30, tzinfo=UTC), score=0.5)


def _app_with_routes() -> Any:
    router = APIGatewayHttpRouter()

    @api_route(
        router, "POST", "/v1/typed-test/greetings", access=Access.PUBLIC, answer="Made", status=HTTPStatus.CREATED
    )
    def post_greeting() -> Greeting:
        return GREETING

    @api_route(router, "GET", "/v1/typed-test/broken", access=Access.PUBLIC, answer="Never")
    def get_broken() -> Greeting:
        return {"text": "no time"}  # type: ignore[return-value]  # what the check must refuse

    app = new_resolver()
    app.include_router(router)
    return app


def _event(method: str, path: str) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": {"http": {"method": method, "path": path}, "requestId": "r-1", "stage": "$default"},
        "body": "{}" if method == "POST" else None,
        "isBase64Encoded": False,
    }


def test_a_typed_route_answers_its_status_with_the_json_pydantic_writes() -> None:
    # Given a route declared with status 201 that returns a model with non-ASCII text and a date-time
    app = _app_with_routes()
    # When it is called
    answer = app.resolve(_event("POST", "/v1/typed-test/greetings"), None)
    # Then the status is the declared one and the body is byte for byte what model_dump_json writes
    assert answer["statusCode"] == 201
    assert answer["headers"]["Content-Type"] == "application/json"
    assert answer["body"] == GREETING.model_dump_json()


def test_a_route_returning_something_else_than_its_annotation_is_a_500_not_a_half_formed_answer() -> None:
    # Given a route whose value does not match its declared model (a bug in Sigap, not in the request)
    app = _app_with_routes()
    # When it is called
    answer = app.resolve(_event("GET", "/v1/typed-test/broken"), None)
    # Then the caller is not blamed with a 422, and nothing of the malformed value is sent
    assert answer["statusCode"] == 500
    assert json.loads(answer["body"]) == {
        "error": {"code": "internal_error", "message": "the answer could not be written"}
    }


def test_the_document_shows_the_declared_success_with_its_schema_and_every_error() -> None:
    # Given the routes above, when the OpenAPI document is generated
    document = json.loads(_app_with_routes().get_openapi_json_schema())
    responses = document["paths"]["/v1/typed-test/greetings"]["post"]["responses"]
    # Then the 201 carries the model's schema (from the return annotation), and the errors are all there
    assert responses["201"]["description"] == "Made"
    assert responses["201"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Greeting"}
    assert {"400", "401", "404", "422", "503"} <= set(responses)
    assert "200" not in responses
