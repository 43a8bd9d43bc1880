import { useCallback, useEffect, useState } from "preact/hooks";
import type { components } from "../api/schema";
import { useServices } from "../context";
import { problemText, retried } from "../session";

type Notification = components["schemas"]["Notification"];

/** The caller's notifications, newest first: mark one read, or all; the bell's count follows. New ones
 * arrive live (the `notification` frame reloads the list). */
export function NotificationsScreen() {
  const { api, live, reloadUnread, toast } = useServices();
  const [items, setItems] = useState<Notification[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const { data, error: problem } = await retried(() => api.GET("/api/notifications", { params: { query: { limit: 30 } } }));
    if (data) {
      setItems(data.items);
      setNext(data.nextCursor ?? null);
    } else setError(problemText(problem, "Your notifications could not be loaded"));
  }, [api]);

  useEffect(() => {
    void load();
    return live.onFrame((frame) => {
      if (frame.type === "notification") void load();
    });
  }, [load, live]);

  const older = async () => {
    if (!next) return;
    const { data } = await api.GET("/api/notifications", { params: { query: { limit: 30, cursor: next } } });
    if (!data) return;
    setItems((current) => [...(current ?? []), ...data.items]);
    setNext(data.nextCursor ?? null);
  };

  const markRead = async (notification: Notification) => {
    const { data, error: problem } = await api.POST("/api/notifications/{id}/read", { params: { path: { id: notification.id } } });
    if (!data) return toast(problemText(problem, "It could not be marked read"), "error");
    setItems((current) => current?.map((n) => (n.id === data.id ? data : n)) ?? null);
    await reloadUnread();
  };

  const markAll = async () => {
    setBusy(true);
    const { data, error: problem } = await api.POST("/api/notifications/read-all");
    setBusy(false);
    if (!data) return toast(problemText(problem, "They could not be marked read"), "error");
    toast(`${data.marked} marked read`);
    await Promise.all([load(), reloadUnread()]);
  };

  const unread = items?.filter((n) => !n.readAt).length ?? 0;
  return (
    <section aria-labelledby="notifications-title">
      <h1 id="notifications-title">Notifications</h1>
      <button type="button" disabled={busy || unread === 0} onClick={() => void markAll()}>Mark all read</button>
      {error && <p role="alert" class="error">{error}</p>}
      {items === null ? !error && <p>Loading notifications…</p> : items.length === 0 ? <p class="muted">Nothing yet.</p> : (
        <ul class="plain notifications" data-testid="notifications">
          {items.map((n) => (
            <li class={`card${n.readAt ? "" : " unread"}`} key={n.id} data-testid="notification" data-read={n.readAt ? "yes" : "no"}>
              <div class="task-head">
                <span class="title">{n.title}</span>
                {!n.readAt && <span class="badge">new</span>}
                <span class="muted">{new Date(n.createdAt).toLocaleString([], { dateStyle: "medium", timeStyle: "short" })}</span>
              </div>
              {n.body && <p>{n.body}</p>}
              {!n.readAt && (
                <button type="button" onClick={() => void markRead(n)}>Mark read<span class="visually-hidden">: {n.title}</span></button>
              )}
            </li>
          ))}
        </ul>
      )}
      {next && <button type="button" onClick={() => void older()}>Show older notifications</button>}
    </section>
  );
}
