"""The gateway through the deployed local stack: health, unknown routes, the authorizer, bad input."""

from __future__ import annotations

from datetime import timedelta

from deepiri_common.clock import utc_now
from deepiri_common.ids import new_ulid
from deepiri_common.tokens import KeyStore, issue_access_token

PROBLEM = "application/problem+json"


class _MemorySecret:
    """A key set nobody deployed: tokens it signs must not be accepted."""

    def __init__(self) -> None:
        self.value: dict[str, str] = {"SecretString": "placeholder", "VersionId": "v0"}

    def get_secret_value(self, *, SecretId: str) -> dict[str, str]:
        return self.value

    def put_secret_value(self, *, SecretId: str, SecretString: str, ClientRequestToken: str, **_: object) -> dict:
        self.value = {"SecretString": SecretString, "VersionId": ClientRequestToken}
        return {"VersionId": ClientRequestToken}


def test_given_the_stack_when_health_is_called_then_it_answers_ok_for_the_stage(api) -> None:
    response = api("GET", "/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["stage"] == "e2e"


def test_given_the_stack_when_anyone_asks_for_readiness_then_each_dependency_is_up_and_none_is_named(api) -> None:
    response = api("GET", "/health/ready")
    assert response.status_code == 200, response.text
    dependencies = response.json()["dependencies"]
    assert {d["kind"] for d in dependencies} == {"table", "queue", "bus"}
    assert all(d["status"] == "up" for d in dependencies)
    # No table name (deepiri-e2e-...), queue URL or account id reaches an anonymous caller.
    assert "deepiri-" not in response.text and "http" not in response.text and "000000000000" not in response.text


def test_given_an_unknown_route_when_called_then_404_problem_json(api, account) -> None:
    for method, path, token in [("GET", "/nope", None), ("POST", "/api/nothing/here", None),
                                ("DELETE", "/api/tasks-not-yet", account("gateway").token)]:
        response = api(method, path, token=token)
        assert response.status_code == 404, (method, path, response.text)
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.json()["status"] == 404


def test_given_a_method_the_path_does_not_have_then_404_problem_json_without_running_anything(api, account) -> None:
    # API Gateway sends a method a resource does not declare to the catch-all {proxy+} that has it
    user = account("gateway")
    for method, path, token in [("PUT", "/api/tasks", user.token), ("DELETE", "/health", None),
                                ("PATCH", "/api/projects", user.token), ("POST", "/health/ready", None)]:
        response = api(method, path, token=token, json={"title": "x"})
        assert response.status_code == 404, (method, path, response.text)
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.json()["detail"] == f"no route for {method} {path}"
    assert api("GET", "/api/tasks", token=user.token).json()["items"] == []


def test_given_trace_or_an_unknown_method_then_the_emulator_refuses_it_before_any_function_runs(api) -> None:
    # The template's catch-all declares the methods the emulator imports (not ANY: MiniStack 1.5.33 skips
    # x-amazon-apigateway-any-method), so TRACE and unknown verbs get API Gateway's own 403 (README, known limits).
    for method in ("TRACE", "BREW"):
        response = api(method, "/health")
        assert response.status_code == 403, (method, response.text)
        assert response.json() == {"message": "Missing Authentication Token"}


def test_given_a_protected_route_when_no_or_bad_token_then_401(api, mint, account) -> None:
    user = account("gateway")
    foreign = KeyStore("elsewhere", _MemorySecret())
    forged = issue_access_token(foreign, subject=user.id, roles=["user"], issuer="https://deepiri.e2e",
                                audience="deepiri-api")
    expired = mint(user.id, now=utc_now() - timedelta(hours=2))
    nobody = mint(new_ulid())  # well signed, but for a user that does not exist
    for token in (None, "not-a-jwt", forged, expired, nobody, user.token.rsplit(".", 1)[0] + ".AAAA"):
        response = api("GET", "/api/realtime/me", token=token)
        assert response.status_code == 401, (token, response.text)


def test_given_a_valid_token_when_calling_a_protected_route_then_the_caller_is_the_token_subject(
    api, account
) -> None:
    user = account("gateway")
    response = api("GET", "/api/realtime/me", token=user.token)
    assert response.status_code == 200, response.text
    assert response.json()["userId"] == user.id
    assert response.json()["presence"]["status"] == "offline"


def test_given_bad_bodies_when_putting_presence_then_clear_4xx_and_nothing_stored(api, account) -> None:
    token = account("gateway").token
    headers = {"content-type": "application/json"}

    malformed = api("PUT", "/api/realtime/presence", token=token, data='{"status": "busy"', headers=headers)
    assert malformed.status_code == 400, malformed.text
    assert malformed.headers["content-type"].startswith(PROBLEM)

    too_large = api("PUT", "/api/realtime/presence", token=token, headers=headers,
                    data='{"status": "busy", "message": "' + "x" * 300_000 + '"}')
    assert too_large.status_code == 413, too_large.text

    invalid = api("PUT", "/api/realtime/presence", token=token, json={"status": "asleep", "role": "admin"})
    assert invalid.status_code == 422, invalid.text
    fields = {error["field"] for error in invalid.json()["errors"]}
    assert any("status" in field for field in fields) and any("role" in field for field in fields)
    assert "Traceback" not in invalid.text

    assert api("GET", "/api/realtime/me", token=token).json()["presence"]["status"] == "offline"


def test_given_a_valid_body_when_putting_presence_then_it_is_stored_for_that_user_only(api, account) -> None:
    alice, bob = account("alice"), account("bob")
    put = api("PUT", "/api/realtime/presence", token=alice.token, json={"status": "busy", "message": "deep work"})
    assert put.status_code == 200, put.text
    assert api("GET", "/api/realtime/me", token=alice.token).json()["presence"]["message"] == "deep work"
    assert api("GET", "/api/realtime/me", token=bob.token).json()["presence"]["status"] == "offline"


def test_given_a_browser_origin_when_calling_then_the_response_allows_it(api, account) -> None:
    # Preflight (OPTIONS) is answered by API Gateway's mock integration on AWS; the local emulator does
    # not apply its headers (README, known limits), so this checks the headers on real responses.
    response = api("GET", "/api/realtime/me", token=account("gateway").token, headers={"Origin": "https://app.example"})
    assert response.status_code == 200
    assert response.headers.get("access-control-allow-origin") == "*"
