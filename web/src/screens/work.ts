/** What the Tasks and Projects screens share: types, the status names, dates, and how a change that met a
 * newer version (412) or a refusal (409) is told apart from other answers. */
import { useEffect, useState } from "preact/hooks";
import type { components } from "../api/schema";
import type { Api } from "../session";
import { problemText } from "../session";

export type Task = components["schemas"]["Task"];
export type Project = components["schemas"]["Project"];
export type Member = components["schemas"]["Member"];
export type Status = NonNullable<Task["status"]>;
export type Priority = NonNullable<Task["priority"]>;
export type Role = Member["role"];

export const STATUSES: readonly Status[] = ["todo", "in_progress", "review", "done", "blocked", "cancelled"];
export const PRIORITIES: readonly Priority[] = ["low", "medium", "high", "urgent"];
export const STATUS_LABEL: Record<Status, string> = {
  todo: "To do", in_progress: "In progress", review: "Review", done: "Done", blocked: "Blocked", cancelled: "Cancelled",
};

/** How a write ended: done (with the new task), refused by a rule (the server's reason), stale (the task
 * changed meanwhile: the current one is read again so both can be shown), or failed. */
export type Outcome =
  | { kind: "ok"; task: Task }
  | { kind: "refused"; reason: string }
  | { kind: "stale"; reason: string; current: Task | null }
  | { kind: "failed"; reason: string };

interface Answer {
  data?: Task;
  error?: unknown;
  response?: Response;
}

export async function outcome(api: Api, id: string, answer: Answer): Promise<Outcome> {
  if (answer.data) return { kind: "ok", task: answer.data };
  const status = answer.response?.status ?? 0;
  const reason = problemText(answer.error, "The change could not be saved");
  if (status === 412) {
    const { data } = await api.GET("/api/tasks/{id}", { params: { path: { id } } });
    return { kind: "stale", reason, current: data ?? null };
  }
  if (status === 409 || status === 403 || status === 422) return { kind: "refused", reason };
  return { kind: "failed", reason };
}

/** Move a task to ``status`` from the version the caller saw. */
export async function moveTask(api: Api, task: Task, status: Status): Promise<Outcome> {
  const answer = await api.POST("/api/tasks/{id}/status", {
    params: { path: { id: task.id } }, body: { status, version: task.version ?? 1 },
  }).catch((error: unknown) => ({ error, data: undefined, response: undefined }));
  return outcome(api, task.id, answer);
}

export function dueText(dueAt: string | null | undefined): string {
  return dueAt ? new Date(dueAt).toLocaleString([], { dateStyle: "medium", timeStyle: "short" }) : "no date";
}

/** ``YYYY-MM-DDTHH:MM`` in local time, for a datetime-local input. */
export function localInput(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function fromLocalInput(value: string): string | null {
  return value ? new Date(value).toISOString() : null;
}

export function splitTags(value: string): string[] {
  return [...new Set(value.split(",").map((tag) => tag.trim()).filter(Boolean))];
}

export function inputValue(event: Event): string {
  return (event.currentTarget as HTMLInputElement).value;
}

/** The caller's projects (first page of 100; enough for filters and pickers). */
export async function myProjects(api: Api): Promise<Project[]> {
  const { data } = await api.GET("/api/projects", { params: { query: { limit: 100 } } });
  return data?.items ?? [];
}

const names = new Map<string, Promise<string>>();

/** A user's display name from their public profile (read once per page); their id when it is not public. */
function displayName(api: Api, id: string): Promise<string> {
  let found = names.get(id);
  if (!found) {
    found = api.GET("/api/users/{id}", { params: { path: { id } } })
      .then(({ data }) => data?.displayName || id, () => id);
    names.set(id, found);
  }
  return found;
}

/** Display names of ``ids`` (id → name), filled in as the profiles arrive. */
export function useNames(api: Api, ids: string[]): Record<string, string> {
  const [known, setKnown] = useState<Record<string, string>>({});
  const key = [...new Set(ids)].sort().join(",");
  useEffect(() => {
    let live = true;
    const wanted = key ? key.split(",") : [];
    void Promise.all(wanted.map(async (id) => [id, await displayName(api, id)] as const))
      .then((pairs) => live && setKnown(Object.fromEntries(pairs)));
    return () => {
      live = false;
    };
  }, [api, key]);
  return known;
}
