import { useCallback, useEffect, useState } from "preact/hooks";
import type { components } from "../api/schema";
import { LevelBar } from "../app";
import { useServices } from "../context";
import { problemText, retried } from "../session";

type BadgeList = components["schemas"]["BadgeList"];
type Badge = BadgeList["items"][number];
type Ledger = components["schemas"]["Page_LedgerEntry_"];
type Reward = components["schemas"]["RewardView"];
type BoostKind = components["schemas"]["BoostOrder"]["kind"];
type Currency = components["schemas"]["LedgerEntry"]["currency"];

// The boost catalogue the engagement service sells (deepiri_engagement/logic/rules.py, the README's table);
// the API has no route listing it. Keyed by the contract's own enum, so a new kind fails the build here.
const BOOSTS: Record<BoostKind, { minutes: number; credits: number; multiplier: number }> = {
  focus: { minutes: 60, credits: 5, multiplier: 1.5 },
  velocity: { minutes: 30, credits: 3, multiplier: 1.3 },
  clarity: { minutes: 45, credits: 4, multiplier: 1.25 },
  debug: { minutes: 20, credits: 2, multiplier: 1.2 },
  cleanup: { minutes: 30, credits: 3, multiplier: 1.15 },
};
const FREEZE_PRICE_COINS = 50; // the service refuses (409) when too few coins or two freezes held
const CASH_IN_MIN_DAYS = 7;
const CURRENCY_LABELS: Record<Currency, string> = { xp: "XP", coins: "Coins", gems: "Gems", boostCredits: "Boost credits" };

/** Level and XP, the wallet and its ledger, the daily streak (buy a freeze, cash it in), boosts, claimable
 * rewards, and badges with their tiers and progress to the next one. */
export function ProgressScreen() {
  const { api, progress, reloadProgress, toast } = useServices();
  const [badges, setBadges] = useState<BadgeList | null>(null);
  const [rewards, setRewards] = useState<Reward[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [ledgerVersion, setLedgerVersion] = useState(0);

  const loadBadges = useCallback(async () => {
    // One after the other: the screen's reads go to one function, and concurrent calls to a function on a
    // busy stack may each wait for a cold start of their own.
    const badgeAnswer = await retried(() => api.GET("/api/gamification/badges"));
    if (badgeAnswer.data) setBadges(badgeAnswer.data);
    else setError(problemText(badgeAnswer.error, "Your badges could not be loaded"));
    const rewardAnswer = await retried(() => api.GET("/api/gamification/rewards"));
    if (rewardAnswer.data) setRewards(rewardAnswer.data.items);
  }, [api]);

  useEffect(() => {
    void reloadProgress();
    void loadBadges();
  }, [reloadProgress, loadBadges]);

  /** Run one wallet action; on success refresh the balances and the ledger and say what happened. */
  const act = async (run: () => Promise<{ data?: unknown; error?: unknown }>, done: string, failed: string) => {
    setBusy(true);
    const { data, error: problem } = await run();
    setBusy(false);
    if (data === undefined) return toast(problemText(problem, failed), "error");
    toast(done);
    await Promise.all([reloadProgress(), loadBadges()]);
    setLedgerVersion((v) => v + 1);
  };

  if (!progress) return <p>Loading your progress…</p>;
  const streak = progress.streaks ?? null;
  const { coins, boostCredits } = progress.balances;
  const active = progress.boosts ?? [];
  const claimable = rewards.filter((reward) => !reward.claimedAt);
  return (
    <section aria-labelledby="progress-title">
      <h1 id="progress-title">Progress</h1>
      <div class="card big-level"><LevelBar progress={progress} />
        <p class="muted">{progress.xpIntoLevel} of {progress.xpForNextLevel} XP into level {progress.level}</p>
      </div>

      <h2>Wallet</h2>
      <div class="grid" data-testid="wallet">
        <div class="card stat"><h3>Coins</h3><p data-testid="coins">{coins}</p></div>
        <div class="card stat"><h3>Gems</h3><p>{progress.balances.gems}</p></div>
        <div class="card stat"><h3>Boost credits</h3><p data-testid="boost-credits">{boostCredits}</p></div>
      </div>

      <h2>Daily streak</h2>
      <div class="card" data-testid="streak">
        <p class="streak-days">{streak ? `${streak.days} ${streak.days === 1 ? "day" : "days"}` : "No streak yet: complete a task today"}</p>
        {streak && (
          <p class="muted">Longest {streak.longest} days · {streak.weeks} weeks in a row ·{" "}
            <span data-testid="freezes">{streak.freezes} {streak.freezes === 1 ? "freeze" : "freezes"}</span> held</p>
        )}
        <div class="actions">
          <button type="button" disabled={busy || coins < FREEZE_PRICE_COINS}
            onClick={() => void act(() => api.POST("/api/gamification/streaks/freezes", {
              params: { header: { "idempotency-key": crypto.randomUUID() } } }),
            "Streak freeze bought", "No freeze could be bought")}>
            Buy a streak freeze ({FREEZE_PRICE_COINS} coins)
          </button>
          <button type="button" disabled={busy || !streak || streak.days < CASH_IN_MIN_DAYS}
            onClick={() => void act(() => api.POST("/api/gamification/streaks/cash-in"),
              `Streak cashed in for ${streak?.days ?? 0} boost credits`, "The streak could not be cashed in")}>
            Cash in the streak for boost credits
          </button>
        </div>
        <p class="muted">A freeze covers one missed day. A streak of {CASH_IN_MIN_DAYS} days or more can be cashed
          in for as many boost credits as its length, which ends it.</p>
      </div>

      <h2>Boosts</h2>
      {active.length > 0 && (
        <ul class="plain" aria-label="Active boosts" data-testid="active-boosts">
          {active.map((boost) => (
            <li class="card" key={boost.kind}><strong>{boost.kind}</strong> × {boost.multiplier} XP until{" "}
              {new Date(boost.endsAt).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}</li>
          ))}
        </ul>
      )}
      <ul class="boosts plain">
        {(Object.keys(BOOSTS) as BoostKind[]).map((kind) => {
          const boost = BOOSTS[kind];
          const running = active.some((a) => a.kind === kind);
          return (
            <li class="card" key={kind}>
              <strong>{kind}</strong> <span class="muted">× {boost.multiplier} XP for {boost.minutes} min</span>
              <button type="button" disabled={busy || running || boostCredits < boost.credits}
                onClick={() => void act(() => api.POST("/api/gamification/boosts", {
                  params: { header: { "idempotency-key": crypto.randomUUID() } }, body: { kind } }),
                `${kind} boost active`, "The boost could not be bought")}>
                {running ? "Active" : `Buy for ${boost.credits} credits`}<span class="visually-hidden"> ({kind})</span>
              </button>
            </li>
          );
        })}
      </ul>

      {claimable.length > 0 && (
        <>
          <h2>Rewards to claim</h2>
          <ul class="plain">
            {claimable.map((reward) => (
              <li class="card" key={reward.rewardId}>
                {rewardText(reward)} <span class="muted">from {reward.source}</span>{" "}
                <button type="button" disabled={busy}
                  onClick={() => void act(() => api.POST("/api/gamification/rewards/{reward_id}/claim", {
                    params: { path: { reward_id: reward.rewardId } } }), "Reward claimed", "The reward could not be claimed")}>
                  Claim<span class="visually-hidden"> {rewardText(reward)}</span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}

      <h2>Badges{badges && <span class="muted"> ({badges.earned} tiers earned)</span>}</h2>
      {error && <p role="alert" class="error">{error}</p>}
      {!badges ? !error && <p>Loading badges…</p> : (
        <ul class="badges" data-testid="badges">{badges.items.map((badge) => <BadgeCard badge={badge} key={badge.badgeId} />)}</ul>
      )}

      <LedgerList version={ledgerVersion} />
    </section>
  );
}

function rewardText(reward: Reward): string {
  if (reward.kind === "streakFreeze") return `${reward.amount} streak freeze`;
  if (reward.kind === "boostCredits") return `${reward.amount} boost credits`;
  return `${reward.amount} coins`;
}

function BadgeCard({ badge }: { badge: Badge }) {
  const earned = badge.tiers.filter((tier) => tier.earnedAt);
  const next = badge.tiers.find((tier) => tier.name === badge.nextTier);
  return (
    <li class="card" data-testid="badge">
      <strong>{badge.name}</strong>
      {earned.map((tier) => <span class={`badge tier-${tier.name}`} key={tier.name}> {tier.name}</span>)}
      <span class="muted"> {badge.description}</span>
      <progress max={1} value={badge.progress} aria-label={`${badge.name}: progress to ${badge.nextTier ?? "the top tier"}`} />
      <span class="muted">{next ? `${badge.value} of ${next.threshold} for ${next.name}` : "every tier earned"}</span>
    </li>
  );
}

/** The wallet's ledger, newest first, one currency or all, a page at a time. */
function LedgerList({ version }: { version: number }) {
  const { api } = useServices();
  const [currency, setCurrency] = useState<Currency | "">("");
  const [ledger, setLedger] = useState<Ledger | null>(null);
  const [more, setMore] = useState(false);

  const load = useCallback(async (cursor?: string) => {
    setMore(Boolean(cursor));
    const query = { limit: 10, ...(currency ? { currency } : {}), ...(cursor ? { cursor } : {}) };
    const { data } = await retried(() => api.GET("/api/gamification/ledger", { params: { query } }));
    setMore(false);
    if (data) setLedger((current) => (cursor && current ? { ...data, items: [...current.items, ...data.items] } : data));
  }, [api, currency]);

  useEffect(() => void load(), [load, version]);

  return (
    <section aria-labelledby="ledger-title">
      <h2 id="ledger-title">Ledger</h2>
      <label for="ledger-currency" class="inline">Currency{" "}
        <select id="ledger-currency" value={currency}
          onChange={(event) => setCurrency((event.currentTarget as HTMLSelectElement).value as Currency | "")}>
          <option value="">All</option>
          {(Object.keys(CURRENCY_LABELS) as Currency[]).map((c) => <option value={c} key={c}>{CURRENCY_LABELS[c]}</option>)}
        </select>
      </label>
      {!ledger ? <p>Loading the ledger…</p> : ledger.items.length === 0 ? <p class="muted">Nothing yet.</p> : (
        <div class="scroll" tabIndex={0} role="region" aria-label="Ledger entries">
          <table class="board" data-testid="ledger">
            <caption class="visually-hidden">Credits and debits, newest first</caption>
            <thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Amount</th><th scope="col">Balance</th></tr></thead>
            <tbody>
              {ledger.items.map((entry) => (
                <tr key={entry.entryId}>
                  <td>{new Date(entry.at).toLocaleString([], { dateStyle: "short", timeStyle: "short" })}</td>
                  <td>{entry.reason}</td>
                  <td>{entry.amount > 0 ? "+" : ""}{entry.amount} {CURRENCY_LABELS[entry.currency]}</td>
                  <td>{entry.balance}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {ledger?.nextCursor && (
        <button type="button" disabled={more} onClick={() => void load(ledger.nextCursor ?? undefined)}>Show older entries</button>
      )}
    </section>
  );
}
