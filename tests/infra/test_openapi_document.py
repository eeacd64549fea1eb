"""The OpenAPI document the Query function serves is generated from the routes, never edited by hand."""

from sigap_tools.openapi import DOCUMENT, openapi_json


def test_the_served_openapi_document_matches_the_routes() -> None:
    # Given the committed document and the routes as they are now
    committed = DOCUMENT.read_text(encoding="utf-8")
    # When the document is generated again
    current = openapi_json()
    # Then nothing changed: a route changed without `make openapi` fails here
    assert committed == current, "shared/sigap/openapi.json is stale: run 'make openapi'"


def test_describing_the_api_leaves_each_functions_routers_pointing_at_their_own_resolver() -> None:
    # Given the statements function's resolver and its routers
    from sigap.statements.api import app as statements

    # When the whole API is described (as the drift check and `make openapi` do)
    openapi_json()
    # Then every router still reads its context from the function's own resolver
    assert all(router.api_resolver is statements.app for router in statements.ROUTERS)
