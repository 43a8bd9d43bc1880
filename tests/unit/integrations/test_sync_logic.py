"""One sync run of a connection, with in-memory fakes: GitHub's since/ETag cursor and its 304, what moves
the cursor, the rate limit and the circuit breaker's outcomes, the texts the user reads as ``lastError``,
and the scheduled run over everyone."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from logic_fakes import NOW, Provider, Repository, Vault, connection, context

from deepiri_integrations.dal.github import IssuePage
from deepiri_integrations.dal.google import EventPage
from deepiri_integrations.dal.http import RateLimited, Refused, Unavailable
from deepiri_integrations.logic import sync
from deepiri_integrations.models.connections import IntegrationSources, Tokens


def _issue(number: int, updated: str, **fields: Any) -> dict[str, Any]:
    return {"number": number, "updated_at": updated, "title": f"Issue {number}", "state": "open",
            "repository": {"full_name": "ada/app"}, "repository_url": "https://api.github.com/repos/ada/app",
            "html_url": f"https://github.com/ada/app/issues/{number}", "labels": [], **fields}


def _github(*pages: Any) -> Provider:
    return Provider(assigned_issues=list(pages))


def _after(days: int) -> datetime:
    return NOW + timedelta(days=days)


# ---------------------------------------------------------------- cursor, ETag, since
def test_given_changed_issues_then_each_is_published_and_since_moves_to_the_newest_change_with_the_etag() -> None:
    repository = Repository(connection(since=datetime(2026, 11, 1, tzinfo=UTC), etag='W/"old"'))
    github = _github(IssuePage(issues=[_issue(1, "2026-11-20T10:00:00Z"), _issue(2, "2026-11-25T08:00:00Z")],
                               etag='W/"new"', not_modified=False))

    result = sync.sync_user(context(repository, github=github), "ada", "github", NOW)

    assert (result.outcome, result.imported, result.skipped, result.retryAfter) == ("synced", 2, 0, None)
    assert github.named("assigned_issues") == [("assigned_issues", "access", datetime(2026, 11, 1, tzinfo=UTC),
                                                'W/"old"')]
    saved, events = repository.saved[-1]
    assert (saved.since, saved.etag) == (datetime(2026, 11, 25, 8, tzinfo=UTC), 'W/"new"')
    assert (saved.lastSyncAt, saved.status, saved.lastError, saved.retryAfter) == (NOW, "connected", None, None)
    assert [e.detail_type for e in events] == ["IntegrationSynced"]
    data = events[0].detail.data
    assert (data["outcome"], data["imported"], data["skipped"]) == ("synced", 2, 0)
    assert [i.externalRef for i, _ in repository.imported] == ["ada/app#1", "ada/app#2"]
    imported = repository.imported[0][1]
    assert imported.detail_type == "IntegrationItemImported" and imported.detail.actor == "ada"
    assert (imported.detail.data["userId"], imported.detail.data["provider"], imported.detail.data["title"]) == (
        "ada", "github", "Issue 1")


def test_given_only_changes_older_than_the_cursor_then_since_stays_where_it_was() -> None:
    since = datetime(2026, 11, 28, tzinfo=UTC)
    repository = Repository(connection(since=since))
    github = _github(IssuePage(issues=[_issue(1, "2026-11-20T10:00:00Z")], etag=None, not_modified=False))
    sync.sync_user(context(repository, github=github), "ada", "github", NOW)
    assert repository.saved[-1][0].since == since


def test_given_a_first_run_without_changes_then_since_stays_unset() -> None:
    repository = Repository(connection())
    github = _github(IssuePage(issues=[], etag='"e"', not_modified=False))
    result = sync.sync_user(context(repository, github=github), "ada", "github", NOW)
    assert result.outcome == "synced" and repository.saved[-1][0].since is None
    assert github.named("assigned_issues")[0][2:] == (None, None)


def test_given_github_answers_304_then_the_run_is_unchanged_and_keeps_its_cursor() -> None:
    since = datetime(2026, 11, 28, tzinfo=UTC)
    repository = Repository(connection(since=since, etag='"same"'))
    github = _github(IssuePage(issues=[], etag='"same"', not_modified=True))
    result = sync.sync_user(context(repository, github=github), "ada", "github", NOW)
    assert (result.outcome, result.imported, result.skipped) == ("unchanged", 0, 0)
    assert (repository.saved[-1][0].since, repository.saved[-1][0].etag) == (since, '"same"')
    assert repository.saved[-1][1][0].detail.data["outcome"] == "unchanged"


def test_given_an_unreadable_issue_an_unchosen_one_and_one_seen_before_then_each_counts_as_skipped() -> None:
    repository = Repository(connection(sources=IntegrationSources(repositories=["ada/app"])))
    repository.seen.add(("ada", "github", "ada/app#3", datetime(2026, 11, 20, 10, tzinfo=UTC).isoformat()))
    other = _issue(2, "2026-11-20T10:00:00Z", repository={"full_name": "bob/lib"},
                   repository_url="https://api.github.com/repos/bob/lib")
    github = _github(IssuePage(issues=[_issue(1, "2026-11-20T10:00:00Z"), other, _issue(3, "2026-11-20T10:00:00Z"),
                                       {"title": "no number"}], etag=None, not_modified=False))

    result = sync.sync_user(context(repository, github=github), "ada", "github", NOW)

    assert (result.imported, result.skipped) == (1, 3)
    assert [i.externalRef for i, _ in repository.imported] == ["ada/app#1"]


def test_given_a_transient_failure_then_the_read_is_retried_within_the_run() -> None:
    repository = Repository(connection())
    github = _github(Unavailable("502"), IssuePage(issues=[_issue(1, "2026-11-20T10:00:00Z")], etag=None,
                                                   not_modified=False))
    result = sync.sync_user(context(repository, github=github), "ada", "github", NOW)
    assert (result.outcome, result.imported) == ("synced", 1)
    assert len(github.named("assigned_issues")) == 2


# ---------------------------------------------------------------- rate limits, breaker, refusals
def test_given_a_rate_limit_then_the_connection_waits_until_retry_after_and_says_why() -> None:
    repository = Repository(connection())
    result = sync.sync_user(context(repository, github=_github(RateLimited(120))), "ada", "github", NOW)

    until = NOW + timedelta(seconds=120)
    assert (result.outcome, result.retryAfter, result.imported, result.skipped) == ("rateLimited", until, 0, 0)
    saved, events = repository.saved[-1]
    assert (events[0].detail.data["imported"], events[0].detail.data["skipped"]) == (0, 0)
    assert (saved.status, saved.retryAfter) == ("rateLimited", until)
    assert saved.lastError == "GitHub's rate limit was reached; the sync resumes by itself"
    assert events[0].detail.data["outcome"] == "rateLimited"
    assert repository.breaker_saves == []  # a rate limit is no failure of the provider


def test_given_a_connection_still_waiting_then_nothing_is_asked_and_the_wait_is_answered() -> None:
    until = NOW + timedelta(seconds=30)
    for status, outcome in (("rateLimited", "rateLimited"), ("unavailable", "unavailable")):
        repository = Repository(connection(status=status, retryAfter=until))
        github = _github()
        result = sync.sync_user(context(repository, github=github), "ada", "github", NOW)
        assert (result.outcome, result.retryAfter, result.imported, result.skipped) == (outcome, until, 0, 0)
        assert github.calls == [] and repository.saved == []


def test_given_the_wait_has_ended_then_the_sync_runs_again_and_clears_the_error() -> None:
    repository = Repository(connection(status="rateLimited", retryAfter=NOW, lastError="limit"))
    github = _github(IssuePage(issues=[], etag=None, not_modified=False))
    result = sync.sync_user(context(repository, github=github), "ada", "github", NOW)
    assert result.outcome == "synced"
    assert (repository.saved[-1][0].status, repository.saved[-1][0].lastError,
            repository.saved[-1][0].retryAfter) == ("connected", None, None)


def test_given_the_provider_does_not_answer_then_the_breaker_counts_one_failure_and_stays_closed() -> None:
    repository = Repository(connection())
    github = _github(*[Unavailable("503")] * 3)
    result = sync.sync_user(context(repository, github=github), "ada", "github", NOW)

    assert (result.outcome, result.retryAfter, result.imported, result.skipped) == ("unavailable", None, 0, 0)
    assert len(github.named("assigned_issues")) == 3  # every attempt of the policy
    assert repository.breaker_saves == [("github", 1, None)]
    saved, events = repository.saved[-1]
    assert (saved.status, saved.lastError) == ("unavailable", "GitHub did not answer; the next sync tries again")
    assert events[0].detail.data["outcome"] == "unavailable"


def test_given_the_third_consecutive_failure_then_the_breaker_opens_for_its_period() -> None:
    repository = Repository(connection())
    repository.breakers["github"] = (2, None)
    result = sync.sync_user(context(repository, github=_github(*[Unavailable("503")] * 3), breaker_seconds=90),
                            "ada", "github", NOW)
    until = NOW + timedelta(seconds=90)
    assert (result.outcome, result.retryAfter) == ("unavailable", until)
    assert repository.breaker_saves == [("github", 3, until)]
    assert repository.saved[-1][0].retryAfter == until


def test_given_an_open_breaker_then_no_call_is_made_and_the_connection_waits_for_it() -> None:
    until = NOW + timedelta(seconds=40)
    repository = Repository(connection())
    repository.breakers["github"] = (3, until)
    github = _github()
    result = sync.sync_user(context(repository, github=github), "ada", "github", NOW)
    assert (result.outcome, result.retryAfter, result.imported, result.skipped) == ("unavailable", until, 0, 0)
    assert github.calls == []
    saved, events = repository.saved[-1]
    assert (saved.status, saved.retryAfter) == ("unavailable", until)
    assert saved.lastError == "GitHub is unavailable; the sync resumes by itself"
    assert events[0].detail.data["outcome"] == "unavailable"


def test_given_a_breaker_whose_period_ended_then_a_success_closes_it() -> None:
    repository = Repository(connection())
    repository.breakers["github"] = (3, NOW)
    github = _github(IssuePage(issues=[], etag=None, not_modified=False))
    assert sync.sync_user(context(repository, github=github), "ada", "github", NOW).outcome == "synced"
    assert repository.breaker_saves == [("github", 0, None)]


def test_given_no_failure_before_then_a_success_does_not_write_the_breaker() -> None:
    repository = Repository(connection())
    github = _github(IssuePage(issues=[], etag=None, not_modified=False))
    sync.sync_user(context(repository, github=github), "ada", "github", NOW)
    assert repository.breaker_saves == []


def test_given_a_withdrawn_grant_then_the_run_fails_and_asks_the_user_to_connect_again() -> None:
    for status in (401, 403):
        repository = Repository(connection())
        result = sync.sync_user(context(repository, github=_github(Refused(status, "no"))), "ada", "github", NOW)
        assert (result.outcome, result.retryAfter, result.imported, result.skipped) == ("failed", None, 0, 0)
        saved, events = repository.saved[-1]
        assert (saved.status, saved.retryAfter) == ("error", None)
        assert saved.lastError == "GitHub no longer accepts this connection; disconnect and connect again"
        assert events[0].detail.data["outcome"] == "failed"


def test_given_another_refusal_then_the_error_names_its_status() -> None:
    repository = Repository(connection(provider="google", sources=IntegrationSources()))
    google = Provider(events=[Refused(404, "gone")])
    result = sync.sync_user(context(repository, google=google), "ada", "google", NOW)
    assert result.outcome == "failed"
    assert repository.saved[-1][0].lastError == "Google Calendar refused the sync (404)"


def test_given_a_google_connection_then_its_calendars_cursors_are_stored_after_the_run() -> None:
    repository = Repository(connection(provider="google", account="ada@example.com"))
    google = Provider(events=[EventPage(events=[{"id": "e1", "updated": "2026-11-20T10:00:00Z", "summary": "Talk",
                                                  "start": {"date": "2026-12-01"}}], cursor="sync:t1")])
    result = sync.sync_user(context(repository, google=google), "ada", "google", NOW)
    assert (result.outcome, result.imported) == ("synced", 1)
    assert repository.saved[-1][0].cursors == {"ada@example.com": "sync:t1"}
    assert google.calls == [("events", "access", "ada@example.com", None, NOW)]


def test_given_an_expiring_token_then_the_sync_refreshes_it_first_and_reads_with_the_new_one() -> None:
    repository = Repository(connection(accessExpiresAt=NOW + timedelta(minutes=2)))
    vault = Vault(Tokens(accessToken="old", refreshToken="r1"))
    github = Provider(refresh=Tokens(accessToken="new", expiresIn=3600),
                      assigned_issues=[IssuePage(issues=[], etag=None, not_modified=False)])
    assert sync.sync_user(context(repository, github=github, vault=vault), "ada", "github", NOW).outcome == "synced"
    assert [call[:2] for call in github.calls] == [("refresh", "r1"), ("assigned_issues", "new")]
    assert repository.saved[-1][0].accessExpiresAt == NOW + timedelta(hours=1)


# ---------------------------------------------------------------- everyone
def test_given_the_scheduled_run_then_every_connection_is_synced_and_one_surprise_does_not_stop_the_rest() -> None:
    repository = Repository(connection(userId="ada"))
    repository.save(connection(userId="bob"))
    repository.save(connection(userId="cyd"))
    repository.save(connection(userId="dee"))
    repository.saved.clear()
    github = _github(IssuePage(issues=[], etag=None, not_modified=False), KeyError("surprise"),
                     IssuePage(issues=[], etag=None, not_modified=True),
                     IssuePage(issues=[], etag=None, not_modified=False))

    outcomes = sync.sync_everyone(context(repository, github=github), "github", NOW)

    assert outcomes == {"synced": 2, "failed": 1, "unchanged": 1}
    assert [call[1] for call in github.calls] == ["access"] * 4


class _Vanishing(Repository):
    """A user listed as connected whose connection is gone by the time it is read (disconnected meanwhile)."""

    def connected_users(self, provider: str) -> list[str]:
        return ["gone", *super().connected_users(provider)]


def test_given_a_connection_gone_during_the_scheduled_run_then_it_is_passed_over() -> None:
    github = _github(IssuePage(issues=[], etag=None, not_modified=False))
    outcomes = sync.sync_everyone(context(_Vanishing(connection()), github=github), "github", NOW)
    assert outcomes == {"synced": 1} and len(github.calls) == 1


# ---------------------------------------------------------------- what the operator reads in the log
def _logged(log_output: io.StringIO, message: str, *fields: str) -> list[dict[str, Any]]:
    records = [json.loads(line) for line in log_output.getvalue().splitlines()]
    return [{field: r.get(field) for field in ("level", *fields)} for r in records if r.get("message") == message]


def test_given_a_run_then_its_outcome_and_counts_are_logged(log_output: io.StringIO) -> None:
    repository = Repository(connection())
    github = _github(IssuePage(issues=[_issue(1, "2026-11-20T10:00:00Z"), {"number": "x"}], etag=None,
                               not_modified=False))

    sync.sync_user(context(repository, github=github), "ada", "github", NOW)

    assert _logged(log_output, "synced", "provider", "userId", "imported", "skipped", "outcome") == [
        {"level": "INFO", "provider": "github", "userId": "ada", "imported": 1, "skipped": 1, "outcome": "synced"}]


def test_given_a_surprise_in_the_scheduled_run_then_it_is_logged_with_the_user(log_output: io.StringIO) -> None:
    github = _github(KeyError("surprise"))

    sync.sync_everyone(context(Repository(connection()), github=github), "github", NOW)

    assert _logged(log_output, "sync failed", "provider", "userId") == [
        {"level": "ERROR", "provider": "github", "userId": "ada"}]


def test_given_a_trello_or_notion_connection_then_the_run_reads_that_provider() -> None:
    trello, notion = Provider(boards=[[]]), Provider(databases=[[]])  # each answers one empty list
    for provider in ("trello", "notion"):
        repository = Repository(connection(provider))
        result = sync.sync_user(context(repository, trello=trello, notion=notion), "ada", provider, NOW)  # type: ignore[arg-type]
        assert (result.outcome, result.imported) == ("synced", 0)
    assert (trello.calls, notion.calls) == ([("boards", "access")], [("databases", "access")])
