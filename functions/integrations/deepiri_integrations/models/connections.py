"""A user's connection to a provider, the sources they import, and the answers of the REST routes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Provider = Literal["github", "trello", "notion", "google"]
"""The providers a user can connect (``google``: Google Calendar)."""
EventProvider = Literal["github", "notion", "trello", "google"]
"""Every provider an imported item may come from (the tasks service's contract)."""
Status = Literal["connected", "error", "rateLimited", "unavailable"]

# A repository as GitHub names it (owner/name) and a label name.
Repository = Annotated[str, Field(min_length=3, max_length=140,
                                  pattern=r"^[A-Za-z0-9_.-]{1,39}/[A-Za-z0-9_.-]{1,100}$")]
Label = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[^\x00-\x1f\x7f]+$")]
# A Google calendar id (an address such as ``primary``, ``ada@example.com`` or ``...@group.calendar.google.com``).
CalendarId = Annotated[str, Field(min_length=1, max_length=254, pattern=r"^[A-Za-z0-9._%+#@-]+$")]
# A Trello board or list id (24 hex digits) and a Notion database id (a UUID, with or without dashes).
TrelloId = Annotated[str, Field(pattern=r"^[0-9a-f]{24}$")]
NotionId = Annotated[str, Field(pattern=r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$")]
PropertyName = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")]


class IntegrationSources(BaseModel):
    """What to import from a provider (empty lists: everything): GitHub repositories, labels and pull requests;
    Trello boards, lists and the done list; Notion databases, the status property and its done option; Google
    calendars (empty: the primary one)."""

    model_config = ConfigDict(extra="forbid")

    repositories: list[Repository] = Field(default_factory=list, max_length=100,
                                           description="owner/name; empty: every repository")
    labels: list[Label] = Field(default_factory=list, max_length=50,
                                description="import only items carrying one of these labels; empty: any")
    pullRequests: bool = Field(default=True, description="import pull requests assigned to the user too")
    calendars: list[CalendarId] = Field(default_factory=list, max_length=20,
                                        description="Google: the calendars whose events become tasks; empty: primary")
    boards: list[TrelloId] = Field(default_factory=list, max_length=20,
                                   description="Trello: the boards to import cards from; empty: every open board")
    lists: list[TrelloId] = Field(default_factory=list, max_length=100,
                                  description="Trello: import only cards in these lists; empty: any list")
    doneList: TrelloId | None = Field(default=None, description="Trello: completing a task moves its card here "
                                                                "(besides ticking its due date complete)")
    databases: list[NotionId] = Field(default_factory=list, max_length=20,
                                      description="Notion: the databases to import pages from; empty: every shared one")
    statusProperty: PropertyName = Field(default="Status", description="Notion: the status (or select) property")
    doneStatus: PropertyName = Field(default="Done", description="Notion: the option that means done; completing a "
                                                                 "task sets it")


class Integration(BaseModel):
    """A connection as its owner sees it (never its tokens)."""

    provider: Provider
    status: Status
    account: str = Field(description="the user's login at the provider")
    scopes: list[str]
    connectedAt: AwareDatetime
    lastSyncAt: AwareDatetime | None = None
    lastError: str | None = Field(default=None, description="the last problem a person can act on; null when none")
    retryAfter: AwareDatetime | None = Field(default=None, description="the next sync waits until then (rate limit, "
                                                                        "provider unavailable)")


class IntegrationList(BaseModel):
    items: list[Integration]


class StoredConnection(Integration):
    """A connection as the table holds it: the sealed tokens and the sync cursors besides what its owner sees."""

    userId: str
    sealedTokens: str = Field(description="the provider's tokens, encrypted by KMS (base64)")
    accessExpiresAt: AwareDatetime | None = None
    sources: IntegrationSources = Field(default_factory=IntegrationSources)
    etag: str | None = None
    since: AwareDatetime | None = None
    cursors: dict[str, str] = Field(default_factory=dict, description="Google: each calendar's syncToken")
    version: int = 0

    def public(self) -> Integration:
        return Integration.model_validate(self.model_dump(include=set(Integration.model_fields)))


class Tokens(BaseModel):
    """What a provider gave in exchange for the code (held sealed, never logged)."""

    model_config = ConfigDict(hide_input_in_errors=True)

    accessToken: str = Field(repr=False)
    refreshToken: str | None = Field(default=None, repr=False)
    expiresIn: int | None = None
    scopes: list[str] = Field(default_factory=list)
    account: str | None = Field(default=None, description="who the grant is for, when the exchange says so (Notion)")


class IntegrationAuthorization(BaseModel):
    authorizeUrl: str = Field(description="send the user's browser here; the provider redirects back to the callback")
    expiresAt: AwareDatetime = Field(description="the state in the URL is accepted once, until then")


class PendingAuthorization(BaseModel):
    """The single-use state of an authorization in flight: who asked, and the PKCE verifier."""

    nonce: str
    userId: str
    provider: Provider
    verifier: str = Field(repr=False)
    redirectUri: str
    expiresAt: AwareDatetime


class IntegrationSync(BaseModel):
    provider: Provider
    outcome: Literal["synced", "unchanged", "rateLimited", "unavailable", "failed"]
    imported: int = Field(description="items published to the tasks service (new or changed at the provider)")
    skipped: int = Field(description="items seen but unchanged, or outside the chosen sources")
    retryAfter: AwareDatetime | None = None


class WebhookReceipt(BaseModel):
    outcome: Literal["queued", "duplicate", "ignored", "verification"]
    items: int = Field(description="imports this delivery queued")


class ImportedItem(BaseModel):
    """One item at a provider, mapped to what the tasks service imports."""

    externalRef: str
    title: str
    description: str | None
    dueAt: AwareDatetime | None
    status: Literal["todo", "done"]
    url: str | None
    tags: list[str]
    updatedAt: AwareDatetime
    repository: str
    assignees: list[str]
    pullRequest: bool


class FetchedChanges(BaseModel):
    """What one read of a provider brought (inside a sync run): its items (None: one that could not be read),
    the connection's cursor fields to store once they are recorded, and whether nothing changed."""

    items: list[ImportedItem | None]
    cursor: dict[str, Any]
    notModified: bool = False
