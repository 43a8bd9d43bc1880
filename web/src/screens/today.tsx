import { useCallback, useEffect, useState } from "preact/hooks";
import type { components } from "../api/schema";
import { useServices } from "../context";
import { problemText, retried } from "../session";

type Draft = components["schemas"]["TaskDraft"];
type Ranked = components["schemas"]["RankedTask"];

/** Add a task by a sentence (parsed, shown for confirmation), then today's and overdue tasks in the order
 * the prioritizer gives, each with its reasons; complete one with one click. */
export function TodayScreen() {
  const { api, toast, firstScreenShown } = useServices();
  const [text, setText] = useState("");
  const [draft, setDraft] = useState<Draft | null>(null);
  const [ranked, setRanked] = useState<Ranked[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const { data, error: problem } = await retried(() => api.POST("/api/agent/prioritize"));
    if (data) setRanked(data.tasks.filter((task) => task.status !== "done"));
    else setError(problemText(problem, "Your tasks could not be loaded"));
    firstScreenShown();
  }, [api, firstScreenShown]);

  useEffect(() => void load(), [load]);

  const parse = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const { data, error: problem } = await api.POST("/api/agent/parse", { body: { text } });
    setBusy(false);
    if (data) setDraft(data);
    else setError(problemText(problem, "That sentence could not be read"));
  };

  const confirm = async () => {
    if (!draft) return;
    setBusy(true);
    const { data, error: problem } = await api.POST("/api/tasks", {
      body: {
        title: draft.title, dueAt: draft.dueAt, priority: draft.priority, category: draft.category,
        difficulty: draft.difficulty, tags: draft.tags, estimateMinutes: draft.estimateMinutes,
      },
    });
    setBusy(false);
    if (!data) return setError(problemText(problem, "The task could not be added"));
    setDraft(null);
    setText("");
    toast(`Added “${data.title}”`);
    await load();
  };

  const complete = async (task: Ranked) => {
    const { data, error: problem } = await api.POST("/api/tasks/{id}/complete", {
      params: { path: { id: task.id } }, body: {},
    });
    if (!data) return toast(problemText(problem, "The task could not be completed"), "error");
    toast(`Done: ${task.title}`);
    setRanked((current) => current?.filter((t) => t.id !== task.id) ?? null);
  };

  const challenge = async (task: Ranked) => {
    const { data, error: problem } = await api.POST("/api/challenges/generate", {
      body: { taskId: task.id, type: "checklist" },
    });
    if (data) {
      toast(`Challenge ready: ${data.title}`);
      window.location.hash = `#/challenges/${data.id}`;
    } else toast(problemText(problem, "No challenge could be made"), "error");
  };

  const endOfToday = new Date();
  endOfToday.setHours(23, 59, 59, 999);
  const due = ranked?.filter((t) => t.dueAt && new Date(t.dueAt) <= endOfToday) ?? [];
  const later = ranked?.filter((t) => !t.dueAt || new Date(t.dueAt) > endOfToday) ?? [];

  return (
    <section aria-labelledby="today-title">
      <h1 id="today-title">Today</h1>
      <form class="add" onSubmit={(event) => void parse(event)}>
        <label for="sentence">Add a task in your own words</label>
        <div class="row">
          <input id="sentence" value={text} required maxLength={1000}
            placeholder="write the Q3 report by Friday 5pm #work"
            onInput={(event) => setText((event.currentTarget as HTMLInputElement).value)} />
          <button type="submit" class="primary" disabled={busy}>Read it</button>
        </div>
      </form>
      {draft && (
        <div class="draft card" role="group" aria-label="Task draft" data-testid="draft">
          <h2>{draft.title}</h2>
          <dl>
            <dt>Due</dt><dd>{draft.dueAt ? new Date(draft.dueAt).toLocaleString() : "no date"}</dd>
            <dt>Priority</dt><dd>{draft.priority}</dd>
            <dt>Category</dt><dd>{draft.category}</dd>
            <dt>Estimate</dt><dd>{draft.estimateMinutes} min</dd>
            {draft.tags.length > 0 && <><dt>Tags</dt><dd>{draft.tags.join(", ")}</dd></>}
          </dl>
          <button type="button" class="primary" disabled={busy} onClick={() => void confirm()}>Add task</button>
          <button type="button" onClick={() => setDraft(null)}>Discard</button>
        </div>
      )}
      {error && <p role="alert" class="error">{error}</p>}
      {ranked === null ? <p>Loading your tasks…</p> : (
        <>
          <TaskList title="Due today and overdue" tasks={due} onComplete={complete} onChallenge={challenge} />
          <TaskList title="Later and undated" tasks={later} onComplete={complete} onChallenge={challenge} />
        </>
      )}
    </section>
  );
}

interface ListProps {
  title: string;
  tasks: Ranked[];
  onComplete: (task: Ranked) => Promise<void>;
  onChallenge: (task: Ranked) => Promise<void>;
}

function TaskList({ title, tasks, onComplete, onChallenge }: ListProps) {
  return (
    <section class="tasks">
      <h2>{title}</h2>
      {tasks.length === 0 ? <p class="muted">Nothing here.</p> : (
        <ol>
          {tasks.map((task) => (
            <li class="card task" key={task.id} data-testid="task">
              <div class="task-head">
                <span class="title">{task.title}</span>
                <span class={`badge prio-${task.priority}`}>{task.priority}</span>
                {task.dueAt && <span class="muted">due {new Date(task.dueAt).toLocaleString()}</span>}
              </div>
              {task.reasons.length > 0 && (
                <ul class="reasons" aria-label="Why this rank">
                  {task.reasons.map((reason) => <li>{reason}</li>)}
                </ul>
              )}
              <div class="actions">
                <button type="button" class="primary" onClick={() => void onComplete(task)}>
                  Complete<span class="visually-hidden"> {task.title}</span>
                </button>
                <button type="button" onClick={() => void onChallenge(task)}>
                  Make it a challenge<span class="visually-hidden">: {task.title}</span>
                </button>
              </div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
