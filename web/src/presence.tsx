import { useEffect, useState } from "preact/hooks";
import type { components } from "./api/schema";
import { useServices } from "./context";
import { retried } from "./session";

type Friend = components["schemas"]["SocialUser"];
type Status = components["schemas"]["Presence"]["status"];

export interface Friends {
  list: Friend[] | null;
  names: Map<string, string>;
  presence: Map<string, Status>;
}

const PRESENCE_BATCH = 50; // GET /api/realtime/presence answers for at most 50 user ids

/** The caller's friends (first 100), their presence read once and then kept live from `presence` frames. */
export function useFriends(): Friends {
  const { api, live } = useServices();
  const [list, setList] = useState<Friend[] | null>(null);
  const [presence, setPresence] = useState<Map<string, Status>>(new Map());

  useEffect(() => {
    let gone = false;
    void (async () => {
      const { data } = await retried(() => api.GET("/api/users/me/friends", { params: { query: { limit: 100 } } }));
      if (gone || !data) return;
      setList(data.items);
      const ids = data.items.map((friend) => friend.userId);
      for (let start = 0; start < ids.length; start += PRESENCE_BATCH) {
        const userIds = ids.slice(start, start + PRESENCE_BATCH).join(",");
        const answer = await retried(() => api.GET("/api/realtime/presence", { params: { query: { userIds } } }));
        if (gone || !answer.data) return;
        const read = answer.data.items;
        // A frame that arrived while this read was in flight is newer: keep it.
        setPresence((current) => new Map([...read.map((p) => [p.userId, p.status] as const), ...current]));
      }
    })();
    const off = live.onFrame((frame) => {
      if (frame.type !== "presence" || !frame.data) return;
      const { userId, status } = frame.data as { userId?: string; status?: Status };
      if (userId && status) setPresence((current) => new Map(current).set(userId, status));
    });
    return () => {
      gone = true;
      off();
    };
  }, [api, live]);

  const names = new Map((list ?? []).map((friend) => [friend.userId, friend.displayName ?? `Friend ${friend.userId.slice(-6)}`]));
  return { list, names, presence };
}

/** Who of the caller's friends is online, away, busy or offline, as it changes. */
export function FriendsPresence({ friends }: { friends: Friends }) {
  return (
    <aside class="card friends" aria-labelledby="friends-title">
      <h2 id="friends-title">Friends now</h2>
      {friends.list === null ? <p>Loading friends…</p> : friends.list.length === 0 ? (
        <p class="muted">No friends yet.</p>
      ) : (
        <ul class="plain" data-testid="friends-presence">
          {friends.list.map((friend) => {
            const status = friends.presence.get(friend.userId) ?? "offline";
            return (
              <li key={friend.userId} data-testid="friend" data-status={status}>
                <span class={`dot dot-${status}`} aria-hidden="true" />
                {friends.names.get(friend.userId)} <span class="muted">{status}</span>
              </li>
            );
          })}
        </ul>
      )}
    </aside>
  );
}
