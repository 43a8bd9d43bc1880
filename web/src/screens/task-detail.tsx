import { useCallback, useEffect, useState } from "preact/hooks";
import type { components } from "../api/schema";
import { useServices } from "../context";
import { problemText, retried } from "../session";
import {
  dueText, fromLocalInput, inputValue, localInput, type Member, moveTask, outcome, type Outcome, PRIORITIES,
  type Priority, STATUS_LABEL, STATUSES, type Status, splitTags, type Task, useNames,
} from "./work";

type Comment = components["schemas"]["Comment"];
type Attachment = components["schemas"]["Attachment"];
type Dependency = components["schemas"]["Dependency"];
type TimeReport = components["schemas"]["TimeReport"];
type DependencyType = Dependency["type"];

/** One task: its fields (edited against its version), status, timer, dependencies, comments, attachments. */
export function TaskDetail({ id }: { id: string }) {
  const { api } = useServices();
  const [task, setTask] = useState<Task | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [members, setMembers] = useState<Member[]>([]);

  const load = useCallback(async () => {
    const { data, error: problem } = await retried(() => api.GET("/api/tasks/{id}", { params: { path: { id } } }));
    if (data) setTask(data);
    else setError(problemText(problem, "This task could not be loaded"));
  }, [api, id]);

  useEffect(() => void load(), [load]);
  const projectId = task?.projectId;
  useEffect(() => {
    if (!projectId) return;
    void api.GET("/api/projects/{projectId}/members", { params: { path: { projectId }, query: { limit: 100 } } })
      .then(({ data }) => setMembers(data?.items ?? []));
  }, [api, projectId]);

  if (!task) {
    return (
      <section aria-labelledby="task-title">
        <p><a href="#/tasks">← All tasks</a></p>
        <h1 id="task-title">Task</h1>
        {error ? <p role="alert" class="error">{error}</p> : <p>Loading the task…</p>}
      </section>
    );
  }
  return (
    <section aria-labelledby="task-title" class="task-detail">
      <p><a href="#/tasks">← All tasks</a>
        {task.projectId && <> · <a href={`#/projects/${task.projectId}`}>Project board</a></>}</p>
      <h1 id="task-title">{task.title}</h1>
      <p class="muted" data-testid="task-meta">
        <span class={`badge status-${task.status}`} data-testid="task-status">{STATUS_LABEL[task.status ?? "todo"]}</span>
        {" "}version {task.version} · due {dueText(task.dueAt)} · {task.actualMinutes ?? 0} min spent
      </p>
      <div class="detail-grid">
        <div>
          <EditTask task={task} onSaved={setTask} />
          <StatusMove task={task} onMoved={setTask} />
          <Dependencies task={task} />
        </div>
        <div>
          <Timer task={task} onStopped={() => void load()} />
          <Comments task={task} members={members} />
          <Attachments task={task} />
        </div>
      </div>
    </section>
  );
}

interface Draft {
  title: string;
  description: string;
  priority: Priority;
  dueAt: string;
  tags: string;
  estimateMinutes: string;
}

function draftOf(task: Task): Draft {
  return {
    title: task.title, description: task.description ?? "", priority: task.priority ?? "medium",
    dueAt: localInput(task.dueAt), tags: (task.tags ?? []).join(", "),
    estimateMinutes: task.estimateMinutes == null ? "" : String(task.estimateMinutes),
  };
}

const FIELD_LABEL: Record<keyof Draft, string> = {
  title: "Title", description: "Description", priority: "Priority", dueAt: "Due", tags: "Tags",
  estimateMinutes: "Estimate (minutes)",
};

function changedFields(draft: Draft, base: Task): (keyof Draft)[] {
  const original = draftOf(base);
  return (Object.keys(draft) as (keyof Draft)[]).filter((key) => draft[key] !== original[key]);
}

function patchOf(draft: Draft, fields: (keyof Draft)[]): components["schemas"]["TaskPatch"] {
  const patch: components["schemas"]["TaskPatch"] = {};
  for (const field of fields) {
    if (field === "dueAt") patch.dueAt = fromLocalInput(draft.dueAt);
    else if (field === "tags") patch.tags = splitTags(draft.tags);
    else if (field === "estimateMinutes") patch.estimateMinutes = draft.estimateMinutes ? Number(draft.estimateMinutes) : null;
    else if (field === "priority") patch.priority = draft.priority;
    else patch[field] = draft[field];
  }
  return patch;
}

/** The task's fields, saved against the version they were read at. If the task changed meanwhile, both values
 * of each field the person edited are shown; their edits stay in the form until they choose. */
function EditTask({ task, onSaved }: { task: Task; onSaved: (task: Task) => void }) {
  const { api, toast } = useServices();
  const [draft, setDraft] = useState<Draft>(() => draftOf(task));
  const [base, setBase] = useState<Task>(task);
  const [conflict, setConflict] = useState<{ current: Task; fields: (keyof Draft)[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // A newer task from elsewhere on the page (a status move, the timer) becomes the base when nothing is edited.
  useEffect(() => {
    if (task.version === base.version) return;
    if (changedFields(draft, base).length === 0) setDraft(draftOf(task));
    setBase(task);
  }, [task]);

  const save = async (against: Task) => {
    const fields = changedFields(draft, base);
    if (fields.length === 0) return toast("Nothing to save");
    setBusy(true);
    setError(null);
    const answer = await api.PATCH("/api/tasks/{id}", {
      params: { path: { id: task.id } }, body: { ...patchOf(draft, fields), version: against.version ?? 1 },
    });
    const result = await outcome(api, task.id, answer);
    setBusy(false);
    if (result.kind === "ok") {
      setConflict(null);
      setBase(result.task);
      setDraft(draftOf(result.task));
      onSaved(result.task);
      toast("Saved");
    } else if (result.kind === "stale" && result.current) {
      // Both sides: the fields edited here, and those changed on the server since this form was read.
      const theirs = changedFields(draftOf(result.current), base);
      setConflict({ current: result.current, fields: [...new Set([...fields, ...theirs])] });
    }
    else setError(result.reason);
  };

  const takeTheirs = () => {
    if (!conflict) return;
    setBase(conflict.current);
    setDraft(draftOf(conflict.current));
    onSaved(conflict.current);
    setConflict(null);
  };

  const field = (key: keyof Draft) => (event: Event) => setDraft((d) => ({ ...d, [key]: inputValue(event) }));
  return (
    <form class="card" aria-labelledby="edit-title" onSubmit={(event) => {
      event.preventDefault();
      void save(conflict ? conflict.current : base);
    }}>
      <h2 id="edit-title">Details</h2>
      <label>Title<input value={draft.title} required maxLength={500} onInput={field("title")} /></label>
      <label>Description<textarea value={draft.description} rows={4} maxLength={20000} onInput={field("description")} /></label>
      <div class="fields">
        <label>Priority
          <select value={draft.priority} onChange={field("priority")}>
            {PRIORITIES.map((p) => <option value={p}>{p}</option>)}
          </select>
        </label>
        <label>Due<input type="datetime-local" value={draft.dueAt} onInput={field("dueAt")} /></label>
        <label>Estimate (minutes)<input type="number" min={0} value={draft.estimateMinutes} onInput={field("estimateMinutes")} /></label>
      </div>
      <label>Tags, comma separated<input value={draft.tags} onInput={field("tags")} /></label>
      {conflict && (
        <div class="conflict" role="alert" data-testid="edit-conflict">
          <p><strong>This task changed while you were editing</strong> (you read version {base.version}; it is now
            version {conflict.current.version}). Your edits are kept in the form: save them over the current version
            (fields you did not edit keep the server’s values), or take the server’s version.</p>
          <table>
            <thead><tr><th scope="col">Field</th><th scope="col">Yours</th><th scope="col">Now on the server</th></tr></thead>
            <tbody>
              {conflict.fields.map((key) => (
                <tr key={key}><th scope="row">{FIELD_LABEL[key]}</th>
                  <td>{draft[key] || "—"}{draft[key] === draftOf(base)[key] && <span class="muted"> (not edited here)</span>}</td>
                  <td>{draftOf(conflict.current)[key] || "—"}</td></tr>
              ))}
            </tbody>
          </table>
          <button type="button" onClick={takeTheirs}>Use the server’s version</button>
        </div>
      )}
      <button type="submit" class="primary" disabled={busy}>{conflict ? "Save mine over it" : "Save changes"}</button>
      {error && <p role="alert" class="error">{error}</p>}
    </form>
  );
}

function StatusMove({ task, onMoved }: { task: Task; onMoved: (task: Task) => void }) {
  const { api } = useServices();
  const [target, setTarget] = useState<Status>(task.status ?? "todo");
  const [result, setResult] = useState<Outcome | null>(null);
  const move = async () => {
    const answer = await moveTask(api, task, target);
    setResult(answer);
    if (answer.kind === "ok") onMoved(answer.task);
    else if (answer.kind === "stale" && answer.current) onMoved(answer.current);
  };
  const reopen = async () => {
    const answer = await outcome(api, task.id, await api.POST("/api/tasks/{id}/reopen", { params: { path: { id: task.id } } }));
    setResult(answer);
    if (answer.kind === "ok") onMoved(answer.task);
  };
  return (
    <div class="card">
      <h2>Status</h2>
      <div class="line">
        <label class="inline">Move to
          <select value={target} onChange={(e) => setTarget(inputValue(e) as Status)}>
            {STATUSES.map((s) => <option value={s}>{STATUS_LABEL[s]}</option>)}
          </select>
        </label>
        <button type="button" onClick={() => void move()}>Change status</button>
        {(task.status === "done" || task.status === "cancelled") && <button type="button" onClick={() => void reopen()}>Reopen</button>}
      </div>
      {result && result.kind !== "ok" && (
        <p role="alert" class="error">
          {result.kind === "stale"
            ? `The task changed meanwhile: it is now ${STATUS_LABEL[result.current?.status ?? "todo"]} (version ${result.current?.version ?? "?"}). Choose again.`
            : `Refused: ${result.reason}`}
        </p>
      )}
    </div>
  );
}

function Timer({ task, onStopped }: { task: Task; onStopped: () => void }) {
  const { api, toast } = useServices();
  const [report, setReport] = useState<TimeReport | null>(null);
  const [busy, setBusy] = useState(false);
  const load = useCallback(async () => {
    const { data } = await api.GET("/api/tasks/{id}/time", { params: { path: { id: task.id } } });
    if (data) setReport(data);
  }, [api, task.id]);
  useEffect(() => void load(), [load]);

  const running = report?.running?.taskId === task.id ? report.running : null;
  const toggle = async () => {
    setBusy(true);
    const params = { params: { path: { id: task.id } } };
    const { error } = running
      ? await api.POST("/api/tasks/{id}/timer/stop", params)
      : await api.POST("/api/tasks/{id}/timer/start", params);
    setBusy(false);
    if (error) toast(problemText(error, "The timer did not change"), "error");
    await load();
    if (running) onStopped();
  };
  return (
    <div class="card" aria-labelledby="timer-title">
      <h2 id="timer-title">Timer</h2>
      <p data-testid="timer-state">
        {report === null ? "…" : running
          ? <>Running since {new Date(running.startedAt).toLocaleTimeString()}</>
          : "Not running"}
        {report && <> · total <strong data-testid="timer-total">{report.totalMinutes}</strong> min</>}
      </p>
      <button type="button" class="primary" disabled={busy || report === null} onClick={() => void toggle()}>
        {running ? "Stop timer" : "Start timer"}
      </button>
    </div>
  );
}

interface Linked {
  edge: Dependency;
  other: Task | null;
}

function Dependencies({ task }: { task: Task }) {
  const { api } = useServices();
  const [dependsOn, setDependsOn] = useState<Linked[] | null>(null);
  const [dependents, setDependents] = useState<Linked[]>([]);
  const [candidates, setCandidates] = useState<Task[]>([]);
  const [choice, setChoice] = useState("");
  const [kind, setKind] = useState<DependencyType>("blocks");
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const { data } = await api.GET("/api/tasks/{id}/dependencies", { params: { path: { id: task.id } } });
    if (!data) return;
    const fetchOther = async (edge: Dependency, otherId: string): Promise<Linked> => {
      const { data: other } = await api.GET("/api/tasks/{id}", { params: { path: { id: otherId } } });
      return { edge, other: other ?? null };
    };
    setDependsOn(await Promise.all(data.dependsOn.map((edge) => fetchOther(edge, edge.dependsOn))));
    setDependents(await Promise.all(data.dependents.map((edge) => fetchOther(edge, edge.taskId))));
  }, [api, task.id]);

  useEffect(() => void load(), [load, task.version]);
  useEffect(() => {
    const query = { limit: 100, ...(task.projectId ? { projectId: task.projectId } : {}) };
    void api.GET("/api/tasks", { params: { query } })
      .then(({ data }) => setCandidates((data?.items ?? []).filter((t) => t.id !== task.id)));
  }, [api, task.id, task.projectId]);

  const add = async (event: Event) => {
    event.preventDefault();
    if (!choice) return;
    setError(null);
    const { error: problem } = await api.POST("/api/tasks/{id}/dependencies", {
      params: { path: { id: task.id } }, body: { dependsOn: choice, type: kind },
    });
    if (problem) return setError(problemText(problem, "The dependency could not be added"));
    setChoice("");
    await load();
  };
  const remove = async (otherId: string) => {
    const { error: problem } = await api.DELETE("/api/tasks/{id}/dependencies/{otherId}", {
      params: { path: { id: task.id, otherId } },
    });
    if (problem) return setError(problemText(problem, "The dependency could not be removed"));
    await load();
  };

  const open = (dependsOn ?? []).filter((l) => l.edge.type !== "related" && l.other
    && l.other.status !== "done" && l.other.status !== "cancelled");
  const name = (l: Linked) => l.other?.title ?? "a task you cannot see";
  return (
    <div class="card" aria-labelledby="deps-title">
      <h2 id="deps-title">Dependencies</h2>
      {open.length > 0
        ? <p class="blocked" data-testid="blocked-state">Blocked by {open.length} open task{open.length > 1 ? "s" : ""}: {open.map(name).join(", ")}</p>
        : <p class="muted" data-testid="blocked-state">Nothing holds this task back.</p>}
      {dependsOn === null ? <p>Loading…</p> : (
        <>
          <h3>Depends on</h3>
          {dependsOn.length === 0 ? <p class="muted">Nothing.</p> : (
            <ul class="plain">
              {dependsOn.map((l) => (
                <li key={l.edge.dependsOn}>
                  <a href={`#/tasks/${l.edge.dependsOn}`}>{name(l)}</a> <span class="muted">({l.edge.type}, {STATUS_LABEL[l.other?.status ?? "todo"]})</span>{" "}
                  <button type="button" onClick={() => void remove(l.edge.dependsOn)}>Remove<span class="visually-hidden"> the dependency on {name(l)}</span></button>
                </li>
              ))}
            </ul>
          )}
          {dependents.length > 0 && (
            <>
              <h3>Waiting on this task</h3>
              <ul class="plain">{dependents.map((l) => <li key={l.edge.taskId}><a href={`#/tasks/${l.edge.taskId}`}>{name(l)}</a> <span class="muted">({l.edge.type})</span></li>)}</ul>
            </>
          )}
        </>
      )}
      <form class="line" aria-label="Add a dependency" onSubmit={(event) => void add(event)}>
        <label class="inline">This task depends on
          <select value={choice} required onChange={(e) => setChoice(inputValue(e))}>
            <option value="">Choose a task…</option>
            {candidates.map((t) => <option value={t.id}>{t.title}</option>)}
          </select>
        </label>
        <label class="inline">Kind
          <select value={kind} onChange={(e) => setKind(inputValue(e) as DependencyType)}>
            {(["blocks", "precedes", "subtask", "related"] as const).map((k) => <option value={k}>{k}</option>)}
          </select>
        </label>
        <button type="submit">Add dependency</button>
      </form>
      {error && <p role="alert" class="error">{error}</p>}
    </div>
  );
}

function Comments({ task, members }: { task: Task; members: Member[] }) {
  const { api, toast } = useServices();
  const [comments, setComments] = useState<Comment[] | null>(null);
  const [body, setBody] = useState("");
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    const { data } = await api.GET("/api/tasks/{id}/comments", { params: { path: { id: task.id }, query: { limit: 100 } } });
    setComments(data?.items ?? []);
  }, [api, task.id]);
  useEffect(() => void load(), [load]);

  const post = async (event: Event) => {
    event.preventDefault();
    setError(null);
    const { data, error: problem } = await api.POST("/api/tasks/{id}/comments", {
      params: { path: { id: task.id } }, body: { body },
    });
    if (!data) return setError(problemText(problem, "The comment could not be posted"));
    if (data.mentionedUserIds.length > 0) toast(`Mentioned ${data.mentionedUserIds.length} member(s)`);
    setBody("");
    await load();
  };
  const remove = async (comment: Comment) => {
    const { error: problem } = await api.DELETE("/api/tasks/{id}/comments/{commentId}", {
      params: { path: { id: task.id, commentId: comment.id } },
    });
    if (problem) return setError(problemText(problem, "The comment could not be deleted"));
    await load();
  };
  const name = useNames(api, [...members.map((m) => m.userId), ...(comments ?? []).flatMap((c) => [c.authorId, ...c.mentionedUserIds])]);
  const mention = (userId: string) => setBody((b) => `${b}${b && !b.endsWith(" ") ? " " : ""}@${userId} `);

  return (
    <div class="card" aria-labelledby="comments-title">
      <h2 id="comments-title">Comments</h2>
      {comments === null ? <p>Loading…</p> : comments.length === 0 ? <p class="muted">No comments yet.</p> : (
        <ol class="plain comments">
          {comments.map((c) => (
            <li key={c.id} data-testid="comment">
              <p class="muted">{name[c.authorId] ?? c.authorId} · {new Date(c.createdAt).toLocaleString()}
                {c.mentionedUserIds.length > 0 && <> · mentions {c.mentionedUserIds.map((m) => name[m] ?? m).join(", ")}</>}</p>
              <p class="comment-body">{c.body}</p>
              <button type="button" onClick={() => void remove(c)}>Delete<span class="visually-hidden"> this comment</span></button>
            </li>
          ))}
        </ol>
      )}
      <form aria-label="Add a comment" onSubmit={(event) => void post(event)}>
        <label>Comment (mention a member with @ and their id)
          <textarea value={body} required maxLength={5000} rows={3} onInput={(e) => setBody(inputValue(e))} />
        </label>
        {members.length > 0 && (
          <p class="mentions">Mention a member:{" "}
            {members.map((m) => (
              <button type="button" key={m.userId} onClick={() => mention(m.userId)}>{name[m.userId] ?? m.userId}</button>
            ))}
          </p>
        )}
        <button type="submit" class="primary">Post comment</button>
      </form>
      {error && <p role="alert" class="error">{error}</p>}
    </div>
  );
}

const CONFIRM_ATTEMPTS = 10;

function Attachments({ task }: { task: Task }) {
  const { api, toast } = useServices();
  const [items, setItems] = useState<Attachment[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const load = useCallback(async () => {
    const { data } = await api.GET("/api/tasks/{id}/attachments", { params: { path: { id: task.id } } });
    setItems(data?.items ?? []);
    return data?.items ?? [];
  }, [api, task.id]);
  useEffect(() => void load(), [load]);
  /** An upload is confirmed when the bucket tells the service the file arrived: read again, 1 s apart, until then. */
  const loadUntilConfirmed = async (attachmentId: string) => {
    for (let attempt = 0; attempt < CONFIRM_ATTEMPTS; attempt++) {
      const found = (await load()).find((a) => a.id === attachmentId);
      if (!found || found.status === "uploaded") return;
      await new Promise((resolve) => window.setTimeout(resolve, 1000));
    }
  };

  /** The service's presigned flow: declare the file (type and size are checked), then PUT it to the URL. */
  const upload = async (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setBusy(true);
    setError(null);
    const { data, error: problem } = await api.POST("/api/tasks/{id}/attachments", {
      params: { path: { id: task.id } },
      body: { fileName: file.name, contentType: file.type || "application/octet-stream", sizeBytes: file.size },
    });
    if (!data) {
      setBusy(false);
      input.value = "";
      return setError(problemText(problem, "This file cannot be attached"));
    }
    const put = await fetch(data.uploadUrl, { method: "PUT", headers: data.uploadHeaders, body: file })
      .catch(() => null);
    setBusy(false);
    input.value = "";
    if (!put?.ok) return setError(`The upload failed${put ? ` (${put.status})` : ""}; try again`);
    toast(`Attached ${file.name}`);
    await loadUntilConfirmed(data.attachment.id);
  };
  const remove = async (attachment: Attachment) => {
    const { error: problem } = await api.DELETE("/api/tasks/{id}/attachments/{attachmentId}", {
      params: { path: { id: task.id, attachmentId: attachment.id } },
    });
    if (problem) return setError(problemText(problem, "The attachment could not be removed"));
    await load();
  };

  return (
    <div class="card" aria-labelledby="attachments-title">
      <h2 id="attachments-title">Attachments</h2>
      {items === null ? <p>Loading…</p> : items.length === 0 ? <p class="muted">No files.</p> : (
        <ul class="plain">
          {items.map((a) => (
            <li key={a.id} data-testid="attachment">
              {a.downloadUrl ? <a href={a.downloadUrl}>{a.fileName}</a> : a.fileName}{" "}
              {a.status === "pending" && <span class="muted">(uploading…)</span>}{" "}
              <span class="muted">({Math.ceil(a.sizeBytes / 1024)} KB)</span>{" "}
              <button type="button" onClick={() => void remove(a)}>Remove<span class="visually-hidden"> {a.fileName}</span></button>
            </li>
          ))}
        </ul>
      )}
      <label>Attach a file (up to 10 MB)<input type="file" disabled={busy} onChange={(event) => void upload(event)} /></label>
      {busy && <p role="status">Uploading…</p>}
      {error && <p role="alert" class="error">{error}</p>}
    </div>
  );
}
