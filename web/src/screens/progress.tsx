import { useEffect, useState } from "preact/hooks";
import type { components } from "../api/schema";
import { LevelBar } from "../app";
import { useServices } from "../context";
import { problemText } from "../session";

type BadgeList = components["schemas"]["BadgeList"];

/** Level and XP, balances, streaks and badges with progress to their next tier. */
export function ProgressScreen() {
  const { api, progress, reloadProgress } = useServices();
  const [badges, setBadges] = useState<BadgeList | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void reloadProgress();
    void api.GET("/api/gamification/badges")
      .then(({ data, error: problem }) => (data ? setBadges(data) : setError(problemText(problem))));
  }, [api, reloadProgress]);

  if (!progress) return <p>Loading your progress…</p>;
  const streak = progress.streaks;
  return (
    <section aria-labelledby="progress-title">
      <h1 id="progress-title">Progress</h1>
      <div class="card big-level"><LevelBar progress={progress} />
        <p class="muted">{progress.xpIntoLevel} of {progress.xpForNextLevel} XP into level {progress.level}</p>
      </div>
      <div class="grid">
        <div class="card stat"><h2>Coins</h2><p>{progress.balances.coins}</p></div>
        <div class="card stat"><h2>Gems</h2><p>{progress.balances.gems}</p></div>
        <div class="card stat"><h2>Boost credits</h2><p>{progress.balances.boostCredits}</p></div>
        <div class="card stat"><h2>Daily streak</h2>
          <p>{streak ? `${streak.days} ${streak.days === 1 ? "day" : "days"}` : "none yet"}</p>
          {streak && <p class="muted">longest {streak.longest}; freezes {streak.freezes}</p>}
        </div>
      </div>
      <h2>Badges</h2>
      {error && <p role="alert" class="error">{error}</p>}
      {!badges ? !error && <p>Loading badges…</p> : (
        <ul class="badges">
          {badges.items.map((badge) => (
            <li class="card" key={badge.badgeId}>
              <strong>{badge.name}</strong>
              <span class="muted"> {badge.description}</span>
              <progress max={1} value={badge.progress} aria-label={`${badge.name}: progress to ${badge.nextTier ?? "the top tier"}`} />
              <span class="muted">{badge.nextTier ? `next: ${badge.nextTier}` : "every tier earned"}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
