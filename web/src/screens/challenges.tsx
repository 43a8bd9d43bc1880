import { useCallback, useEffect, useState } from "preact/hooks";
import type { components } from "../api/schema";
import { useServices } from "../context";
import { problemText, retried } from "../session";
import { ChallengeRun } from "./challenge-run";
import { TYPE_LABEL } from "./social-kit";

type Challenge = components["schemas"]["Challenge"];
type Task = components["schemas"]["Task"];
type ChallengeType = NonNullable<components["schemas"]["GenerateRequest"]["type"]>;
type Difficulty = NonNullable<components["schemas"]["GenerateRequest"]["difficulty"]>;

const TYPES: { type: ChallengeType | ""; label: string }[] = [
  { type: "", label: "Let Deepiri choose" },
  { type: "checklist", label: "Checklist (milestones)" },
  { type: "quiz", label: "Quiz" },
  { type: "timed_completion", label: "Beat the clock" },
  { type: "focus_sprint", label: "Focus sprint" },
  { type: "puzzle", label: "Puzzle" },
  { type: "streak", label: "Streak" },
];
const DIFFICULTIES: (Difficulty | "")[] = ["", "trivial", "easy", "medium", "hard", "epic"];
const OPEN = new Set(["todo", "in_progress", "review", "blocked"]);

/** The caller's challenges, a form to make one from a task, and (at #/challenges/<id>) one challenge run. */
export function ChallengesScreen({ route }: { route: string }) {
  const id = route.split("/")[2];
  if (id) return <ChallengeRun id={decodeURIComponent(id)} />;
  return <ChallengeList />;
}

function ChallengeList() {
  const { api } = useServices();
  const [items, setItems] = useState<Challenge[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const { data, error: problem } = await retried(() => api.GET("/api/challenges", { params: { query: { limit: 50 } } }));
    if (data) setItems(data.items);
    else setError(problemText(problem, "Your challenges could not be loaded"));
  }, [api]);

  useEffect(() => void load(), [load]);

  const running = items?.filter((c) => c.status === "generated" || c.status === "active") ?? [];
  const ended = items?.filter((c) => c.status !== "generated" && c.status !== "active") ?? [];

  return (
    <section aria-labelledby="challenges-title">
      <h1 id="challenges-title">Challenges</h1>
      <MakeChallenge />
      {error && <p role="alert" class="error">{error}</p>}
      {!items ? !error && <p>Loading…</p> : (
        <>
          <ChallengeCards title="Ready and running" items={running} empty="No challenge running: make one above." />
          <ChallengeCards title="Finished" items={ended} empty="Nothing finished yet." />
        </>
      )}
    </section>
  );
}

function ChallengeCards({ title, items, empty }: { title: string; items: Challenge[]; empty: string }) {
  return (
    <section>
      <h2>{title}</h2>
      {items.length === 0 ? <p class="muted">{empty}</p> : (
        <ul class="challenges">
          {items.map((c) => (
            <li class="card" key={c.id} data-testid="challenge">
              <h3><a href={`#/challenges/${c.id}`}>{c.title}</a></h3>
              <p class="muted">{TYPE_LABEL[c.type] ?? c.type} · {c.difficulty} · {c.pointsReward} points
                {c.bonusMultiplier > 1 && <> × {c.bonusMultiplier}</>} · {c.timeLimitMinutes} min · <strong>{c.status}</strong>
                {c.score !== null && c.score !== undefined && <> · scored {c.score}</>}</p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Turn one of the caller's open tasks into a challenge of a chosen type (or the one the bandit picks). */
function MakeChallenge() {
  const { api } = useServices();
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [taskId, setTaskId] = useState("");
  const [type, setType] = useState<ChallengeType | "">("");
  const [difficulty, setDifficulty] = useState<Difficulty | "">("");
  const [completesTask, setCompletesTask] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void retried(() => api.GET("/api/tasks", { params: { query: { limit: 100, sort: "created", order: "desc" } } }))
      .then(({ data }) => {
        const open = data?.items.filter((t) => OPEN.has(t.status ?? "todo")) ?? [];
        setTasks(open);
        setTaskId((current) => current || (open[0]?.id ?? ""));
      });
  }, [api]);

  const make = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const { data, error: problem } = await api.POST("/api/challenges/generate", {
      body: { taskId, type: type || null, difficulty: difficulty || null, completesTask },
    });
    setBusy(false);
    if (data) window.location.hash = `#/challenges/${data.id}`;
    else setError(problemText(problem, "No challenge could be made from that task"));
  };

  if (tasks === null) return <p>Loading your tasks…</p>;
  if (tasks.length === 0) return <p class="muted">Add a task on <a href="#/today">Today</a> to make a challenge of it.</p>;
  return (
    <form class="card stack" aria-labelledby="make-title" onSubmit={(event) => void make(event)}>
      <h2 id="make-title">Make a challenge from a task</h2>
      <div class="fields">
        <div class="field"><label for="make-task">Task</label>
          <select id="make-task" value={taskId} onChange={(e) => setTaskId(e.currentTarget.value)} required>
            {tasks.map((t) => <option value={t.id} key={t.id}>{t.title}</option>)}
          </select>
        </div>
        <div class="field"><label for="make-kind">Kind of challenge</label>
          <select id="make-kind" value={type} onChange={(e) => setType(e.currentTarget.value as ChallengeType | "")}>
            {TYPES.map((t) => <option value={t.type} key={t.type}>{t.label}</option>)}
          </select>
        </div>
        <div class="field"><label for="make-difficulty">Difficulty</label>
          <select id="make-difficulty" value={difficulty} onChange={(e) => setDifficulty(e.currentTarget.value as Difficulty | "")}>
            {DIFFICULTIES.map((d) => <option value={d} key={d}>{d || "From the task"}</option>)}
          </select>
        </div>
      </div>
      <label class="check">
        <input type="checkbox" checked={completesTask} onChange={(e) => setCompletesTask(e.currentTarget.checked)} />
        Finishing the challenge completes the task
      </label>
      {error && <p role="alert" class="error">{error}</p>}
      <button type="submit" class="primary" disabled={busy || !taskId}>Make the challenge</button>
    </form>
  );
}
