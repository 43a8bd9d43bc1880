import type { ComponentChild } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import type { components } from "../api/schema";
import { useServices } from "../context";
import { problemText, retried } from "../session";
import { type Friend, useFrames } from "./social-kit";

type Profile = components["schemas"]["PublicProfile"];

interface Lists {
  friends: Friend[];
  incoming: Friend[];
  outgoing: Friend[];
  followers: Friend[];
}

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Friends: one's own friend code to share, finding someone by theirs, requests both ways, the friend list.
 * (The API offers no search of other people by name, so a friend code, the user's id, is how people find
 * each other; people who follow the caller are offered too.) */
export function FriendsScreen() {
  const { api, toast } = useServices();
  const [me, setMe] = useState<string | null>(null);
  const [lists, setLists] = useState<Lists | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const page = (path: "/api/users/me/friends" | "/api/users/me/followers") =>
      retried(() => api.GET(path, { params: { query: { limit: 100 } } }));
    const requests = (direction: "incoming" | "outgoing") =>
      retried(() => api.GET("/api/users/me/friends/requests", { params: { query: { direction, limit: 100 } } }));
    const [friends, incoming, outgoing, followers] = await Promise.all([
      page("/api/users/me/friends"), requests("incoming"), requests("outgoing"), page("/api/users/me/followers")]);
    if (!friends.data || !incoming.data || !outgoing.data) {
      return setError(problemText(friends.error ?? incoming.error ?? outgoing.error, "Your friends could not be loaded"));
    }
    setLists({ friends: friends.data.items, incoming: incoming.data.items, outgoing: outgoing.data.items,
      followers: followers.data?.items ?? [] });
  }, [api]);

  useEffect(() => {
    void load();
    void api.GET("/api/users/me").then(({ data }) => data && setMe(data.userId));
  }, [api, load]);
  // A friend request or an acceptance arrives as a notification frame: read the lists again.
  useFrames((frame) => {
    if (!frame || frame.type === "notification") void load();
  });

  const act = async (request: () => Promise<{ error?: unknown; response?: Response }>, done: string, fallback: string) => {
    setError(null);
    const { error: problem, response } = await request();
    if (response && response.ok) toast(done);
    else setError(problemText(problem, fallback));
    await load();
  };
  const path = (userId: string) => ({ params: { path: { userId } } });
  const accept = (f: Friend) => act(() => api.POST("/api/users/me/friends/requests/{userId}/accept", path(f.userId)),
    `You and ${label(f)} are friends`, "The request could not be accepted");
  const decline = (f: Friend) => act(() => api.POST("/api/users/me/friends/requests/{userId}/reject", path(f.userId)),
    `Request from ${label(f)} declined`, "The request could not be declined");
  const cancel = (f: Friend) => act(() => api.DELETE("/api/users/me/friends/requests/{userId}", path(f.userId)),
    `Request to ${label(f)} withdrawn`, "The request could not be withdrawn");
  const remove = (f: Friend) => act(() => api.DELETE("/api/users/me/friends/{userId}", path(f.userId)),
    `${label(f)} is no longer a friend`, "The friendship could not be ended");

  const known = new Set([...(lists?.friends ?? []), ...(lists?.outgoing ?? []), ...(lists?.incoming ?? [])].map((f) => f.userId));
  const suggested = lists?.followers.filter((f) => !known.has(f.userId)) ?? [];

  return (
    <section aria-labelledby="friends-title">
      <h1 id="friends-title">Friends</h1>
      <div class="card">
        <h2>Your friend code</h2>
        <p>Share it so people can find you: <code data-testid="friend-code">{me ?? "…"}</code></p>
      </div>
      <FindPerson onSent={load} />
      {error && <p role="alert" class="error">{error}</p>}
      {!lists ? !error && <p>Loading…</p> : (
        <>
          <People title="Requests for you" people={lists.incoming} empty="No request waiting." testId="incoming"
            actions={(f) => <>
              <button type="button" class="primary" onClick={() => void accept(f)}>Accept<span class="visually-hidden"> {label(f)}</span></button>
              <button type="button" onClick={() => void decline(f)}>Decline<span class="visually-hidden"> {label(f)}</span></button>
            </>} />
          <People title="Requests you sent" people={lists.outgoing} empty="None pending." testId="outgoing"
            actions={(f) => <button type="button" onClick={() => void cancel(f)}>Withdraw<span class="visually-hidden"> the request to {label(f)}</span></button>} />
          <People title="Your friends" people={lists.friends} empty="No friends yet." testId="friend"
            actions={(f) => <>
              <a class="button" href={`#/duels/friend/${f.userId}`}>Duel<span class="visually-hidden"> {label(f)}</span></a>
              <button type="button" onClick={() => void remove(f)}>Remove<span class="visually-hidden"> {label(f)}</span></button>
            </>} />
          {suggested.length > 0 && (
            <People title="People who follow you" people={suggested} empty="" testId="follower"
              actions={(f) => <button type="button" onClick={() => void act(
                () => api.POST("/api/users/me/friends/requests", { body: { userId: f.userId } }),
                `Friend request sent to ${label(f)}`, "The request could not be sent")}>Add as a friend<span class="visually-hidden"> {label(f)}</span></button>} />
          )}
        </>
      )}
    </section>
  );
}

function label(person: Friend | Profile): string {
  return person.displayName ?? `Player ${person.userId.slice(-6)}`;
}

function People({ title, people, empty, testId, actions }: {
  title: string; people: Friend[]; empty: string; testId: string; actions: (f: Friend) => ComponentChild;
}) {
  return (
    <section>
      <h2>{title}</h2>
      {people.length === 0 ? <p class="muted">{empty}</p> : (
        <ul class="people">
          {people.map((f) => (
            <li class="card person" key={f.userId} data-testid={testId}>
              <span class="title">{label(f)}</span>
              <span class="muted">{(f.mutualFriends ?? 0) > 0 && `${f.mutualFriends} friends in common · `}since {new Date(f.since).toLocaleDateString()}</span>
              <span class="actions">{actions(f)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Look someone up by their friend code and send them a request. A private profile is not shown, but a
 * request can still be sent: the answer is the same whether or not the code exists. */
function FindPerson({ onSent }: { onSent: () => Promise<void> }) {
  const { api, toast } = useServices();
  const [code, setCode] = useState("");
  const [found, setFound] = useState<Profile | "hidden" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const look = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setFound(null);
    const id = code.trim();
    if (!ID_PATTERN.test(id)) return setError("A friend code is letters and digits, as shown on their Friends screen");
    setBusy(true);
    const { data } = await api.GET("/api/users/{id}", { params: { path: { id } } });
    setBusy(false);
    setFound(data ?? "hidden");
  };

  const send = async () => {
    setBusy(true);
    setError(null);
    const { data, error: problem } = await api.POST("/api/users/me/friends/requests", { body: { userId: code.trim() } });
    setBusy(false);
    if (!data) return setError(problemText(problem, "The request could not be sent"));
    toast(data.status === "friends" ? "You are friends now" : "Friend request sent");
    setFound(null);
    setCode("");
    await onSent();
  };

  return (
    <form class="card" aria-labelledby="find-title" onSubmit={(event) => void look(event)}>
      <h2 id="find-title">Find someone</h2>
      <label for="friend-code">Their friend code</label>
      <div class="row">
        <input id="friend-code" value={code} required maxLength={64} autoComplete="off"
          onInput={(e) => setCode(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>Look up</button>
      </div>
      {found && (
        <div class="person found" data-testid="found">
          <span class="title">{found === "hidden" ? "This profile is not visible to you" : label(found)}</span>
          {found !== "hidden" && found.bio && <span class="muted">{found.bio}</span>}
          <button type="button" class="primary" disabled={busy} onClick={() => void send()}>Send a friend request</button>
        </div>
      )}
      {error && <p role="alert" class="error">{error}</p>}
    </form>
  );
}
