"""Social graph routes under /api/users/me: friend requests, friends, follows and blocks."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from deepiri_common.api import api_handler, create_resolver
from deepiri_common.identity import caller_id
from deepiri_common.pagination import PageQuery
from deepiri_common.params import Cursor, Limit, no_content
from deepiri_common.routes import Routes
from deepiri_users import wiring
from deepiri_users.logic import social
from deepiri_users.models.social import (
    USER_ID_PATTERN,
    Edge,
    FriendRequestCreate,
    FriendRequestResult,
    RequestDirection,
    SocialPage,
)

app = create_resolver()
routes = Routes(app)

UserId = Annotated[str, Path(pattern=USER_ID_PATTERN)]


def _outcome(result: FriendRequestResult) -> Response[FriendRequestResult]:
    status = HTTPStatus.CREATED if result.status == "requested" else HTTPStatus.OK
    return Response(status_code=status.value, content_type="application/json", body=result)


@routes.post("/api/users/me/friends/requests", status=(201, 200))
def send_friend_request(body: FriendRequestCreate) -> Response[FriendRequestResult]:
    """Ask a user to be friends; a mutual request becomes a friendship."""
    return _outcome(social.send_friend_request(wiring.social_repository(), caller_id(app), body.userId))


@routes.post("/api/users/me/friends/requests/<userId>/accept")
def accept_friend_request(userId: UserId) -> FriendRequestResult:
    """Accept a friend request."""
    return social.accept_friend_request(wiring.social_repository(), caller_id(app), userId)


@routes.post("/api/users/me/friends/requests/<userId>/reject")
def reject_friend_request(userId: UserId) -> Response[None]:
    """Reject a friend request."""
    social.reject_friend_request(wiring.social_repository(), caller_id(app), userId)
    return no_content()


@routes.delete("/api/users/me/friends/requests/<userId>")
def cancel_friend_request(userId: UserId) -> Response[None]:
    """Cancel a friend request you sent."""
    social.cancel_friend_request(wiring.social_repository(), caller_id(app), userId)
    return no_content()


@routes.get("/api/users/me/friends/requests")
def list_friend_requests(direction: Annotated[RequestDirection, Query()] = "incoming", limit: Limit = 20,
                         cursor: Cursor = None) -> SocialPage:
    """Friend requests you received or sent."""
    edge = Edge.REQUEST_IN if direction == "incoming" else Edge.REQUEST_OUT
    return social.list_relations(wiring.social_repository(), caller_id(app), edge, PageQuery(limit=limit,
                                 cursor=cursor))


@routes.delete("/api/users/me/friends/<userId>")
def unfriend(userId: UserId) -> Response[None]:
    """End a friendship."""
    social.unfriend(wiring.social_repository(), caller_id(app), userId)
    return no_content()


@routes.get("/api/users/me/friends", scope="profile:read")
def list_friends(limit: Limit = 20, cursor: Cursor = None) -> SocialPage:
    """Your friends."""
    return social.list_relations(wiring.social_repository(), caller_id(app), Edge.FRIEND, PageQuery(limit=limit,
                                 cursor=cursor))


@routes.post("/api/users/me/following/<userId>")
def follow(userId: UserId) -> Response[None]:
    """Follow a user."""
    social.follow(wiring.social_repository(), caller_id(app), userId)
    return no_content()


@routes.delete("/api/users/me/following/<userId>")
def unfollow(userId: UserId) -> Response[None]:
    """Stop following a user."""
    social.unfollow(wiring.social_repository(), caller_id(app), userId)
    return no_content()


@routes.get("/api/users/me/following", scope="profile:read")
def list_following(limit: Limit = 20, cursor: Cursor = None) -> SocialPage:
    """The users you follow."""
    return social.list_relations(wiring.social_repository(), caller_id(app), Edge.FOLLOWING, PageQuery(limit=limit,
                                 cursor=cursor))


@routes.get("/api/users/me/followers", scope="profile:read")
def list_followers(limit: Limit = 20, cursor: Cursor = None) -> SocialPage:
    """The users who follow you."""
    return social.list_relations(wiring.social_repository(), caller_id(app), Edge.FOLLOWER, PageQuery(limit=limit,
                                 cursor=cursor))


@routes.post("/api/users/me/blocks/<userId>")
def block(userId: UserId) -> Response[None]:
    """Block a user: each disappears from the other's view."""
    social.block(wiring.social_repository(), caller_id(app), userId)
    return no_content()


@routes.delete("/api/users/me/blocks/<userId>")
def unblock(userId: UserId) -> Response[None]:
    """Unblock a user."""
    social.unblock(wiring.social_repository(), caller_id(app), userId)
    return no_content()


@routes.get("/api/users/me/blocks")
def list_blocks(limit: Limit = 20, cursor: Cursor = None) -> SocialPage:
    """The users you blocked."""
    return social.list_relations(wiring.social_repository(), caller_id(app), Edge.BLOCK, PageQuery(limit=limit,
                                 cursor=cursor))


handler: Any = api_handler(app)
