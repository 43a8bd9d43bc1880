import { useCallback, useEffect, useState } from "preact/hooks";
import { useServices } from "../context";
import { problemText, retried } from "../session";
import { dueText, inputValue, moveTask, type Project, STATUS_LABEL, STATUSES, type Status, type Task } from "./work";

/** What the last move ended in, when it did not simply succeed. */
type Notice =
  | { kind: "refused"; task: Task; target: Status; reason: string }
  | { kind: "stale"; seen: Task; target: Status; current: Task };

const COMPARED: { key: keyof Task; label: string }[] = [
  { key: "title", label: "Title" }, { key: "status", label: "Status" }, { key: "priority", label: "Priority" },
  { key: "dueAt", label: "Due" }, { key: "description", label: "Description" }, { key: "tags", label: "Tags" },
];

function shown(task: Task, key: keyof Task): string {
  const value = task[key];
  if (key === "status") return STATUS_LABEL[task.status ?? "todo"];
  if (key === "dueAt") return dueText(task.dueAt);
  if (Array.isArray(value)) return value.join(", ") || "—";
  return value == null || value === "" ? "—" : String(value);
}

/** A project's tasks in one column per status. A card moves by drag and drop or, from the keyboard, by its
 * "Move to" control; the server's status machine decides, and a refusal is shown with its reason. Each move
 * carries the version the card was read at: if the task changed meanwhile, both versions are shown and the
 * move can be re-applied to the current one (or dropped), so nothing is lost. */
export function Board({ project }: { project: Project }) {
  const { api, toast } = useServices();
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [dragging, setDragging] = useState<string | null>(null);
  const [over, setOver] = useState<Status | null>(null);
  const [title, setTitle] = useState("");
  const [error, setError] = useState<string | null>(null);
  const projectId = project.id;
  const readOnly = project.archived === true || project.role === "viewer";

  const load = useCallback(async () => {
    const found: Task[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) { // at most 1,000 cards
      const { data, error: problem } = await retried(() => api.GET("/api/tasks", {
        params: { query: { projectId, limit: 100, ...(cursor ? { cursor } : {}) } },
      }));
      if (!data) return setError(problemText(problem, "The board could not be loaded"));
      found.push(...data.items);
      if (!data.nextCursor) break;
      cursor = data.nextCursor;
    }
    setTasks(found);
  }, [api, projectId]);
  useEffect(() => void load(), [load]);

  const replace = (task: Task) => setTasks((current) => current?.map((t) => (t.id === task.id ? task : t)) ?? null);

  const move = async (task: Task, target: Status) => {
    if (task.status === target) return;
    setNotice(null);
    const result = await moveTask(api, task, target);
    if (result.kind === "ok") {
      replace(result.task);
      toast(`“${result.task.title}” moved to ${STATUS_LABEL[target]}`);
    } else if (result.kind === "stale" && result.current) {
      setNotice({ kind: "stale", seen: task, target, current: result.current });
    } else if (result.kind === "refused") {
      setNotice({ kind: "refused", task, target, reason: result.reason });
    } else setError(result.reason);
  };

  const add = async (event: Event) => {
    event.preventDefault();
    setError(null);
    const { data, error: problem } = await api.POST("/api/tasks", { body: { title: title.trim(), projectId } });
    if (!data) return setError(problemText(problem, "The task could not be added"));
    setTitle("");
    setTasks((current) => [...(current ?? []), data]);
  };

  const drop = (event: DragEvent, target: Status) => {
    event.preventDefault();
    setOver(null);
    const id = event.dataTransfer?.getData("text/plain") || dragging;
    setDragging(null);
    const task = tasks?.find((t) => t.id === id);
    if (task) void move(task, target);
  };

  return (
    <section aria-labelledby="board-title">
      <h2 id="board-title">Board</h2>
      {!readOnly && (
        <form class="line" aria-label="Add a task to this project" onSubmit={(event) => void add(event)}>
          <label class="inline grow">Task title<input value={title} required maxLength={500} onInput={(e) => setTitle(inputValue(e))} /></label>
          <button type="submit" class="primary">Add to board</button>
        </form>
      )}
      <p class="muted" id="board-help">Drag a card to another column, or use its “Move to” control.</p>
      {error && <p role="alert" class="error">{error}</p>}
      <div aria-live="assertive">{notice && <MoveNotice notice={notice} onReapply={(n) => void move(n.current, n.target)}
        onReload={(n) => {
          replace(n.current);
          setNotice(null);
        }} onDismiss={() => setNotice(null)} />}</div>
      {tasks === null ? <p>Loading the board…</p> : (
        <div class="kanban">
          {STATUSES.map((status) => {
            const cards = tasks.filter((t) => (t.status ?? "todo") === status);
            return (
              <section key={status} class={`column${over === status ? " over" : ""}`} aria-labelledby={`col-${status}`}
                data-testid={`column-${status}`}
                onDragOver={(event) => {
                  event.preventDefault();
                  setOver(status);
                }}
                onDragLeave={() => setOver((current) => (current === status ? null : current))}
                onDrop={(event) => drop(event, status)}>
                <h3 id={`col-${status}`}>{STATUS_LABEL[status]} <span class="muted">({cards.length})</span></h3>
                <ul class="plain">
                  {cards.map((task) => (
                    <Card key={task.id} task={task} readOnly={readOnly} onMove={(target) => void move(task, target)}
                      onDragStart={(event) => {
                        event.dataTransfer?.setData("text/plain", task.id);
                        setDragging(task.id);
                      }} onDragEnd={() => setDragging(null)} />
                  ))}
                </ul>
              </section>
            );
          })}
        </div>
      )}
    </section>
  );
}

interface CardProps {
  task: Task;
  readOnly: boolean;
  onMove: (target: Status) => void;
  onDragStart: (event: DragEvent) => void;
  onDragEnd: () => void;
}

function Card({ task, readOnly, onMove, onDragStart, onDragEnd }: CardProps) {
  const [target, setTarget] = useState<Status>(task.status ?? "todo");
  useEffect(() => setTarget(task.status ?? "todo"), [task.status]);
  return (
    <li class="card board-card" draggable={!readOnly} onDragStart={onDragStart} onDragEnd={onDragEnd}
      data-testid="card" data-task-id={task.id} data-version={task.version}>
      <a class="title" href={`#/tasks/${task.id}`}>{task.title}</a>
      <p class="muted">
        <span class={`badge prio-${task.priority}`}>{task.priority}</span> · {task.dueAt ? `due ${dueText(task.dueAt)}` : "no date"} · v{task.version}
      </p>
      {!readOnly && (
        <form class="line move" aria-label={`Move ${task.title}`} onSubmit={(event) => {
          event.preventDefault();
          onMove(target);
        }}>
          <label class="inline">Move to
            <select value={target} aria-describedby="board-help" onChange={(e) => setTarget(inputValue(e) as Status)}>
              {STATUSES.map((s) => <option value={s}>{STATUS_LABEL[s]}</option>)}
            </select>
          </label>
          <button type="submit">Move<span class="visually-hidden"> {task.title}</span></button>
        </form>
      )}
    </li>
  );
}

interface NoticeProps {
  notice: Notice;
  onReapply: (notice: Extract<Notice, { kind: "stale" }>) => void;
  onReload: (notice: Extract<Notice, { kind: "stale" }>) => void;
  onDismiss: () => void;
}

function MoveNotice({ notice, onReapply, onReload, onDismiss }: NoticeProps) {
  if (notice.kind === "refused") {
    return (
      <div class="conflict" role="alert" data-testid="move-refused">
        <p><strong>The move of “{notice.task.title}” to {STATUS_LABEL[notice.target]} was refused:</strong> {notice.reason}</p>
        <button type="button" onClick={onDismiss}>Dismiss</button>
      </div>
    );
  }
  const { seen, current, target } = notice;
  const differing = COMPARED.filter(({ key }) => shown(seen, key) !== shown(current, key));
  return (
    <div class="conflict" role="alert" data-testid="move-conflict">
      <p><strong>“{current.title}” changed while you were looking</strong> (you saw version {seen.version}; it is now
        version {current.version}). Your move: {STATUS_LABEL[seen.status ?? "todo"]} → {STATUS_LABEL[target]}.</p>
      <table>
        <thead><tr><th scope="col">Field</th><th scope="col">What you saw</th><th scope="col">Now on the server</th></tr></thead>
        <tbody>
          {(differing.length ? differing : COMPARED.slice(0, 2)).map(({ key, label }) => (
            <tr key={key}><th scope="row">{label}</th><td>{shown(seen, key)}</td><td>{shown(current, key)}</td></tr>
          ))}
        </tbody>
      </table>
      <button type="button" class="primary" onClick={() => onReapply(notice)}>Re-apply my move</button>{" "}
      <button type="button" onClick={() => onReload(notice)}>Keep the server’s version</button>
    </div>
  );
}
