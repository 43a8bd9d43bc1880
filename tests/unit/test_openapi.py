"""The committed OpenAPI document matches the routes (regenerate with `make openapi`)."""

from __future__ import annotations

from http import HTTPStatus

from infra import openapi


def test_given_the_routes_when_the_document_is_generated_then_it_equals_the_committed_one() -> None:
    assert openapi.DOCUMENT.read_text() == openapi.render()


def test_given_the_document_then_only_public_routes_skip_the_bearer_requirement() -> None:
    paths = openapi.build()["paths"]
    assert paths["/health"]["get"]["security"] == []
    assert paths["/api/realtime/me"]["get"]["security"] == [{"bearer": []}, {"oauth2": ["profile:read"]}]
    assert paths["/api/realtime/presence"]["put"]["security"] == [{"bearer": []}]


DOCUMENT = openapi.build()


def _answer(operation: dict, code: str) -> dict:
    """The operation's documented answer for ``code``, its shared response when it refers to one."""
    response = operation["responses"][code]
    reference = response.get("$ref", "")
    prefix = "#/components/responses/"
    if not reference.startswith(prefix):
        return response
    return DOCUMENT["components"]["responses"][reference.removeprefix(prefix)]


def _operations() -> list[tuple[str, str, dict]]:
    return [(path, method, operation) for path, item in DOCUMENT["paths"].items() for method, operation in item.items()]


def test_given_every_operation_then_the_errors_every_route_answers_are_problems_with_an_example() -> None:
    for path, method, operation in _operations():
        for code in ("400", "413", "415", "422", "429"):
            content = _answer(operation, code)["content"]["application/problem+json"]
            assert content["schema"] == {"$ref": "#/components/schemas/Problem"}, (method, path, code)
            assert content["example"]["status"] == int(code)
        assert "HTTPValidationError" not in str([_answer(operation, code) for code in operation["responses"]])


def test_given_signed_in_and_open_routes_then_only_signed_in_ones_document_401_and_403() -> None:
    tasks = DOCUMENT["paths"]["/api/tasks"]["get"]
    assert {"401", "403"} <= set(tasks["responses"])
    assert "application/json" in _answer(tasks, "401")["content"]  # API Gateway's own {"message": ...}
    assert "401" not in DOCUMENT["paths"]["/health"]["get"]["responses"]


def test_given_path_ids_writes_and_versions_then_404_409_and_412_are_documented_where_they_apply() -> None:
    paths = DOCUMENT["paths"]
    assert {"404", "409", "412"} <= set(paths["/api/tasks/{id}"]["patch"]["responses"])
    assert "412" in paths["/api/projects/{projectId}"]["patch"]["responses"]  # version in the body
    assert "404" in paths["/api/tasks"]["post"]["responses"]  # a projectId in the body
    assert not {"404", "409", "412"} & set(paths["/health"]["get"]["responses"])


def test_given_success_statuses_then_creations_say_201_and_answers_without_body_say_204_with_no_content() -> None:
    paths = DOCUMENT["paths"]
    created = paths["/api/tasks"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert created == {"$ref": "#/components/schemas/Task"}
    assert "200" not in paths["/api/tasks"]["post"]["responses"]
    assert paths["/api/tasks/{id}"]["delete"]["responses"]["204"] == {"description": "No Content"}
    assert paths["/api/tasks/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Task"}


def test_given_the_oauth_endpoints_then_forms_errors_and_authorize_parameters_are_documented() -> None:
    token = DOCUMENT["paths"]["/api/oauth/token"]["post"]
    form = token["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert form == {"$ref": "#/components/schemas/OAuthTokenForm"}
    assert DOCUMENT["components"]["schemas"]["OAuthTokenForm"]["required"] == ["grant_type"]
    assert "OAuthErrorAnswer" in str(_answer(token, "400")["content"]["application/json"])
    authorize = DOCUMENT["paths"]["/api/oauth/authorize"]["get"]["parameters"]
    required = {parameter["name"] for parameter in authorize if parameter["required"]}
    assert required == {"response_type", "client_id", "redirect_uri"}
    assert next(p for p in authorize if p["name"] == "client_id")["schema"]["maxLength"] == 64


def test_given_path_parameters_then_each_states_the_pattern_the_common_layer_enforces() -> None:
    for path, method, operation in _operations():
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                assert "pattern" in parameter["schema"], (method, path, parameter["name"])


def test_given_every_operation_then_its_error_answers_are_shared_references_that_resolve() -> None:
    shared = DOCUMENT["components"]["responses"]
    for path, method, operation in _operations():
        for code, response in operation["responses"].items():
            if int(code) >= 400:
                name = response["$ref"].removeprefix("#/components/responses/")
                assert shared[name]["description"] == HTTPStatus(int(code)).phrase, (method, path, code)
    assert len(shared) < 40  # a few answers written once, not one per operation
