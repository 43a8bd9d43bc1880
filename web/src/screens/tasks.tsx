import { useCallback, useEffect, useState } from "preact/hooks";
import { useServices } from "../context";
import { useRoute } from "../router";
import { problemText, retried } from "../session";
import { TaskDetail } from "./task-detail";
import {
  dueText, inputValue, myProjects, type Project, type Status, STATUS_LABEL, STATUSES, splitTags, type Task,
} from "./work";

type Due = "" | "overdue" | "today" | "week";

interface Filters {
  q: string;
  status: string;
  projectId: string;
  tag: string;
  due: Due;
}

const NO_FILTERS: Filters = { q: "", status: "", projectId: "", tag: "", due: "" };

/** ``#/tasks`` lists the caller's own tasks or one project's (the API lists one scope at a time);
 * ``#/tasks/<id>`` is one task's detail. */
export function TasksScreen() {
  const route = useRoute("/tasks");
  const id = route.startsWith("/tasks/") ? decodeURIComponent(route.slice("/tasks/".length)) : "";
  return id ? <TaskDetail id={id} key={id} /> : <TaskList />;
}

function dueRange(due: Due): { dueFrom?: string; dueTo?: string; overdue?: boolean } {
  if (due === "overdue") return { overdue: true };
  if (!due) return {};
  const start = new Date();
  start.setHours(0, 0, 0, 0);
  const end = new Date(start);
  end.setDate(end.getDate() + (due === "today" ? 1 : 7));
  return { dueFrom: start.toISOString(), dueTo: new Date(end.getTime() - 1).toISOString() };
}

function TaskList() {
  const { api, toast } = useServices();
  const [projects, setProjects] = useState<Project[]>([]);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => void myProjects(api).then(setProjects), [api]);

  const query = useCallback((next: string | null) => {
    const q = filters.q.trim();
    return {
      limit: 50, ...(q ? { q } : {}), ...(filters.tag.trim() ? { tag: filters.tag.trim() } : {}),
      ...(filters.status ? { status: [filters.status as Status] } : {}),
      ...(filters.projectId ? { projectId: filters.projectId } : {}), ...dueRange(filters.due),
      ...(next ? { cursor: next } : {}),
    };
  }, [filters]);

  const load = useCallback(async (next: string | null = null) => {
    setError(null);
    const { data, error: problem } = await retried(() => api.GET("/api/tasks", { params: { query: query(next) } }));
    if (!data) return setError(problemText(problem, "Your tasks could not be loaded"));
    setTasks((current) => (next && current ? [...current, ...data.items] : data.items));
    setCursor(data.nextCursor ?? null);
  }, [api, query]);

  useEffect(() => {
    const timer = window.setTimeout(() => void load(), 250); // typing in the search box waits for a pause
    return () => window.clearTimeout(timer);
  }, [load]);

  const set = (key: keyof Filters) => (event: Event) => setFilters((f) => ({ ...f, [key]: inputValue(event) }));
  const projectName = (id: string | null | undefined) => projects.find((p) => p.id === id)?.name;

  return (
    <section aria-labelledby="tasks-title">
      <h1 id="tasks-title">Tasks</h1>
      <NewTask projects={projects} onAdded={(task) => {
        toast(`Added “${task.title}”`);
        // The list shows one scope at a time (your own tasks, or a project's): show the new task's.
        if ((task.projectId ?? "") !== filters.projectId) setFilters((f) => ({ ...f, projectId: task.projectId ?? "" }));
        else void load();
      }} />
      <form class="filters card" role="search" aria-label="Filter tasks" onSubmit={(e) => e.preventDefault()}>
        <label>Search<input type="search" value={filters.q} onInput={set("q")} maxLength={200} /></label>
        <label>Status
          <select value={filters.status} onChange={set("status")}>
            <option value="">Any status</option>
            {STATUSES.map((s) => <option value={s}>{STATUS_LABEL[s]}</option>)}
          </select>
        </label>
        <label>Project
          <select value={filters.projectId} onChange={set("projectId")}>
            <option value="">Not in a project</option>
            {projects.map((p) => <option value={p.id}>{p.name}</option>)}
          </select>
        </label>
        <label>Tag<input value={filters.tag} onInput={set("tag")} maxLength={200} /></label>
        <label>Due
          <select value={filters.due} onChange={set("due")}>
            <option value="">Any time</option>
            <option value="overdue">Overdue</option>
            <option value="today">Today</option>
            <option value="week">In the next 7 days</option>
          </select>
        </label>
        <button type="button" onClick={() => setFilters((f) => ({ ...NO_FILTERS, projectId: f.projectId }))}>Clear filters</button>
      </form>
      {error && <p role="alert" class="error">{error}</p>}
      {tasks === null ? <p>Loading your tasks…</p> : tasks.length === 0 ? <p class="muted">No task matches.</p> : (
        <ul class="task-list" aria-label="Tasks found">
          {tasks.map((task) => (
            <li class="card" key={task.id} data-testid="task-row">
              <a class="title" href={`#/tasks/${task.id}`}>{task.title}</a>
              <span class={`badge status-${task.status}`}>{STATUS_LABEL[task.status ?? "todo"]}</span>
              <span class={`badge prio-${task.priority}`}>{task.priority}</span>
              <span class="muted">{task.dueAt ? `due ${dueText(task.dueAt)}` : "no due date"}</span>
              {projectName(task.projectId) && <span class="muted">· {projectName(task.projectId)}</span>}
              {(task.tags ?? []).length > 0 && <span class="muted">· #{(task.tags ?? []).join(" #")}</span>}
            </li>
          ))}
        </ul>
      )}
      {cursor && <button type="button" onClick={() => void load(cursor)}>Show more tasks</button>}
    </section>
  );
}

function NewTask({ projects, onAdded }: { projects: Project[]; onAdded: (task: Task) => void }) {
  const { api } = useServices();
  const [title, setTitle] = useState("");
  const [projectId, setProjectId] = useState("");
  const [tags, setTags] = useState("");
  const [due, setDue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const add = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const { data, error: problem } = await api.POST("/api/tasks", {
      body: {
        title: title.trim(), tags: splitTags(tags), projectId: projectId || null,
        dueAt: due ? new Date(`${due}T23:59`).toISOString() : null,
      },
    });
    setBusy(false);
    if (!data) return setError(problemText(problem, "The task could not be added"));
    setTitle("");
    setTags("");
    setDue("");
    onAdded(data);
  };

  return (
    <form class="card new-task" aria-label="New task" onSubmit={(event) => void add(event)}>
      <label>New task title<input value={title} required maxLength={500} onInput={(e) => setTitle(inputValue(e))} /></label>
      <div class="fields">
        <label>In project
          <select value={projectId} onChange={(e) => setProjectId(inputValue(e))}>
            <option value="">No project</option>
            {projects.map((p) => <option value={p.id}>{p.name}</option>)}
          </select>
        </label>
        <label>Tags, comma separated<input value={tags} onInput={(e) => setTags(inputValue(e))} /></label>
        <label>Due on<input type="date" value={due} onInput={(e) => setDue(inputValue(e))} /></label>
      </div>
      <button type="submit" class="primary" disabled={busy}>Add task</button>
      {error && <p role="alert" class="error">{error}</p>}
    </form>
  );
}
