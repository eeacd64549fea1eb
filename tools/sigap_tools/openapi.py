"""The API's OpenAPI document, generated from every function's routes and their pydantic models.

Each function serves only its own routes, and the Query function serves this document as a file
(`shared/sigap/openapi.json`), so no function imports another's routes. `make openapi` writes it;
`make test` fails when a route changed without it (tests/infra).

    python -m sigap_tools.openapi          write shared/sigap/openapi.json
    python -m sigap_tools.openapi --check  exit 1 if the file differs from what the routes describe
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

import sigap
from sigap.accounts.api import app as accounts
from sigap.console.api import app as console
from sigap.detection import router as alerts
from sigap.ingest import router as ingest
from sigap.mentions import router as query
from sigap.notify.api import app as notifications
from sigap.scoring import router as score
from sigap.sources import hooks, imports_router
from sigap.sources import router as sources
from sigap.statements.api import app as statements

TITLE = "Sigap API"
DESCRIPTION = (
    "Reputation monitoring and crisis response. Every tenant route takes the tenant's API key as "
    "`Authorization: Bearer <key>`."
)
DOCUMENT = Path(sigap.__file__).parent / "openapi.json"


def openapi_json() -> str:
    """The document as the routes describe it now, in a stable form (sorted keys, two-space indent).

    One describing resolver includes every function's routers, so a model used as input and as output is
    described once for each. It includes copies: including a router re-points its context at the resolver
    that includes it, and the functions' own routers must keep theirs."""
    describer = APIGatewayHttpResolver(enable_validation=True)
    for router in (
        ingest.router,
        score.router,
        sources.router,
        hooks.router,
        imports_router.router,
        query.router,
        alerts.router,
        *notifications.ROUTERS,
        *statements.ROUTERS,
        *accounts.ROUTERS,
        *console.ROUTERS,
    ):
        describer.include_router(copy.copy(router))
    generated = describer.get_openapi_json_schema(
        title=TITLE,
        version=sigap.__version__,
        description=DESCRIPTION,
        security_schemes={
            "bearerAuth": HTTPBearer(
                bearerFormat="an API key (sgp_<tenant>_<key id>.<secret>) or a sign-in ID token (a JWT)"
            )
        },
        security=[{"bearerAuth": []}],
    )
    return json.dumps(json.loads(generated), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sigap_tools.openapi", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed document is out of date")
    args = parser.parse_args(argv)
    current = openapi_json()
    if args.check:
        if not DOCUMENT.exists() or DOCUMENT.read_text(encoding="utf-8") != current:
            print(f"{DOCUMENT} is out of date with the routes: run 'make openapi'", file=sys.stderr)
            return 1
        return 0
    DOCUMENT.write_text(current, encoding="utf-8")
    print(f"wrote {DOCUMENT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
