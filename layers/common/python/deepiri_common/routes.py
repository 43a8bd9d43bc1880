"""Each REST route written once, beside its handler: method, path, and who may call it.

::

    app = create_resolver()
    routes = Routes(app)

    @routes.get("/api/tasks/<id>", scope="tasks:read")
    def get_task(id: str) -> Task: ...

    @routes.post("/api/auth/login", open=True)
    def login(body: Credentials) -> TokenPair: ...

A route is *open* (no authorizer: anyone may call it), or needs a signed-in caller. Third-party
(OAuth) tokens reach a signed-in route only when it names a ``scope``, and only with that scope;
first-party tokens carry no scopes and are not limited by them. Everything else derives from these
declarations: the scope check below, the OpenAPI document's security, the README's route table, and
the drift test that holds the template's API events to them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, TypeVar, get_args, get_origin

from aws_lambda_powertools.event_handler import Response

from deepiri_common.identity import caller_from_event
from deepiri_common.problems import Forbidden, Unauthorized

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver
    from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
    from aws_lambda_powertools.event_handler.types import EventHandlerInstance

F = TypeVar("F", bound=Callable[..., Any])
_PARAMETER = re.compile(r"<([A-Za-z_][A-Za-z0-9_]*)>")



@dataclass(frozen=True)
class Route:
    """One declared route, with its path as API Gateway spells it (``/api/tasks/{id}``)."""

    method: str
    path: str
    open: bool
    scope: str | None
    handler: str
    summary: str
    # A catch-all the template routes to this function, answered by the resolver's not-found handler.
    fallback: bool = False
    # The contract beyond what every route shares (``deepiri_common.openapi``): the success statuses
    # (the usual one first), further problem statuses the route answers (409, 429, ...), an
    # ``application/x-www-form-urlencoded`` body model, and the model of the route's own error bodies
    # when they are not problem+json (OAuth's RFC 6749 errors).
    statuses: tuple[int, ...] = (200,)
    problems: tuple[int, ...] = ()
    form: type | None = None
    error_model: type | None = None

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def access(self) -> str:
        """Who may call it, in words: ``open``, ``signed-in``, or ``signed-in or scope tasks:read``."""
        if self.open:
            return "open"
        return f"signed-in or scope `{self.scope}`" if self.scope else "signed-in (first-party)"


def api_path(rule: str) -> str:
    """Powertools' ``/api/tasks/<id>`` as API Gateway's ``/api/tasks/{id}``."""
    return _PARAMETER.sub(r"{\1}", rule)


class Routes:
    """The routes of one resolver. Declaring a route here registers it with the resolver."""

    def __init__(self, app: APIGatewayRestResolver) -> None:
        self._app = app
        self._routes: dict[str, Route] = {}
        app.use([self._limit_third_party_tokens])

    def get(self, rule: str, *, scope: str | None = None, open: bool = False, **options: Any) -> Callable[[F], F]:
        return self._declare("GET", rule, scope, open, options)

    def post(self, rule: str, *, scope: str | None = None, open: bool = False, **options: Any) -> Callable[[F], F]:
        return self._declare("POST", rule, scope, open, options)

    def put(self, rule: str, *, scope: str | None = None, open: bool = False, **options: Any) -> Callable[[F], F]:
        return self._declare("PUT", rule, scope, open, options)

    def patch(self, rule: str, *, scope: str | None = None, open: bool = False, **options: Any) -> Callable[[F], F]:
        return self._declare("PATCH", rule, scope, open, options)

    def delete(self, rule: str, *, scope: str | None = None, open: bool = False, **options: Any) -> Callable[[F], F]:
        return self._declare("DELETE", rule, scope, open, options)

    def head(self, rule: str, *, scope: str | None = None, open: bool = False, **options: Any) -> Callable[[F], F]:
        return self._declare("HEAD", rule, scope, open, options)

    def fallback(self, path: str, methods: tuple[str, ...]) -> None:
        """Declare an open catch-all path the resolver answers with 404 problem+json (no handler)."""
        for method in methods:
            self._add(Route(method=method, path=path, open=True, scope=None, handler="", summary="404 problem+json",
                            fallback=True))

    def all(self) -> tuple[Route, ...]:
        """Every declared route, in declaration order."""
        return tuple(self._routes.values())

    def scope_of(self, method: str, path: str) -> str | None:
        """The scope a third-party token needs for ``method path`` (API Gateway form); None: not open to them."""
        route = self._routes.get(f"{method} {path}")
        return route.scope if route else None

    def _declare(self, method: str, rule: str, scope: str | None, open: bool,
                 options: dict[str, Any]) -> Callable[[F], F]:
        """Declare and register a route. Besides Powertools' route options it takes ``status`` (the
        success status, or several, the usual first; default 200, or 204 for ``Response[None]``),
        ``problems`` (further problem statuses), ``form`` and ``error_model`` (see :class:`Route`), and
        ``returns``: the model of a ``Response[Any]`` body that must go out exactly as the handler wrote
        it (``Response[Model]`` makes Powertools validate and re-serialize the body)."""
        if open and scope:
            raise ValueError(f"{method} {rule}: an open route needs no scope")
        status = options.pop("status", None)
        contract = {"problems": tuple(options.pop("problems", ())), "form": options.pop("form", None),
                    "error_model": options.pop("error_model", None)}
        media_type = options.pop("media_type", "application/json")
        returns = options.pop("returns", None)

        def decorate(function: F) -> F:
            summary = (function.__doc__ or "").strip().split("\n", 1)[0]  # any split: the same first line (equivalent)
            returned = _return_type(function)
            statuses = _statuses(status, returned)
            self._add(Route(method=method, path=api_path(rule), open=open, scope=scope,
                            handler=function.__name__, summary=summary, statuses=statuses, **contract))
            success = _success(options, returned, statuses, media_type, returns)
            getattr(self._app, method.lower())(rule, **success)(function)
            return function

        return decorate

    def _add(self, route: Route) -> None:
        if route.key in self._routes:
            raise ValueError(f"{route.key} is declared twice")
        self._routes[route.key] = route

    def _limit_third_party_tokens(self, app: EventHandlerInstance, next_middleware: NextMiddleware) -> Response[Any]:
        event = app.current_event
        try:
            caller = caller_from_event(event.raw_event)
        except Unauthorized:
            return next_middleware(app)  # open routes: no caller; the route itself decides
        if caller.scopes is not None:
            # No declared route has "", None or any such key, so every default answers "not open to third parties"
            # alike (equivalent mutants).
            required = self.scope_of(event.http_method, event.raw_event.get("resource", ""))
            if required is None:
                raise Forbidden("this route is not available to third-party applications")
            if required not in caller.scopes:
                raise Forbidden(f"requires the {required} scope", requiredScope=required)
        return next_middleware(app)


def _return_type(function: Callable[..., Any]) -> Any:
    """The handler's return annotation, resolved in its module (only it: resolving every parameter's
    annotation too would cost each cold start a few milliseconds per route)."""
    annotation = function.__annotations__.get("return")
    if isinstance(annotation, str):  # postponed (from __future__ import annotations): a name in the module
        return eval(annotation, function.__globals__)  # noqa: S307 - the handler's own annotation
    return annotation


def _statuses(declared: int | tuple[int, ...] | None, returned: Any) -> tuple[int, ...]:
    if declared is not None:
        return tuple(int(code) for code in (declared if isinstance(declared, tuple) else (declared,)))
    no_body = get_origin(returned) is Response and get_args(returned) == (type(None),)
    return (HTTPStatus.NO_CONTENT.value,) if no_body else (HTTPStatus.OK.value,)


def _success(options: dict[str, Any], returned: Any, statuses: tuple[int, ...], media_type: str,
             returns: type | None = None) -> dict[str, Any]:
    """Powertools' route options with the success responses of the OpenAPI document.

    A handler that returns a model gets its status from Powertools (``status_code``), which documents
    the returned model: the usual (first) status, however many are declared. A handler that returns
    ``Response[Model]`` sets its status itself: the model is named here so the document shows it
    (``Response[None]``: no body).
    """
    is_response = get_origin(returned) is Response or returned is Response
    if "responses" in options or not (is_response or returns):
        return {"status_code": statuses[0], **options}
    model = returns or (get_args(returned) or (Any,))[0]
    # Powertools documents a ``Response[None]`` body as null whether or not the content is named here.
    # Powertools documents a Response[None] body as null either way, and infra.openapi writes a 204 without
    # content: describing the None model instead is equivalent.
    content = {} if model is type(None) else {"content": {media_type: {"model": model}}}
    return {**options, "responses": {code: {"description": HTTPStatus(code).phrase, **content}
                                     for code in statuses}}
