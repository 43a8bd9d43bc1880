import { useEffect, useState } from "preact/hooks";
import type { components } from "../api/schema";
import { useServices } from "../context";
import { FriendsPresence, useFriends } from "../presence";
import { problemText, retried } from "../session";

type Board = components["schemas"]["BoardPage"]["board"];
type Page = components["schemas"]["BoardPage"];
type Standing = components["schemas"]["MyStanding"];

const BOARDS = [
  { id: "xp", label: "All time" },
  { id: "weekly", label: "This week" },
  { id: "friends", label: "Friends" },
  { id: "elo", label: "ELO" },
] as const;
type Tab = (typeof BOARDS)[number]["id"];

const CATEGORIES = ["manual", "code", "study", "creative", "research", "writing", "design", "admin", "meeting"] as const;
type Category = (typeof CATEGORIES)[number];

/** All-time, weekly, friends and ELO (overall or by category) boards, each with the caller's own rank and
 * neighbours; friends are named and their presence shown live. */
export function LeaderboardsScreen() {
  const { api, progress } = useServices();
  const friends = useFriends();
  const [tab, setTab] = useState<Tab>("weekly");
  const [category, setCategory] = useState<Category | "">("");
  const [page, setPage] = useState<Page | null>(null);
  const [standing, setStanding] = useState<Standing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const board: Board = tab === "elo" && category ? `elo-${category}` : tab;

  useEffect(() => {
    setPage(null);
    setStanding(null);
    setError(null);
    const path = { board };
    void Promise.all([
      retried(() => api.GET("/api/gamification/leaderboards/{board}", { params: { path, query: { limit: 50 } } })),
      retried(() => api.GET("/api/gamification/leaderboards/{board}/me", { params: { path } })),
    ]).then(([top, mine]) => {
      if (top.data) setPage(top.data);
      else setError(problemText(top.error, "This leaderboard could not be loaded"));
      if (mine.data) setStanding(mine.data);
    });
  }, [api, board]);

  const nameOf = (userId: string) =>
    userId === progress?.userId ? "You" : friends.names.get(userId) ?? `Player ${userId.slice(-6)}`;

  return (
    <section aria-labelledby="boards-title">
      <h1 id="boards-title">Leaderboards</h1>
      <div class="boards-layout">
        <div>
          <div class="tabs" role="group" aria-label="Leaderboard">
            {BOARDS.map((b) => (
              <button type="button" aria-pressed={b.id === tab} onClick={() => setTab(b.id)} key={b.id}>{b.label}</button>
            ))}
          </div>
          {tab === "elo" && (
            <label for="elo-category" class="inline">Category{" "}
              <select id="elo-category" value={category}
                onChange={(event) => setCategory((event.currentTarget as HTMLSelectElement).value as Category | "")}>
                <option value="">All categories</option>
                {CATEGORIES.map((c) => <option value={c} key={c}>{c}</option>)}
              </select>
            </label>
          )}
          {error && <p role="alert" class="error">{error}</p>}
          {!page ? !error && <p>Loading…</p> : (
            <>
              <MyRank standing={standing} elo={tab === "elo"} />
              {page.items.length === 0 ? <p class="muted">Nobody on this board yet.</p> : (
                <table class="board" data-testid="board">
                  <caption>{caption(tab, category, page)}</caption>
                  <thead><tr><th scope="col">Rank</th><th scope="col">Player</th><th scope="col">{tab === "elo" ? "Rating" : "XP"}</th></tr></thead>
                  <tbody>
                    {page.items.map((row) => {
                      const mine = row.userId === progress?.userId;
                      return (
                        <tr class={mine ? "mine" : undefined} data-testid={mine ? "my-row" : undefined} key={row.userId}>
                          <td>{row.rank}</td><td>{nameOf(row.userId)}</td><td>{row.score}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              )}
            </>
          )}
        </div>
        <FriendsPresence friends={friends} />
      </div>
    </section>
  );
}

function caption(tab: Tab, category: string, page: Page): string {
  if (tab === "elo") return category ? `ELO rating in ${category}` : "ELO rating, all categories";
  if (tab === "friends") return "You and your friends, all-time XP";
  return page.period === "all" ? "All-time XP" : `XP in week ${page.period} (UTC)`;
}

function MyRank({ standing, elo }: { standing: Standing | null; elo: boolean }) {
  if (!standing) return null;
  const me = standing.me;
  if (!me) return <p class="card my-rank" data-testid="my-rank">You are not on this board yet.</p>;
  const record = standing.rating;
  return (
    <p class="card my-rank" data-testid="my-rank">
      Your rank: <strong>#{me.rank}</strong> with {me.score} {elo ? "rating" : "XP"}
      {record && <span class="muted"> · {record.wins} won, {record.losses} lost, {record.draws} drawn; best {record.peakRating}</span>}
    </p>
  );
}
