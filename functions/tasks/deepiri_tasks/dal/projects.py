"""The projects repository, in the tasks table; every project lives in one partition ``PROJECT#<id>``:

    sk = PROJECT          the project (name, description, startDate, ownerId, archived, version, times)
    sk = MEMBER#<userId>  a membership (role, joinedAt); gsi1pk = MEMBEROF#<userId>, gsi1sk = PROJECT#<id>
                          so a user's projects are one Query on gsi1
    sk = INVITE#<userId>  a pending invitation (role, invitedBy, invitedAt, projectName);
                          gsi2pk = INVITEE#<userId>, gsi2sk = PROJECT#<id>

Every change writes its outbox event in the same ``TransactWriteItems``; the writes an owner or admin
makes carry a ``ConditionCheck`` on that actor's membership, so a role lost concurrently refuses them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from deepiri_common.attributes import TypeDeserializer, TypeSerializer
from deepiri_common.clock import to_iso, utc_now
from deepiri_common.events import DomainEvent
from deepiri_common.outbox import outbox_put
from deepiri_common.pagination import decode_cursor, encode_cursor, query_all
from deepiri_common.problems import BadRequest, Conflict, NotFound, PreconditionFailed
from deepiri_common.transactions import CONDITION_FAILED, write_transaction
from deepiri_tasks.models.projects import ROLES, Invitation, InvitationPage, Member, MemberPage, Project, Role

BATCH_GET_LIMIT = 100
TRANSACTION_LIMIT = 100
# The project, its owner's membership and ProjectCreated: what a project creation's transaction holds.
CREATE_ACTIONS = 3

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class ProjectRepository:
    """Reads and changes projects, memberships and invitations; ``client`` is a boto3 DynamoDB client.

    Implements :class:`deepiri_tasks.logic.access.ProjectAccess` for the task routes.
    """

    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client

    # ---- ProjectAccess ---------------------------------------------------------------------------

    def role_of(self, project_id: str, user_id: str) -> Role | None:
        member = self.member(project_id, user_id)
        return None if member is None else member.role

    def is_archived(self, project_id: str) -> bool:
        item = self._get(_project_key(project_id), projection="archived")
        return bool(item and item.get("archived", {}).get("BOOL", False))

    # ---- reads -----------------------------------------------------------------------------------

    def project(self, project_id: str) -> Project | None:
        item = self._get(_project_key(project_id))
        return None if item is None else _project(item)

    def member(self, project_id: str, user_id: str) -> Member | None:
        item = self._get(_member_key(project_id, user_id))
        return None if item is None else _member(item)

    def invitation(self, project_id: str, user_id: str) -> Invitation | None:
        item = self._get(_invite_key(project_id, user_id))
        return None if item is None else _invitation(item)

    def projects_of(self, user_id: str, limit: int, cursor: str | None) -> tuple[list[Project], str | None]:
        """One page of the projects ``user_id`` belongs to (with their role), by project id."""
        items, next_cursor = self._query_page("gsi1", "gsi1pk", f"MEMBEROF#{user_id}", limit=limit, cursor=cursor)
        roles = {_plain(i)["projectId"]: cast(Role, _plain(i)["role"]) for i in items}
        found = self._batch_projects(roles)
        projects = [found[pid].model_copy(update={"role": role}) for pid, role in roles.items() if pid in found]
        return projects, next_cursor

    def members_page(self, project_id: str, limit: int, cursor: str | None) -> MemberPage:
        items, next_cursor = self._query_page(None, "pk", f"PROJECT#{project_id}", limit=limit, cursor=cursor,
                                              prefix="MEMBER#")
        return MemberPage(items=[_member(i) for i in items], nextCursor=next_cursor)

    def members(self, project_id: str) -> list[Member]:
        """Every member of the project (all pages)."""
        return [_member(i) for i in self._query_all("pk", f"PROJECT#{project_id}", "MEMBER#")]

    def invitations_of(self, user_id: str, limit: int, cursor: str | None) -> InvitationPage:
        items, next_cursor = self._query_page("gsi2", "gsi2pk", f"INVITEE#{user_id}", limit=limit, cursor=cursor)
        return InvitationPage(items=[_invitation(i) for i in items], nextCursor=next_cursor)

    def memberships_of(self, user_id: str) -> list[tuple[str, Role]]:
        """(project id, role) of every project ``user_id`` belongs to (all pages)."""
        items = self._query_all("gsi1pk", f"MEMBEROF#{user_id}", index="gsi1")
        return [(i["projectId"]["S"], cast(Role, i["role"]["S"])) for i in items]

    # ---- writes ----------------------------------------------------------------------------------

    def create(self, project: Project, event: DomainEvent, extra: Sequence[dict[str, Any]] = ()) -> None:
        """Store a new project with its owner as first member; ``extra`` transaction items ride along
        (at most 100 - ``CREATE_ACTIONS``)."""
        item = {**_project_key(project.id), "kind": "project", **_project_attributes(project)}
        self._transact([
            {"Put": {"TableName": self._table, "Item": _wire(item),
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            self._put_member(project.id, project.ownerId, "owner", project.createdAt),
            outbox_put(self._table, event),
            *extra,
        ])

    def update(self, project: Project, expected_version: int, actor: str, event: DomainEvent) -> None:
        """Replace the project's editable fields, if it is still at ``expected_version`` (else 412)."""
        reasons = self._transact([
            {"Put": {"TableName": self._table,
                     "Item": _wire({**_project_key(project.id), "kind": "project", **_project_attributes(project)}),
                     "ConditionExpression": "attribute_exists(pk) AND version = :v",
                     "ExpressionAttributeValues": {":v": {"N": str(expected_version)}}}},
            self._actor_check(project.id, actor, ("owner", "admin")),
            outbox_put(self._table, event),
        ], tolerate=True)
        if reasons is None:
            return
        if reasons[1] == "ConditionalCheckFailed":
            raise Conflict("your role in the project changed; retry")
        raise PreconditionFailed("the project changed since it was read; read it again",
                                 currentVersion=self._version(project.id))

    def delete(self, project_id: str, actor: str | None, event: DomainEvent) -> None:
        """Delete the project with its memberships and invitations, and record ``event``.

        ``actor`` must still be the owner when the transaction commits; None (a consumer) skips that."""
        keys = [{"pk": i["pk"], "sk": i["sk"]}
                for i in self._query_all("pk", f"PROJECT#{project_id}", "", projection="pk, sk")
                if i["sk"]["S"] != "PROJECT"]
        head, tail = keys[:TRANSACTION_LIMIT - 3], keys[TRANSACTION_LIMIT - 3:]
        items = [
            {"Delete": {"TableName": self._table, "Key": _project_key_wire(project_id),
                        "ConditionExpression": "attribute_exists(pk)"}},
            *({"Delete": {"TableName": self._table, "Key": key}} for key in head),
            outbox_put(self._table, event),
        ]
        if actor is not None:
            # The owner's own membership is among the deletes; its condition carries the check.
            owner_key = _wire(_member_key(project_id, actor))
            for element in items:
                if element.get("Delete", {}).get("Key") == owner_key:
                    element["Delete"].update({"ConditionExpression": "#r = :owner",
                                              "ExpressionAttributeNames": {"#r": "role"},
                                              "ExpressionAttributeValues": {":owner": {"S": "owner"}}})
        self._transact(items)
        # A project with more than ~97 members and invitations: the rest goes after the commit.
        for start in range(0, len(tail), 25):
            self._client.batch_write_item(RequestItems={self._table: [
                {"DeleteRequest": {"Key": key}} for key in tail[start:start + 25]]})

    def set_archived(self, project_id: str, archived: bool, actor: str, event: DomainEvent) -> None:
        self._transact([
            {"Update": {"TableName": self._table, "Key": _project_key_wire(project_id),
                        "UpdateExpression": "SET archived = :a, version = version + :one, updatedAt = :now",
                        "ConditionExpression": "attribute_exists(pk)",
                        "ExpressionAttributeValues": {":a": {"BOOL": archived}, ":one": {"N": "1"},
                                                      ":now": {"S": _now()}}}},
            self._actor_check(project_id, actor, ("owner", "admin")),
            outbox_put(self._table, event),
        ])

    def invite(self, invitation: Invitation) -> None:
        """Store a pending invitation; 409 when the user is already a member or already invited."""
        item = {**_invite_key(invitation.projectId, invitation.userId), "kind": "invitation",
                "gsi2pk": f"INVITEE#{invitation.userId}", "gsi2sk": f"PROJECT#{invitation.projectId}",
                **invitation.model_dump()}
        reasons = self._transact([
            {"Put": {"TableName": self._table, "Item": _wire(item),
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            {"ConditionCheck": {"TableName": self._table,
                                "Key": _wire(_member_key(invitation.projectId, invitation.userId)),
                                "ConditionExpression": "attribute_not_exists(pk)"}},
            self._actor_check(invitation.projectId, invitation.invitedBy, ("owner", "admin")),
        ], tolerate=True)
        if reasons is None:
            return
        if reasons[1] == "ConditionalCheckFailed":
            raise Conflict("the user is already a member of the project")
        if reasons[0] == "ConditionalCheckFailed":
            raise Conflict("the user is already invited to the project")
        raise Conflict("your role in the project changed; retry")

    def accept(self, invitation: Invitation, event: DomainEvent) -> None:
        """Turn the invitation into a membership; 404 when it is gone (declined, or the project deleted)."""
        reasons = self._transact([
            {"Delete": {"TableName": self._table,
                        "Key": _wire(_invite_key(invitation.projectId, invitation.userId)),
                        "ConditionExpression": "attribute_exists(pk)"}},
            self._put_member(invitation.projectId, invitation.userId, invitation.role, _now()),
            {"ConditionCheck": {"TableName": self._table, "Key": _project_key_wire(invitation.projectId),
                                "ConditionExpression": "attribute_exists(pk)"}},
            outbox_put(self._table, event),
        ], tolerate=True)
        if reasons is None:
            return
        if reasons[1] == "ConditionalCheckFailed":
            raise Conflict("you are already a member of the project")
        raise NotFound("no such invitation")

    def decline(self, project_id: str, user_id: str) -> None:
        reasons = self._transact([
            {"Delete": {"TableName": self._table, "Key": _wire(_invite_key(project_id, user_id)),
                        "ConditionExpression": "attribute_exists(pk)"}}], tolerate=True)
        if reasons is not None:
            raise NotFound("no such invitation")

    def change_role(self, project_id: str, user_id: str, *, old: Role, new: Role, actor: str,
                    actor_roles: tuple[Role, ...], event: DomainEvent) -> None:
        """Set a member's role, if it is still ``old`` and the actor still holds one of ``actor_roles``."""
        items = [self._set_role(project_id, user_id, old, new), outbox_put(self._table, event)]
        if actor != user_id:  # one transaction may touch an item once; the role condition covers self
            items.append(self._actor_check(project_id, actor, actor_roles))
        self._transact(items, conflict="the membership changed concurrently; retry")

    def remove_member(self, project_id: str, member: Member, actor: str | None,
                      actor_roles: tuple[Role, ...], event: DomainEvent) -> None:
        """Delete a membership that still has ``member.role`` (an owner is never removed)."""
        items = [
            {"Delete": {"TableName": self._table, "Key": _wire(_member_key(project_id, member.userId)),
                        "ConditionExpression": "#r = :role AND #r <> :owner",
                        "ExpressionAttributeNames": {"#r": "role"},
                        "ExpressionAttributeValues": {":role": {"S": member.role}, ":owner": {"S": "owner"}}}},
            outbox_put(self._table, event),
        ]
        if actor is not None and actor != member.userId:
            items.append(self._actor_check(project_id, actor, actor_roles))
        self._transact(items, conflict="the membership changed concurrently; retry")

    def transfer(self, project_id: str, old_owner: str, new_owner: Member, events: Sequence[DomainEvent]) -> None:
        """Make ``new_owner`` the owner and the old owner an admin, in one transaction."""
        self._transact([
            self._set_role(project_id, old_owner, "owner", "admin"),
            self._set_role(project_id, new_owner.userId, new_owner.role, "owner"),
            {"Update": {"TableName": self._table, "Key": _project_key_wire(project_id),
                        "UpdateExpression": "SET ownerId = :new, version = version + :one, updatedAt = :now",
                        "ConditionExpression": "ownerId = :old",
                        "ExpressionAttributeValues": {":new": {"S": new_owner.userId}, ":old": {"S": old_owner},
                                                      ":one": {"N": "1"}, ":now": {"S": _now()}}}},
            *(outbox_put(self._table, event) for event in events),
        ], conflict="the project's membership changed concurrently; retry")

    # ---- transaction elements --------------------------------------------------------------------

    def _put_member(self, project_id: str, user_id: str, role: Role, joined_at: str) -> dict[str, Any]:
        item = {**_member_key(project_id, user_id), "kind": "member", "projectId": project_id,
                "userId": user_id, "role": role, "joinedAt": joined_at,
                "gsi1pk": f"MEMBEROF#{user_id}", "gsi1sk": f"PROJECT#{project_id}"}
        return {"Put": {"TableName": self._table, "Item": _wire(item),
                        "ConditionExpression": "attribute_not_exists(pk)"}}

    def _set_role(self, project_id: str, user_id: str, old: Role, new: Role) -> dict[str, Any]:
        return {"Update": {"TableName": self._table, "Key": _wire(_member_key(project_id, user_id)),
                           "UpdateExpression": "SET #r = :new",
                           "ConditionExpression": "#r = :old",
                           "ExpressionAttributeNames": {"#r": "role"},
                           "ExpressionAttributeValues": {":new": {"S": new}, ":old": {"S": old}}}}

    def _actor_check(self, project_id: str, actor: str, roles: Iterable[Role]) -> dict[str, Any]:
        allowed = list(roles)
        values = {f":r{i}": {"S": role} for i, role in enumerate(allowed)}
        return {"ConditionCheck": {
            "TableName": self._table, "Key": _wire(_member_key(project_id, actor)),
            "ConditionExpression": f"#r IN ({', '.join(values)})",
            "ExpressionAttributeNames": {"#r": "role"}, "ExpressionAttributeValues": values}}

    def _transact(self, items: list[dict[str, Any]], *, tolerate: bool = False,
                  conflict: str = "the project changed concurrently; retry") -> list[str] | None:
        """Run a transaction: None when it committed. A failed condition raises ``Conflict(conflict)``
        unless ``tolerate``, which returns the cancellation reason code of each item instead."""
        reasons = write_transaction(self._client, items)
        if reasons is None or (tolerate and CONDITION_FAILED in reasons):
            return reasons
        raise Conflict(conflict)

    # ---- queries ---------------------------------------------------------------------------------

    def _get(self, key: Mapping[str, str], projection: str | None = None) -> dict[str, Any] | None:
        args: dict[str, Any] = {"TableName": self._table, "Key": _wire(dict(key)), "ConsistentRead": True}
        if projection:
            args["ProjectionExpression"] = projection
        item: dict[str, Any] | None = self._client.get_item(**args).get("Item")
        return item

    def _version(self, project_id: str) -> int | None:
        item = self._get(_project_key(project_id), projection="version")
        return None if item is None else int(item["version"]["N"])

    def _query_args(self, index: str | None, key_name: str, key: str, prefix: str = "") -> dict[str, Any]:
        args: dict[str, Any] = {"TableName": self._table,
                                "KeyConditionExpression": "#k = :k",
                                "ExpressionAttributeNames": {"#k": key_name},
                                "ExpressionAttributeValues": {":k": {"S": key}}}
        if index:
            args["IndexName"] = index
        if prefix:
            args["KeyConditionExpression"] += " AND begins_with(sk, :prefix)"
            args["ExpressionAttributeValues"][":prefix"] = {"S": prefix}
        return args

    def _query_page(self, index: str | None, key_name: str, key: str, *, limit: int, cursor: str | None,
                    prefix: str = "") -> tuple[list[dict[str, Any]], str | None]:
        args = {**self._query_args(index, key_name, key, prefix), "Limit": limit}
        if cursor:
            start = decode_cursor(cursor)
            if start.get(key_name) != {"S": key}:  # a cursor only moves within the caller's own list
                raise BadRequest("invalid cursor")
            args["ExclusiveStartKey"] = start
        response = self._client.query(**args)
        last = response.get("LastEvaluatedKey")
        return list(response.get("Items", [])), encode_cursor(last) if last else None

    def _query_all(self, key_name: str, key: str, prefix: str = "", *, index: str | None = None,
                   projection: str | None = None) -> list[dict[str, Any]]:
        args = self._query_args(index, key_name, key, prefix)
        if projection:
            args["ProjectionExpression"] = projection
        return query_all(self._client, **args)

    def _batch_projects(self, project_ids: Iterable[str]) -> dict[str, Project]:
        wanted = list(dict.fromkeys(project_ids))
        found: dict[str, Project] = {}
        for start in range(0, len(wanted), BATCH_GET_LIMIT):
            request: dict[str, Any] = {self._table: {
                "Keys": [_project_key_wire(pid) for pid in wanted[start:start + BATCH_GET_LIMIT]]}}
            while request:
                response = self._client.batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self._table, []):
                    project = _project(item)
                    found[project.id] = project
                request = response.get("UnprocessedKeys") or {}
        return found


def _now() -> str:
    return to_iso(utc_now())


def _project_key(project_id: str) -> dict[str, str]:
    return {"pk": f"PROJECT#{project_id}", "sk": "PROJECT"}


def _project_key_wire(project_id: str) -> dict[str, Any]:
    return _wire(_project_key(project_id))


def _member_key(project_id: str, user_id: str) -> dict[str, str]:
    return {"pk": f"PROJECT#{project_id}", "sk": f"MEMBER#{user_id}"}


def _invite_key(project_id: str, user_id: str) -> dict[str, str]:
    return {"pk": f"PROJECT#{project_id}", "sk": f"INVITE#{user_id}"}


def _project_attributes(project: Project) -> dict[str, Any]:
    return project.model_dump(mode="json", exclude={"role"}, exclude_none=True)


def _wire(item: Mapping[str, Any]) -> dict[str, Any]:
    """Plain values → DynamoDB attribute values."""
    return {name: _serializer.serialize(value) for name, value in item.items()}


def _plain(item: Mapping[str, Any]) -> dict[str, Any]:
    """DynamoDB attribute values → plain values (numbers as int)."""
    values = {name: _deserializer.deserialize(value) for name, value in item.items()}
    return {name: int(v) if name == "version" else v for name, v in values.items()}


def _project(item: Mapping[str, Any]) -> Project:
    return Project.model_validate(_plain(item), strict=False, from_attributes=False)


def _member(item: Mapping[str, Any]) -> Member:
    values = _plain(item)
    role = values["role"]
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    return Member(userId=values["userId"], role=role, joinedAt=values["joinedAt"])


def _invitation(item: Mapping[str, Any]) -> Invitation:
    values = _plain(item)
    return Invitation.model_validate({name: values[name] for name in Invitation.model_fields})
