import { useEffect, useState } from "preact/hooks";
import type { components } from "../api/schema";
import { useServices } from "../context";
import { problemText } from "../session";

type Board = components["schemas"]["BoardPage"]["board"];
type Page = components["schemas"]["BoardPage"];

const BOARDS: { board: Board; label: string }[] = [
  { board: "xp", label: "All time" },
  { board: "weekly", label: "This week" },
  { board: "friends", label: "Friends" },
];

/** A leaderboard with the caller's own row marked. */
export function LeaderboardsScreen() {
  const { api, progress } = useServices();
  const [board, setBoard] = useState<Board>("weekly");
  const [page, setPage] = useState<Page | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setPage(null);
    setError(null);
    void api.GET("/api/gamification/leaderboards/{board}", { params: { path: { board }, query: { limit: 50 } } })
      .then(({ data, error: problem }) => (data ? setPage(data) : setError(problemText(problem))));
  }, [api, board]);

  return (
    <section aria-labelledby="boards-title">
      <h1 id="boards-title">Leaderboards</h1>
      <div class="tabs" role="group" aria-label="Leaderboard">
        {BOARDS.map((b) => (
          <button type="button" aria-pressed={b.board === board} onClick={() => setBoard(b.board)}>{b.label}</button>
        ))}
      </div>
      {error && <p role="alert" class="error">{error}</p>}
      {!page ? !error && <p>Loading…</p> : page.items.length === 0 ? <p class="muted">Nobody on this board yet.</p> : (
        <table class="board">
          <caption>{page.period === "all" ? "All time" : `Week ${page.period}`}</caption>
          <thead><tr><th scope="col">Rank</th><th scope="col">Player</th><th scope="col">Score</th></tr></thead>
          <tbody>
            {page.items.map((row) => {
              const mine = row.userId === progress?.userId;
              return (
                <tr class={mine ? "mine" : undefined} data-testid={mine ? "my-rank" : undefined} key={row.userId}>
                  <td>{row.rank}</td><td>{mine ? "You" : `Player ${row.userId.slice(-6)}`}</td><td>{row.score}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
