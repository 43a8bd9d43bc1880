"""The OAuth repository: the only code that touches the OAuth items of the users table.

Items (codes and tokens are known only by their sha256, never stored in clear):

=============================  =========  ===============================================
pk                             sk         what
=============================  =========  ===============================================
``CLIENT#<clientId>``          CLIENT     registered client; gsi2 ``OWNER#<userId>`` /
                                          ``CLIENT#<clientId>`` lists an owner's clients
``CODE#<sha256(code)>``        CODE       authorization code; ``validUntil`` is its 5-minute
                                          life, ``expiresAt`` (TTL) keeps it a day longer so a
                                          replay can still be recognised and punished
``OAUTHFAM#<familyId>``        FAMILY     one grant's token family; gsi2
                                          ``OAUTHGRANT#<userId>#<clientId>`` / ``OAUTHFAM#<id>``
                                          finds a user's grants to a client
``OAUTHRT#<sha256(refresh)>``  OAUTHRT    refresh token; ``usedAt`` once rotated away
``USER#<userId>``              CONSENT#.. a user's consent to a client
``OAUTHAT#<jti>``              OAUTHAT    revoked access token, kept until the token expires
=============================  =========  ===============================================

``USER#<userId>`` / ``PROFILE`` belongs to the accounts module; it is only read here.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from deepiri_common.pagination import Page, decode_cursor, encode_cursor
from deepiri_common.problems import BadRequest
from deepiri_users.models.oauth import (
    AccountState,
    AuthorizationCode,
    OAuthClient,
    OAuthConsent,
    RefreshTokenRecord,
    TokenFamily,
)

MAX_ID_LENGTH = 64  # longer ids name nothing stored, and would overflow DynamoDB's key size limit
CODE_KEEP_SECONDS = 24 * 3600  # how long a used or expired code is kept to recognise a replay
_CONDITION_FAILED = "ConditionalCheckFailedException"
_DEFAULT_TABLE = "deepiri-users"  # replaced by the configured name in ``OAuthRepository``


class _ByGsi2(GlobalSecondaryIndex[Any]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class _ClientItem(Model):
    class Meta:
        table_name = _DEFAULT_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi2pk = UnicodeAttribute()
    gsi2sk = UnicodeAttribute()
    clientId = UnicodeAttribute()
    ownerId = UnicodeAttribute()
    name = UnicodeAttribute()
    clientType = UnicodeAttribute()
    redirectUris = ListAttribute(of=UnicodeAttribute, default=list)
    scope = UnicodeAttribute()
    secretHash = UnicodeAttribute(null=True)
    createdAt = UnicodeAttribute()
    by_owner = _ByGsi2()


class _CodeItem(Model):
    class Meta:
        table_name = _DEFAULT_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    clientId = UnicodeAttribute()
    userId = UnicodeAttribute()
    redirectUri = UnicodeAttribute()
    scope = UnicodeAttribute()
    codeChallenge = UnicodeAttribute(null=True)
    codeChallengeMethod = UnicodeAttribute(null=True)
    familyId = UnicodeAttribute()
    validUntil = NumberAttribute()
    expiresAt = NumberAttribute()
    usedAt = UnicodeAttribute(null=True)


class _FamilyItem(Model):
    class Meta:
        table_name = _DEFAULT_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi2pk = UnicodeAttribute()
    gsi2sk = UnicodeAttribute()
    familyId = UnicodeAttribute()
    clientId = UnicodeAttribute()
    userId = UnicodeAttribute()
    revokedAt = UnicodeAttribute(null=True)
    expiresAt = NumberAttribute()
    by_grant = _ByGsi2()


class _RefreshItem(Model):
    class Meta:
        table_name = _DEFAULT_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    familyId = UnicodeAttribute()
    clientId = UnicodeAttribute()
    userId = UnicodeAttribute()
    scope = UnicodeAttribute()
    validUntil = NumberAttribute()
    expiresAt = NumberAttribute()
    usedAt = UnicodeAttribute(null=True)


class _ConsentItem(Model):
    class Meta:
        table_name = _DEFAULT_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    clientId = UnicodeAttribute()
    clientName = UnicodeAttribute()
    scope = UnicodeAttribute()
    grantedAt = UnicodeAttribute()
    updatedAt = UnicodeAttribute()


class _RevokedAccessItem(Model):
    class Meta:
        table_name = _DEFAULT_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    expiresAt = NumberAttribute()


_MODELS: tuple[type[Model], ...] = (
    _ClientItem, _CodeItem, _FamilyItem, _RefreshItem, _ConsentItem, _RevokedAccessItem,
)


def _bind(table_name: str) -> None:
    """Point every model at the configured table (PynamoDB keeps the table name on the class)."""
    for model in _MODELS:
        if model.Meta.table_name != table_name:
            model.Meta.table_name = table_name
            # PynamoDB (pinned 6.1.0) has no public way to point a model at another table.
            model._connection = None  # noqa: SLF001 - its cached connection names the old table


def _condition_failed(error: Exception) -> bool:
    cause = getattr(error, "cause_response_code", None)
    if cause is None and isinstance(error, ClientError):
        cause = error.response.get("Error", {}).get("Code")
    return cause == _CONDITION_FAILED


def _plausible_id(identifier: str) -> bool:
    return 0 < len(identifier) <= MAX_ID_LENGTH


def _scopes(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _scope_text(scopes: frozenset[str]) -> str:
    return " ".join(sorted(scopes))


def _start_key(cursor: str | None, **expected: str) -> dict[str, Any] | None:
    """The ExclusiveStartKey a cursor holds, refused unless it lies in the partition being queried."""
    if cursor is None:
        return None
    key = decode_cursor(cursor)
    for name, value in expected.items():
        if key.get(name) != {"S": value}:
            raise BadRequest("invalid cursor")
    return key


class OAuthRepository:
    """Stores and reads clients, codes, token families, refresh tokens, consents and revocations."""

    def __init__(self, table_name: str, client: Any) -> None:
        """``client`` is a boto3 ``dynamodb`` client, for transactions and the profile read."""
        self._table_name, self._client = table_name, client
        _bind(table_name)

    # ------------------------------------------------------------ clients
    def put_client(self, client: OAuthClient) -> None:
        _ClientItem(
            pk=f"CLIENT#{client.clientId}", sk="CLIENT",
            gsi2pk=f"OWNER#{client.ownerId}", gsi2sk=f"CLIENT#{client.clientId}",
            clientId=client.clientId, ownerId=client.ownerId, name=client.name, clientType=client.clientType,
            redirectUris=list(client.redirectUris), scope=_scope_text(client.scopes),
            secretHash=client.secretHash, createdAt=client.createdAt,
        ).save(condition=_ClientItem.pk.does_not_exist())

    def get_client(self, client_id: str) -> OAuthClient | None:
        if not _plausible_id(client_id):
            return None
        try:
            item = _ClientItem.get(f"CLIENT#{client_id}", "CLIENT")
        except _ClientItem.DoesNotExist:
            return None
        return self._client_from(item)

    def delete_client(self, client_id: str, owner_id: str) -> bool:
        """Delete the client if ``owner_id`` owns it; ``False`` when it does not exist or is not theirs."""
        if not _plausible_id(client_id):
            return False
        try:
            _ClientItem(pk=f"CLIENT#{client_id}", sk="CLIENT").delete(
                condition=_ClientItem.ownerId == owner_id
            )
        except DeleteError as error:
            if _condition_failed(error):
                return False
            raise
        return True

    def clients_of(self, owner_id: str, limit: int, cursor: str | None) -> Page[OAuthClient]:
        owner_key = f"OWNER#{owner_id}"
        results = _ClientItem.by_owner.query(
            owner_key, _ClientItem.gsi2sk.startswith("CLIENT#"), limit=limit,
            last_evaluated_key=_start_key(cursor, gsi2pk=owner_key),
        )
        items = [self._client_from(item) for item in results]
        last = results.last_evaluated_key
        return Page[OAuthClient](items=items, nextCursor=encode_cursor(last) if last else None)

    @staticmethod
    def _client_from(item: _ClientItem) -> OAuthClient:
        return OAuthClient(
            clientId=item.clientId, ownerId=item.ownerId, name=item.name,
            clientType=item.clientType,
            redirectUris=tuple(item.redirectUris or ()), scopes=_scopes(item.scope),
            secretHash=item.secretHash, createdAt=item.createdAt,
        )

    # ------------------------------------------------------------ authorization codes
    def put_code(self, code: AuthorizationCode) -> None:
        _CodeItem(
            pk=f"CODE#{code.codeHash}", sk="CODE", clientId=code.clientId, userId=code.userId,
            redirectUri=code.redirectUri, scope=_scope_text(code.scopes), codeChallenge=code.codeChallenge,
            codeChallengeMethod=code.codeChallengeMethod, familyId=code.familyId, validUntil=code.validUntil,
            expiresAt=code.validUntil + CODE_KEEP_SECONDS,
        ).save(condition=_CodeItem.pk.does_not_exist())

    def get_code(self, code_hash: str) -> AuthorizationCode | None:
        try:
            item = _CodeItem.get(f"CODE#{code_hash}", "CODE", consistent_read=True)
        except _CodeItem.DoesNotExist:
            return None
        return AuthorizationCode(
            codeHash=code_hash, clientId=item.clientId, userId=item.userId, redirectUri=item.redirectUri,
            scopes=_scopes(item.scope), codeChallenge=item.codeChallenge,
            codeChallengeMethod=item.codeChallengeMethod,
            familyId=item.familyId, validUntil=int(item.validUntil), usedAt=item.usedAt,
        )

    def consume_code(self, code_hash: str, used_at: str) -> bool:
        """Mark the code used, once: ``False`` when someone used it first."""
        try:
            _CodeItem(pk=f"CODE#{code_hash}", sk="CODE").update(
                actions=[_CodeItem.usedAt.set(used_at)],
                condition=_CodeItem.pk.exists() & _CodeItem.usedAt.does_not_exist(),
            )
        except UpdateError as error:
            if _condition_failed(error):
                return False
            raise
        return True

    # ------------------------------------------------------------ token families and refresh tokens
    def start_family(self, family: TokenFamily, keep_until: int, refresh: RefreshTokenRecord | None) -> None:
        """Create a grant's family and, when there is one, its first refresh token: both or neither."""
        item = _FamilyItem(
            pk=f"OAUTHFAM#{family.familyId}", sk="FAMILY",
            gsi2pk=f"OAUTHGRANT#{family.userId}#{family.clientId}", gsi2sk=f"OAUTHFAM#{family.familyId}",
            familyId=family.familyId, clientId=family.clientId, userId=family.userId, expiresAt=keep_until,
        )
        writes: list[dict[str, Any]] = [{"Put": {
            "TableName": self._table_name, "Item": item.serialize(),
            "ConditionExpression": "attribute_not_exists(pk)",
        }}]
        if refresh is not None:
            writes.append({"Put": {"TableName": self._table_name, "Item": self._refresh_item(refresh).serialize(),
                                   "ConditionExpression": "attribute_not_exists(pk)"}})
        self._client.transact_write_items(TransactItems=writes)

    def get_family(self, family_id: str) -> TokenFamily | None:
        try:
            item = _FamilyItem.get(f"OAUTHFAM#{family_id}", "FAMILY", consistent_read=True)
        except _FamilyItem.DoesNotExist:
            return None
        return TokenFamily(familyId=item.familyId, clientId=item.clientId, userId=item.userId,
                           revokedAt=item.revokedAt)

    def revoke_family(self, family_id: str, revoked_at: str) -> None:
        """Mark the family revoked (idempotent): its refresh and access tokens stop working."""
        try:
            _FamilyItem(pk=f"OAUTHFAM#{family_id}", sk="FAMILY").update(
                actions=[_FamilyItem.revokedAt.set(revoked_at)],
                condition=_FamilyItem.pk.exists() & _FamilyItem.revokedAt.does_not_exist(),
            )
        except UpdateError as error:
            if not _condition_failed(error):
                raise

    def families_of(self, user_id: str, client_id: str) -> list[str]:
        """The ids of every token family ``user_id`` granted ``client_id``."""
        if not _plausible_id(client_id):
            return []
        return [item.familyId for item in _FamilyItem.by_grant.query(f"OAUTHGRANT#{user_id}#{client_id}")]

    def get_refresh(self, token_hash: str) -> RefreshTokenRecord | None:
        try:
            item = _RefreshItem.get(f"OAUTHRT#{token_hash}", "OAUTHRT", consistent_read=True)
        except _RefreshItem.DoesNotExist:
            return None
        return RefreshTokenRecord(
            tokenHash=token_hash, familyId=item.familyId, clientId=item.clientId, userId=item.userId,
            scopes=_scopes(item.scope), validUntil=int(item.validUntil), usedAt=item.usedAt,
        )

    def rotate_refresh(self, old_hash: str, new: RefreshTokenRecord, used_at: str, keep_until: int) -> bool:
        """Retire ``old_hash`` and store ``new`` in one transaction, on condition that the old token
        was not used yet and its family is not revoked; ``False`` when either condition fails."""
        old_key = {"pk": {"S": f"OAUTHRT#{old_hash}"}, "sk": {"S": "OAUTHRT"}}
        family_key = {"pk": {"S": f"OAUTHFAM#{new.familyId}"}, "sk": {"S": "FAMILY"}}
        try:
            self._client.transact_write_items(TransactItems=[
                {"Update": {
                    "TableName": self._table_name, "Key": old_key,
                    "UpdateExpression": "SET usedAt = :used",
                    "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(usedAt)",
                    "ExpressionAttributeValues": {":used": {"S": used_at}},
                }},
                {"Update": {
                    "TableName": self._table_name, "Key": family_key,
                    "UpdateExpression": "SET expiresAt = :keep",
                    "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(revokedAt)",
                    "ExpressionAttributeValues": {":keep": {"N": str(keep_until)}},
                }},
                {"Put": {"TableName": self._table_name, "Item": self._refresh_item(new).serialize(),
                         "ConditionExpression": "attribute_not_exists(pk)"}},
            ])
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "TransactionCanceledException":
                return False
            raise
        return True

    def delete_refresh(self, token_hash: str) -> None:
        _RefreshItem(pk=f"OAUTHRT#{token_hash}", sk="OAUTHRT").delete()

    @staticmethod
    def _refresh_item(record: RefreshTokenRecord) -> _RefreshItem:
        return _RefreshItem(
            pk=f"OAUTHRT#{record.tokenHash}", sk="OAUTHRT", familyId=record.familyId, clientId=record.clientId,
            userId=record.userId, scope=_scope_text(record.scopes), validUntil=record.validUntil,
            expiresAt=record.validUntil, usedAt=record.usedAt,
        )

    # ------------------------------------------------------------ revoked access tokens
    def revoke_access(self, jti: str, expires_at: int) -> None:
        _RevokedAccessItem(pk=f"OAUTHAT#{jti}", sk="OAUTHAT", expiresAt=expires_at).save()

    def is_access_revoked(self, jti: str) -> bool:
        try:
            _RevokedAccessItem.get(f"OAUTHAT#{jti}", "OAUTHAT", consistent_read=True)
        except _RevokedAccessItem.DoesNotExist:
            return False
        return True

    # ------------------------------------------------------------ consents
    def get_consent(self, user_id: str, client_id: str) -> OAuthConsent | None:
        if not _plausible_id(client_id):
            return None
        try:
            item = _ConsentItem.get(f"USER#{user_id}", f"CONSENT#{client_id}")
        except _ConsentItem.DoesNotExist:
            return None
        return self._consent_from(item)

    def put_consent(self, user_id: str, consent: OAuthConsent) -> None:
        _ConsentItem(
            pk=f"USER#{user_id}", sk=f"CONSENT#{consent.clientId}", clientId=consent.clientId,
            clientName=consent.clientName, scope=" ".join(sorted(consent.scopes)), grantedAt=consent.grantedAt,
            updatedAt=consent.updatedAt,
        ).save()

    def delete_consent(self, user_id: str, client_id: str) -> bool:
        if not _plausible_id(client_id):
            return False
        try:
            _ConsentItem(pk=f"USER#{user_id}", sk=f"CONSENT#{client_id}").delete(
                condition=_ConsentItem.pk.exists()
            )
        except DeleteError as error:
            if _condition_failed(error):
                return False
            raise
        return True

    def consents_of(self, user_id: str, limit: int, cursor: str | None) -> Page[OAuthConsent]:
        user_key = f"USER#{user_id}"
        results = _ConsentItem.query(
            user_key, _ConsentItem.sk.startswith("CONSENT#"), limit=limit,
            last_evaluated_key=_start_key(cursor, pk=user_key),
        )
        items = [self._consent_from(item) for item in results]
        last = results.last_evaluated_key
        return Page[OAuthConsent](items=items, nextCursor=encode_cursor(last) if last else None)

    @staticmethod
    def _consent_from(item: _ConsentItem) -> OAuthConsent:
        return OAuthConsent(clientId=item.clientId, clientName=item.clientName, scopes=sorted(item.scope.split()),
                            grantedAt=item.grantedAt, updatedAt=item.updatedAt)

    # ------------------------------------------------------------ accounts (read only)
    def get_account(self, user_id: str) -> AccountState | None:
        """The account state the accounts module keeps on ``USER#<id>`` / ``PROFILE``, or ``None``."""
        response = self._client.get_item(
            TableName=self._table_name, Key={"pk": {"S": f"USER#{user_id}"}, "sk": {"S": "PROFILE"}},
            ProjectionExpression="disabled, tokenVersion, #roles",
            ExpressionAttributeNames={"#roles": "roles"}, ConsistentRead=True,
        )
        item = response.get("Item")
        if item is None:
            return None
        return AccountState(
            userId=user_id,
            disabled=bool(item.get("disabled", {}).get("BOOL", False)),
            tokenVersion=int(item.get("tokenVersion", {}).get("N", "0")),
            roles=_read_roles(item.get("roles")),
        )


def _read_roles(value: dict[str, Any] | None) -> frozenset[str]:
    """Roles as the accounts module may store them: a string set, a list of strings, or a joined string."""
    if not value:
        return frozenset()
    if "SS" in value:
        return frozenset(value["SS"])
    if "L" in value:
        return frozenset(entry["S"] for entry in value["L"] if "S" in entry)
    if "S" in value:
        return frozenset(role.strip() for role in value["S"].split(",") if role.strip())
    return frozenset()
