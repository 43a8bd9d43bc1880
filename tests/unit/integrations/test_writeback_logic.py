"""Write-back of a completed task, with in-memory fakes: GitHub's close and its single comment, the
conflict rule (the later writer wins), Google Calendar's mark, and refusals recorded as the last error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from logic_fakes import NOW, Provider, Repository, Vault, connection, context

from deepiri_integrations.dal.http import Refused, Unavailable
from deepiri_integrations.logic import calendar, writeback
from deepiri_integrations.models.connections import StoredConnection, Tokens
from deepiri_integrations.models.events import TaskCompletedData

DONE_AT = "2026-11-30T11:00:00Z"
DONE = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)


def _done(source: str = "github", ref: str | None = "ada/app#7",
          completed_at: str | None = DONE_AT) -> TaskCompletedData:
    return TaskCompletedData(taskId="t1", userId="ada", source=source, externalRef=ref, completedAt=completed_at)


def _repository(ref: str = "ada/app#7", state: str = "open", changed: datetime | None = None,
                provider: str = "github", **fields: object) -> Repository:
    repository = Repository(connection(provider=provider, **fields))
    repository.records[("ada", provider, ref)] = (state, changed)
    return repository


# ---------------------------------------------------------------- GitHub
def test_given_an_open_imported_issue_then_it_is_closed_commented_once_and_its_record_closed() -> None:
    repository, github = _repository(), Provider(comments=[["an earlier comment"]])

    outcome = writeback.task_completed(context(repository, github=github), _done(), NOW)

    assert outcome == "closed"
    assert github.calls == [("close_issue", "access", "ada/app", 7), ("comments", "access", "ada/app", 7),
                            ("comment", "access", "ada/app", 7, writeback.COMMENT)]
    assert writeback.COMMENT == ("Completed in Deepiri: this issue was closed because its task was marked done. "
                                 "<!-- deepiri:completed -->")
    assert repository.closed == [("ada", "github", "ada/app#7")]


def test_given_a_redelivered_completion_then_the_issue_is_not_commented_twice() -> None:
    github = Provider(comments=[["first", "Closed by Deepiri <!-- deepiri:completed --> (edited)"]])
    assert writeback.task_completed(context(_repository(), github=github), _done(), NOW) == "closed"
    assert github.named("comment") == []


def test_given_an_issue_changed_at_github_after_the_completion_then_github_wins() -> None:
    github = Provider()
    later = _repository(changed=DONE + timedelta(seconds=1))
    assert writeback.task_completed(context(later, github=github), _done(), NOW) == "skipped"
    assert github.calls == [] and later.closed == []
    same = _repository(changed=DONE)
    assert writeback.task_completed(context(same, github=Provider(comments=[[]])), _done(), NOW) == "closed"


def test_given_no_completed_at_then_the_publish_moment_is_the_completion_for_the_conflict_rule() -> None:
    changed = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    published = changed - timedelta(minutes=1)
    assert writeback.task_completed(context(_repository(changed=changed), github=Provider()),
                                    _done(completed_at=None), NOW, published) == "skipped"
    assert writeback.task_completed(context(_repository(changed=changed), github=Provider(comments=[[]])),
                                    _done(completed_at=None), NOW, changed + timedelta(minutes=1)) == "closed"
    assert writeback.task_completed(context(_repository(changed=changed), github=Provider(comments=[[]])),
                                    _done(completed_at=None), NOW) == "closed"  # now, after the change


def test_given_what_is_no_open_imported_issue_then_nothing_is_written() -> None:
    github = Provider()
    cases = [(_repository(), _done(source="manual")), (_repository(), _done(ref=None)),
             (_repository(), _done(ref="ada/app-7")), (_repository(state="closed"), _done()),
             (Repository(), _done()), (_repository(ref="ada/app#x"), _done(ref="ada/app#x"))]
    for repository, data in cases:
        assert writeback.task_completed(context(repository, github=github), data, NOW) == "skipped"
    bare = Repository(connection())
    assert writeback.task_completed(context(bare, github=github), _done(), NOW) == "skipped"  # never imported
    assert github.calls == []


def test_given_github_refuses_then_the_refusal_is_the_connections_last_error() -> None:
    repository = _repository()
    github = Provider(close_issue=Refused(404, "gone"))
    assert writeback.task_completed(context(repository, github=github), _done(), NOW) == "refused"
    assert repository.saved[-1][0].lastError == "closing ada/app#7 on GitHub was refused (404)"
    assert repository.closed == []


def test_given_github_is_down_then_the_failure_goes_on_for_the_queue_to_retry() -> None:
    repository = _repository()
    github = Provider(close_issue=[Unavailable("502")] * 3)
    try:
        writeback.task_completed(context(repository, github=github), _done(), NOW)
    except Unavailable:
        pass
    else:
        raise AssertionError("a provider that is down must raise")
    assert len(github.named("close_issue")) == 3 and repository.closed == []


def test_given_an_expiring_token_then_it_is_refreshed_before_closing() -> None:
    repository = _repository(accessExpiresAt=NOW + timedelta(minutes=1))
    vault = Vault(Tokens(accessToken="old", refreshToken="r1"))
    github = Provider(refresh=Tokens(accessToken="new", expiresIn=3600), comments=[[]])
    assert writeback.task_completed(context(repository, github=github, vault=vault), _done(), NOW) == "closed"
    assert github.calls[0] == ("refresh", "r1")
    assert github.named("close_issue") == [("close_issue", "new", "ada/app", 7)]


# ---------------------------------------------------------------- Trello and Notion: their refusals
def test_given_trello_refuses_then_the_last_error_names_the_card_and_the_provider() -> None:
    repository = _repository(ref="card1", provider="trello")
    trello = Provider()

    def refuse(*_: object) -> str:
        raise Refused(403, "no")

    writeback._WRITE_BACK["trello"], original = refuse, writeback._WRITE_BACK["trello"]
    try:
        outcome = writeback.task_completed(context(repository, trello=trello), _done("trello", "card1"), NOW)
    finally:
        writeback._WRITE_BACK["trello"] = original
    assert outcome == "refused"
    assert repository.saved[-1][0].lastError == "completing card1 on Trello was refused (403)"


def test_given_a_notion_page_not_open_or_not_connected_then_it_is_skipped() -> None:
    assert writeback.task_completed(context(_repository(ref="p1", provider="notion", state="closed")),
                                    _done("notion", "p1"), NOW) == "skipped"
    assert writeback.task_completed(context(Repository()), _done("notion", "p1"), NOW) == "skipped"
    assert writeback.task_completed(context(_repository(ref="p1", provider="notion")),
                                    _done("notion", None), NOW) == "skipped"


def test_given_a_trello_card_then_its_write_back_gets_the_completion_moment_and_fresh_token() -> None:
    seen: list[tuple[object, ...]] = []

    def write(ctx: object, conn: StoredConnection, access: str, ref: str, completed_at: datetime) -> str:
        seen.append((ctx, conn.userId, conn.provider, access, ref, completed_at))
        return "superseded"

    repository = _repository(ref="card1", provider="trello", accessExpiresAt=NOW + timedelta(minutes=1))
    trello = Provider(refresh=Tokens(accessToken="unused"))
    ctx = context(repository, trello=trello, vault=Vault(Tokens(accessToken="old", refreshToken="r1")))
    writeback._WRITE_BACK["trello"], original = write, writeback._WRITE_BACK["trello"]
    try:
        # Trello's tokens are not refreshed: one expiring within five minutes of now cannot complete the card
        assert writeback.task_completed(ctx, _done("trello", "card1"), NOW) == "refused"
        assert repository.saved[-1][0].lastError == "completing card1 on Trello was refused (401)"
        ctx = context(_repository(ref="card1", provider="trello"))
        outcome = writeback.task_completed(ctx, _done("trello", "card1", completed_at=None), NOW, DONE)
    finally:
        writeback._WRITE_BACK["trello"] = original
    assert outcome == "superseded" and seen == [(ctx, "ada", "trello", "access", "card1", DONE)]


def test_given_a_record_without_connection_then_the_write_back_is_skipped() -> None:
    for source, ref in (("notion", "p1"), ("google", "ada@example.com/ev1"), ("github", "ada/app#7")):
        repository = Repository()
        repository.records[("ada", source, ref)] = ("open", None)
        assert writeback.task_completed(context(repository, google=Provider()), _done(source, ref), NOW) == "skipped"


# ---------------------------------------------------------------- Google Calendar
EVENT = {"id": "ev1", "status": "confirmed", "summary": "Plan", "updated": "2026-11-20T10:00:00Z"}


def _google_repository(**record: object) -> Repository:
    return _repository(ref="ada@example.com/ev1", provider="google", account="ada@example.com", **record)  # type: ignore[arg-type]


def test_given_an_open_imported_event_then_it_is_marked_done_with_the_completion_and_closed() -> None:
    repository, google = _google_repository(), Provider(event=dict(EVENT))

    outcome = writeback.task_completed(context(repository, google=google), _done("google", "ada@example.com/ev1"), NOW)

    assert outcome == "marked"
    assert google.calls == [("event", "access", "ada@example.com", "ev1"),
                            ("patch_event", "access", "ada@example.com", "ev1", calendar.mark_patch(EVENT, DONE))]
    assert google.calls[1][4]["extendedProperties"]["private"]["deepiriCompletedAt"].startswith("2026-11-30T11:00:00")
    assert repository.closed == [("ada", "google", "ada@example.com/ev1")]


def test_given_an_event_cancelled_or_marked_already_then_it_is_not_patched_but_its_record_closes() -> None:
    for raw in ({**EVENT, "status": "cancelled"}, {**EVENT, **calendar.mark_patch(EVENT, DONE)}):
        repository, google = _google_repository(), Provider(event=raw)
        assert writeback.task_completed(context(repository, google=google),
                                        _done("google", "ada@example.com/ev1"), NOW) == "marked"
        assert google.named("patch_event") == [] and repository.closed == [("ada", "google", "ada@example.com/ev1")]


def test_given_no_completion_moment_then_now_decides_the_conflict_and_a_tie_is_ours() -> None:
    google = Provider(event=dict(EVENT), patch_event={})
    assert writeback.task_completed(context(_google_repository(changed=NOW + timedelta(seconds=1)), google=google),
                                    _done("google", "ada@example.com/ev1", completed_at=None), NOW) == "skipped"
    assert writeback.task_completed(context(_google_repository(changed=NOW), google=google),
                                    _done("google", "ada@example.com/ev1", completed_at=None), NOW) == "marked"
    assert google.calls[-1][4]["extendedProperties"]["private"]["deepiriCompletedAt"].startswith("2026-11-30T12:00")


def test_given_an_expiring_google_token_then_it_is_refreshed_before_marking() -> None:
    repository = _google_repository(accessExpiresAt=NOW + timedelta(minutes=3))
    google = Provider(refresh=Tokens(accessToken="new"), event=dict(EVENT), patch_event={})
    ctx = context(repository, google=google, vault=Vault(Tokens(accessToken="old", refreshToken="r1")))
    assert writeback.task_completed(ctx, _done("google", "ada@example.com/ev1"), NOW) == "marked"
    assert [call[:2] for call in google.calls] == [("refresh", "r1"), ("event", "new"), ("patch_event", "new")]


def test_given_an_event_changed_after_the_completion_or_not_open_then_it_is_skipped() -> None:
    google = Provider()
    for repository in (_google_repository(changed=DONE + timedelta(seconds=1)), _google_repository(state="closed"),
                       Repository()):
        assert writeback.task_completed(context(repository, google=google),
                                        _done("google", "ada@example.com/ev1"), NOW) == "skipped"
    assert writeback.task_completed(context(_google_repository(), google=google),
                                    _done("google", "noslash"), NOW) == "skipped"
    assert google.calls == []


def test_given_google_refuses_the_mark_then_the_last_error_says_so() -> None:
    repository = _google_repository()
    google = Provider(event=dict(EVENT), patch_event=Refused(403, "no"))
    assert writeback.task_completed(context(repository, google=google),
                                    _done("google", "ada@example.com/ev1"), NOW) == "refused"
    assert repository.saved[-1][0].lastError == "marking an event on Google Calendar was refused (403)"
    assert repository.closed == []


def test_given_an_open_notion_page_then_notion_is_asked_for_it_and_a_later_edit_wins() -> None:
    notion = Provider(page={"last_edited_time": "2099-01-01T00:00:00.000Z"})
    ctx = context(_repository(ref="p1", provider="notion"), notion=notion)

    assert writeback.task_completed(ctx, _done("notion", "p1"), NOW) == "superseded"
    assert notion.calls == [("page", "access", "p1")]
