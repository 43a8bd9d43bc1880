"""Daily and weekly streaks, counted in each user's own days, and engagement's copy of where those begin.

- A user's day comes from their IANA timezone and day start hour (``logic.days``), announced by the users
  service when they register and whenever either changes; the latest announcement (by time, then id) is
  kept, whatever order they arrive in.
- Any completion is activity on the local date of its ``completedAt`` (the event's time when absent). A
  completion on the day after the run's last day extends it; on a later day it extends it if freezes cover
  every missed day (each freeze covers one), else it starts a new run; on a day the run covers already it
  changes nothing. The weekly streak counts consecutive ISO weeks with activity.
- Reaching 7, 30, 100 and 365 days pays XP (``rules.STREAK_MILESTONE_XP``) and its coins through the
  wallet's grant, keyed by the run and the length, so a run pays each milestone once. A new longest daily or
  weekly streak raises the badges' counters in the same transaction (the on-fire and week-warrior badges).
- A freeze costs ``rules.FREEZE_PRICE_COINS`` coins (a spend keyed by the request), at most
  ``rules.MAX_FREEZES`` held. A run of at least ``rules.CASH_IN_MIN_DAYS`` days can be cashed in for as many
  boost credits as its length (a grant keyed by the run), which ends it.
- Changing the timezone or day start never causes a rollover by itself: the last day the run covers is
  re-expressed as the new local date in which the old one ended, so a trip across the date line neither
  skips nor repeats a day of the streak; the streak job's once-per-date markers keep a date from being
  judged twice.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from deepiri_common.clock import parse_iso, to_iso
from deepiri_common.events import DomainEvent
from deepiri_common.ids import new_ulid
from deepiri_common.problems import Conflict
from deepiri_engagement.dal.streaks import StreakConflict, StreakRepository
from deepiri_engagement.dal.wallets import AlreadyApplied, VersionConflict, WalletRepository
from deepiri_engagement.logic import currencies, rules
from deepiri_engagement.logic.awards import Changes
from deepiri_engagement.logic.days import day_start, iso_week, local_day
from deepiri_engagement.models.events import SERVICE
from deepiri_engagement.models.streaks import (
    CashIn,
    DaySettings,
    DaySettingsData,
    FreezePurchase,
    Streak,
    StreakUpdated,
    StreakView,
)

SYSTEM = "system"
WRITE_ATTEMPTS = 5


# ------------------------------------------------------------------ pure rules
def _week_text(day: date) -> str:
    year, week = iso_week(day)
    return f"{year}-W{week:02d}"


def _extend_weekly(streak: Streak, day: date) -> Streak:
    week, previous = _week_text(day), _week_text(day - timedelta(days=7))
    if streak.lastWeek is not None and week <= streak.lastWeek:
        return streak
    weekly = streak.weekly + 1 if streak.lastWeek == previous else 1
    return replace(streak, weekly=weekly, bestWeekly=max(streak.bestWeekly, weekly), lastWeek=week)


def extend(streak: Streak, day: date, run_id: str) -> tuple[Streak, list[int]]:
    """The streak after activity on local ``day``, and the milestone lengths it reached just now."""
    after = _extend_weekly(streak, day)
    last = date.fromisoformat(streak.lastDay) if streak.lastDay and streak.current else None
    if last is None:
        after = replace(after, current=1, runId=run_id, runStart=day.isoformat(), lastDay=day.isoformat())
    elif day <= last:
        return after, []  # a day the run covers already
    else:
        missed = (day - last).days - 1
        if missed <= streak.freezes:
            after = replace(after, current=streak.current + 1, freezes=streak.freezes - missed, lastDay=day.isoformat())
        else:
            after = replace(after, current=1, runId=run_id, runStart=day.isoformat(), lastDay=day.isoformat())
    after = replace(after, best=max(after.best, after.current))
    # a new run is 1 day long and the first milestone is 7: for it, any ``before`` names none (mutants equivalent)
    before = streak.current if after.runId == streak.runId else 0
    return after, [m for m in sorted(rules.STREAK_MILESTONE_XP) if before < m <= after.current]


def rollover_hours(settings: DaySettings, day: date) -> tuple[int, int]:
    """The UTC hours in which the job judges the day before ``day`` (``rules.ROLLOVER_GRACE_HOURS`` after
    ``day`` begins, rounded up to the hour) and warns on ``day``'s evening (``rules.AT_RISK_HOUR`` local)."""
    judged = day_start(day, settings) + timedelta(hours=rules.ROLLOVER_GRACE_HOURS)
    # only the hour is returned: what ``replace`` sets below the hour, a day added, and the seconds of an offset
    # (whole minutes in every zone since 1972) change nothing (their mutants are equivalent)
    judged = judged.replace(minute=0, second=0, microsecond=0) + (timedelta(hours=1) if judged.minute or
                                                                   judged.second or judged.microsecond else
                                                                   timedelta(0))
    # the evening is a wall-clock time: on a day the clocks change, 20:00 is 19 or 21 hours after a midnight start
    start = datetime(day.year, day.month, day.day, settings.dayStartHour)
    evening = start + timedelta(hours=(rules.AT_RISK_HOUR - settings.dayStartHour) % 24)
    return judged.hour, evening.replace(tzinfo=ZoneInfo(settings.timezone)).astimezone(UTC).hour


def due_hours(streak: Streak, settings: DaySettings, now: datetime) -> tuple[int, int] | None:
    """Where the streak sits in the job's index: None when nothing is at stake (no current run)."""
    if streak.current == 0:
        return None
    return rollover_hours(settings, local_day(now, settings) + timedelta(days=1))


def updated(streak: Streak, reason: str) -> DomainEvent:
    data = StreakUpdated(userId=streak.userId, days=streak.current, longest=streak.best, weeks=streak.weekly,
                         longestWeeks=streak.bestWeekly, freezes=streak.freezes, lastDay=streak.lastDay,
                         reason=reason)
    return DomainEvent.new(SERVICE, "StreakUpdated", data, SYSTEM)


def milestone_source(run_id: str, length: int) -> str:
    """The source key of a run's milestone: its marker sits in the user's own partition, so once per run and length."""
    return f"StreakMilestone#{run_id}#{length}"


# ------------------------------------------------------------------ applying them
def settings_changed(repository: StreakRepository, event_id: str, at: str, data: DaySettingsData) -> bool:
    """Keep the user's day settings unless later ones are kept already (whether these were kept); a standing
    run's last day is re-expressed in the new settings and its place in the job's index moves."""
    new = DaySettings(userId=data.userId, timezone=data.timezone, dayStartHour=data.dayStartHour, at=at,
                      eventId=event_id)
    for _ in range(WRITE_ATTEMPTS):
        old, streak = repository.day_settings(data.userId), repository.streak(data.userId)
        also = []
        if streak.current and streak.lastDay:
            # the last instant of the old last day (1 or 2 µs before the next begins: the same local date, so
            # another tiny step is equivalent)
            ended = day_start(date.fromisoformat(streak.lastDay) + timedelta(days=1), old) - timedelta(microseconds=1)
            moved = replace(streak, lastDay=local_day(ended, new).isoformat(), version=streak.version + 1)
            also = repository.writes(streak, moved, due_hours(moved, new, parse_iso(at)))
        try:
            return repository.save_day_settings(new, also)
        except StreakConflict:
            continue
    raise StreakConflict(data.userId)


def activity(streaks: StreakRepository, wallets: WalletRepository, event_id: str, user_id: str,
             at: datetime) -> Streak | None:
    """Count activity at instant ``at`` (None: the streaks did not change)."""
    for _ in range(WRITE_ATTEMPTS):
        settings, streak = streaks.day_settings(user_id), streaks.streak(user_id)
        after, milestones = extend(streak, local_day(at, settings), event_id)
        if after == streak:
            return None
        after = replace(after, version=streak.version + 1)
        due = due_hours(after, settings, at)
        try:
            if not _save_with_wallet(streaks, wallets, streak, after, due=due, milestones=milestones, at=to_iso(at)):
                streaks.save(streak, after, due, [updated(after, "Activity")])
        except (StreakConflict, VersionConflict):
            continue
        return after
    raise StreakConflict(user_id)  # transient: the queue delivers the event again


def _records(streak: Streak) -> dict[str, int]:
    """The badges' high-water marks a streak sets."""
    return {"bestStreak": streak.best, "bestWeeklyStreak": streak.bestWeekly}


def _save_with_wallet(streaks: StreakRepository, wallets: WalletRepository, streak: Streak, after: Streak, *,
                      due: tuple[int, int] | None, milestones: list[int], at: str) -> bool:
    """When the streak reaches a milestone or a new record, write it with the wallet in one transaction: the
    milestones' XP and coins (keyed by the run and length, so once), the records raised on the badges'
    counters and any badge they earn. False when nothing of that is due (the caller saves the streak alone)."""
    wallet = wallets.wallet(after.userId)
    records = _records(after)
    if not milestones and all(records[name] <= wallet.counters.get(name, 0) for name in records):
        return False
    if milestones:
        xp = sum(rules.STREAK_MILESTONE_XP[m] for m in milestones)
        # At most one milestone per activity (a run grows a day at a time), so max() is min() here, and a run
        # reaching one always has its id: the mutants of those two arguments are equivalent.
        outcome = currencies.granted(wallet, milestone_source(after.runId or "", max(milestones)),
                                     {"xp": xp, "coins": rules.coins_for(xp)}, "StreakMilestone", at=at,
                                     marks=records)
    else:
        changes = Changes(wallet, f"StreakRecord#{after.runId}#{after.current}", at=at)
        changes.raise_marks(records)
        changes.settle_badges()
        outcome = changes.outcome()
    outcome.events.append(updated(after, "Activity"))
    try:
        wallets.save(wallet, outcome, at, also=streaks.writes(streak, after, due))
    except AlreadyApplied:
        streaks.save(streak, after, due, [updated(after, "Activity")])
    return True


def view(streaks: StreakRepository, user_id: str, now: datetime) -> StreakView:
    """The caller's streaks as they stand now: a run whose last covered day is before yesterday, or a weekly
    streak whose last week is before last week, shows as zero (the job has not judged it yet)."""
    settings, streak = streaks.day_settings(user_id), streaks.streak(user_id)
    today = local_day(now, settings)
    days = streak.current
    if streak.lastDay and (today - date.fromisoformat(streak.lastDay)).days - 1 > streak.freezes:
        days = 0
    weeks = streak.weekly if streak.lastWeek in (_week_text(today), _week_text(today - timedelta(days=7))) else 0
    return StreakView(days=days, longest=streak.best, weeks=weeks, longestWeeks=streak.bestWeekly,
                      freezes=streak.freezes, lastDay=streak.lastDay, timezone=settings.timezone,
                      dayStartHour=settings.dayStartHour)


def buy_freeze(streaks: StreakRepository, wallets: WalletRepository, user_id: str, key: str | None,
               now: datetime) -> FreezePurchase:
    """Spend ``rules.FREEZE_PRICE_COINS`` coins on a freeze (409: too few coins, or already holding the most);
    a retried request with the same idempotency ``key`` buys once."""
    source = f"StreakFreeze#{key or new_ulid()}"
    for _ in range(WRITE_ATTEMPTS):
        streak, wallet = streaks.streak(user_id), wallets.wallet(user_id)
        if wallets.applied(user_id, source):
            return FreezePurchase(freezes=streak.freezes, coins=wallet.balances["coins"])
        if streak.freezes >= rules.MAX_FREEZES:
            raise Conflict(f"at most {rules.MAX_FREEZES} freezes may be held", freezes=streak.freezes)
        outcome = currencies.spent(wallet, source, {"coins": rules.FREEZE_PRICE_COINS}, "StreakFreeze")
        after = replace(streak, freezes=streak.freezes + 1, version=streak.version + 1)
        outcome.events.append(updated(after, "FreezeBought"))
        due = due_hours(after, streaks.day_settings(user_id), now)
        try:
            wallets.save(wallet, outcome, to_iso(now), also=streaks.writes(streak, after, due))
        except (VersionConflict, AlreadyApplied):
            continue
        return FreezePurchase(freezes=after.freezes, coins=outcome.wallet.balances["coins"])
    raise Conflict("the wallet is changing too fast; try again")


def cash_in(streaks: StreakRepository, wallets: WalletRepository, user_id: str, now: datetime) -> CashIn:
    """End a run of at least ``rules.CASH_IN_MIN_DAYS`` days for as many boost credits as its length (409
    otherwise); the grant is keyed by the run, so a run is cashed in once."""
    for _ in range(WRITE_ATTEMPTS):
        streak, wallet = streaks.streak(user_id), wallets.wallet(user_id)
        length = view(streaks, user_id, now).days
        if length < rules.CASH_IN_MIN_DAYS:
            raise Conflict(f"a streak of at least {rules.CASH_IN_MIN_DAYS} days can be cashed in", days=length)
        outcome = currencies.granted(wallet, f"StreakCashIn#{streak.runId}", {"boostCredits": length}, "StreakCashIn",
                                     at=to_iso(now))
        after = replace(streak, current=0, runId=None, runStart=None, version=streak.version + 1)
        outcome.events.append(updated(after, "CashIn"))
        try:
            wallets.save(wallet, outcome, to_iso(now), also=streaks.writes(streak, after, None))
        except (VersionConflict, AlreadyApplied):
            continue
        return CashIn(length=length, boostCredits=outcome.wallet.balances["boostCredits"])
    raise Conflict("the wallet is changing too fast; try again")
