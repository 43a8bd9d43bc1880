import { useCallback, useEffect, useState } from "preact/hooks";
import type { components } from "../api/schema";
import { useServices } from "../context";
import { problemText } from "../session";

type Challenge = components["schemas"]["Challenge"];

/** The caller's challenges: start one, finish it, see the points it paid. */
export function ChallengesScreen() {
  const { api, toast } = useServices();
  const [items, setItems] = useState<Challenge[] | null>(null);

  const load = useCallback(async () => {
    const { data } = await api.GET("/api/challenges", { params: { query: { limit: 50 } } });
    if (data) setItems(data.items);
  }, [api]);

  useEffect(() => void load(), [load]);

  const act = async (challenge: Challenge, action: "start" | "complete") => {
    const params = { path: { id: challenge.id } };
    const { data, error } = action === "start"
      ? await api.POST("/api/challenges/{id}/start", { params, body: {} })
      : await api.POST("/api/challenges/{id}/complete", { params, body: {} });
    if (!data) return toast(problemText(error, `The challenge could not ${action}`), "error");
    if (action === "complete") toast(`Challenge finished: ${data.score ?? 0} points`);
    await load();
  };

  return (
    <section aria-labelledby="challenges-title">
      <h1 id="challenges-title">Challenges</h1>
      <p class="muted">Turn a task into a challenge from Today (“Make it a challenge”).</p>
      {!items ? <p>Loading…</p> : items.length === 0 ? <p class="muted">No challenges yet.</p> : (
        <ul class="challenges">
          {items.map((c) => (
            <li class="card" key={c.id} data-testid="challenge">
              <h2>{c.title}</h2>
              <p>{c.description}</p>
              <p class="muted">{c.type} · {c.difficulty} · {c.pointsReward} points · {c.timeLimitMinutes} min · <strong>{c.status}</strong>
                {c.score !== null && c.score !== undefined && <> · scored {c.score}</>}</p>
              {c.status === "generated" && <button type="button" class="primary" onClick={() => void act(c, "start")}>Start<span class="visually-hidden"> {c.title}</span></button>}
              {c.status === "active" && c.type !== "quiz" && <button type="button" class="primary" onClick={() => void act(c, "complete")}>Complete<span class="visually-hidden"> {c.title}</span></button>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
