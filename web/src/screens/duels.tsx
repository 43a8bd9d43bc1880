import type { ComponentChild } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import type { components } from "../api/schema";
import { useServices } from "../context";
import { problemText, retried } from "../session";
import { Countdown, type Friend, nameOf, useFrames, useFriends } from "./social-kit";

type Duel = components["schemas"]["Duel"];
type Task = components["schemas"]["Task"];
type Category = components["schemas"]["DuelCreate"]["category"];
type Template = NonNullable<components["schemas"]["DuelSpec"]["template"]>;

const CATEGORIES: Category[] = ["manual", "code", "study", "creative", "research", "writing", "design", "admin", "meeting"];
const TEMPLATES: { template: Template; label: string }[] = [
  { template: "most_milestones", label: "Most steps done when time runs out" },
  { template: "first_to_finish", label: "First to finish every step wins" },
];
const OPEN = new Set(["todo", "in_progress", "review", "blocked"]);
const REASONS: Record<string, string> = { completed: "finished the steps", expired: "time ran out", forfeited: "a side conceded" };

/** Duels: invitations to answer, an invitation to send (from a task or a set number of steps), and at
 * #/duels/<id> one duel, watched live: the opponent's progress arrives over the WebSocket. */
export function DuelsScreen({ route }: { route: string }) {
  const [, , first, second] = route.split("/");
  if (first === "task" || first === "friend") {
    return <DuelList taskId={first === "task" ? second : undefined} friendId={first === "friend" ? second : undefined} />;
  }
  if (first) return <DuelView id={decodeURIComponent(first)} />;
  return <DuelList />;
}

function useMe(): string | undefined {
  const { api, progress } = useServices();
  const [me, setMe] = useState<string | undefined>(progress?.userId);
  useEffect(() => {
    if (progress?.userId) return setMe(progress.userId);
    void api.GET("/api/users/me").then(({ data }) => data && setMe(data.userId));
  }, [api, progress?.userId]);
  return me;
}

function DuelList({ taskId, friendId }: { taskId?: string; friendId?: string }) {
  const { api } = useServices();
  const me = useMe();
  const [friends] = useFriends();
  const [duels, setDuels] = useState<Duel[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const { data, error: problem } = await retried(() => api.GET("/api/challenges/duels", { params: { query: { limit: 50 } } }));
    if (data) setDuels(data.items);
    else setError(problemText(problem, "Your duels could not be loaded"));
  }, [api]);

  useEffect(() => void load(), [load]);
  useFrames((frame) => {
    if (!frame || frame.type === "duel.update") void load();
  });

  const answer = async (duel: Duel, action: "accept" | "decline" | "cancel") => {
    const params = { path: { id: duel.id } };
    const request = action === "accept" ? api.POST("/api/challenges/duels/{id}/accept", { params })
      : action === "decline" ? api.POST("/api/challenges/duels/{id}/decline", { params })
        : api.POST("/api/challenges/duels/{id}/cancel", { params });
    const { data, error: problem } = await request;
    if (!data) return setError(problemText(problem, `The invitation could not be ${action === "cancel" ? "withdrawn" : `${action}d`}`));
    if (action === "accept") window.location.hash = `#/duels/${duel.id}`;
    else await load();
  };

  const incoming = duels?.filter((d) => d.status === "invited" && d.opponentId === me) ?? [];
  const outgoing = duels?.filter((d) => d.status === "invited" && d.challengerId === me) ?? [];
  const running = duels?.filter((d) => d.status === "active") ?? [];
  const past = duels?.filter((d) => !["invited", "active"].includes(d.status)) ?? [];
  const name = (id: string) => nameOf(friends, id, me);

  return (
    <section aria-labelledby="duels-title">
      <h1 id="duels-title">Duels</h1>
      {error && <p role="alert" class="error">{error}</p>}
      {!duels ? !error && <p>Loading…</p> : (
        <>
          <section aria-labelledby="incoming-title" data-testid="duel-invitations">
            <h2 id="incoming-title">Invitations for you</h2>
            {incoming.length === 0 ? <p class="muted">No invitation waiting.</p> : (
              <ul class="challenges">
                {incoming.map((d) => (
                  <li class="card" key={d.id} data-testid="duel-invitation">
                    <h3>{d.spec.title}</h3>
                    <p>{name(d.challengerId)} challenged you: {d.spec.target} steps, {d.durationMinutes} min,
                      {" "}{TEMPLATES.find((t) => t.template === d.spec.template)?.label.toLowerCase() ?? d.spec.template}.</p>
                    <div class="actions">
                      <button type="button" class="primary" onClick={() => void answer(d, "accept")}>
                        Accept<span class="visually-hidden"> the duel from {name(d.challengerId)}</span></button>
                      <button type="button" onClick={() => void answer(d, "decline")}>
                        Decline<span class="visually-hidden"> the duel from {name(d.challengerId)}</span></button>
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <InviteDuel friends={friends} taskId={taskId} friendId={friendId} />
          <DuelCards title="Waiting for an answer" duels={outgoing} name={name} me={me}
            action={(d) => <button type="button" onClick={() => void answer(d, "cancel")}>Withdraw<span class="visually-hidden"> the invitation to {name(d.opponentId)}</span></button>} />
          <DuelCards title="Running" duels={running} name={name} me={me} />
          <DuelCards title="Past duels" duels={past} name={name} me={me} />
        </>
      )}
    </section>
  );
}

function DuelCards({ title, duels, name, me, action }: {
  title: string; duels: Duel[]; name: (id: string) => string; me?: string; action?: (duel: Duel) => ComponentChild;
}) {
  if (duels.length === 0) return null;
  return (
    <section>
      <h2>{title}</h2>
      <ul class="challenges">
        {duels.map((d) => {
          const other = d.challengerId === me ? d.opponentId : d.challengerId;
          return (
            <li class="card" key={d.id} data-testid="duel">
              <h3><a href={`#/duels/${d.id}`}>{d.spec.title}</a></h3>
              <p class="muted">against {name(other)} · {d.status}
                {d.status === "finished" && <> · {d.winnerId ? `${name(d.winnerId)} won` : "a draw"}</>}</p>
              {action?.(d)}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** Invite a friend: the duel's challenge is made from one of the caller's tasks, or is a number of steps. */
function InviteDuel({ friends, taskId, friendId }: { friends: Friend[] | null; taskId?: string; friendId?: string }) {
  const { api } = useServices();
  const [tasks, setTasks] = useState<Task[]>([]);
  const [opponent, setOpponent] = useState(friendId ?? "");
  const [source, setSource] = useState<"task" | "steps">(taskId ? "task" : "steps");
  const [task, setTask] = useState(taskId ?? "");
  const [title, setTitle] = useState("Duel");
  const [target, setTarget] = useState(5);
  const [minutes, setMinutes] = useState(30);
  const [template, setTemplate] = useState<Template>("most_milestones");
  const [category, setCategory] = useState<Category>("manual");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void api.GET("/api/tasks", { params: { query: { limit: 100, sort: "created", order: "desc" } } }).then(({ data }) => {
      const open = data?.items.filter((t) => OPEN.has(t.status ?? "todo") || t.id === taskId) ?? [];
      setTasks(open);
      setTask((current) => current || (open[0]?.id ?? ""));
    });
  }, [api, taskId]);
  useEffect(() => setOpponent((current) => current || (friends?.[0]?.userId ?? "")), [friends]);

  const invite = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const chosen = tasks.find((t) => t.id === task);
    const spec = source === "task" ? { taskId: task, template } : { title, target, template };
    const { data, error: problem, response } = await api.POST("/api/challenges/duels", {
      body: {
        opponentId: opponent, spec, category: (source === "task" ? chosen?.category : undefined) ?? category,
        durationMinutes: source === "task" ? null : minutes,
      },
    });
    setBusy(false);
    if (data) return void (window.location.hash = `#/duels/${data.id}`);
    const why = problemText(problem, "The invitation could not be sent");
    // Duels learn of a friendship through the bus: a friendship made seconds ago may not have arrived yet.
    setError(response?.status === 404 ? `${why}. A new friendship takes a few seconds to reach duels: try again shortly.` : why);
  };

  if (friends === null) return <p>Loading your friends…</p>;
  if (friends.length === 0) {
    return <p class="muted">Duels are between friends: <a href="#/friends">find a friend</a> first.</p>;
  }
  return (
    <form class="card stack" aria-labelledby="invite-title" onSubmit={(event) => void invite(event)}>
      <h2 id="invite-title">Invite a friend to a duel</h2>
      <div class="fields">
        <div class="field"><label for="duel-friend">Friend</label>
          <select id="duel-friend" value={opponent} onChange={(e) => setOpponent(e.currentTarget.value)} required>
            {friends.map((f) => <option value={f.userId} key={f.userId}>{f.displayName ?? f.userId}</option>)}
          </select>
        </div>
        <div class="field"><label for="duel-template">How to win</label>
          <select id="duel-template" value={template} onChange={(e) => setTemplate(e.currentTarget.value as Template)}>
            {TEMPLATES.map((t) => <option value={t.template} key={t.template}>{t.label}</option>)}
          </select>
        </div>
      </div>
      <fieldset class="plain">
        <legend>The challenge</legend>
        <label class="check"><input type="radio" name="duel-source" checked={source === "task"} disabled={tasks.length === 0}
          onChange={() => setSource("task")} /> Made from one of my tasks (its steps and time limit)</label>
        <label class="check"><input type="radio" name="duel-source" checked={source === "steps"}
          onChange={() => setSource("steps")} /> A number of steps</label>
      </fieldset>
      {source === "task" ? (
        <div class="field"><label for="duel-task">Task</label>
          <select id="duel-task" value={task} onChange={(e) => setTask(e.currentTarget.value)} required>
            {tasks.map((t) => <option value={t.id} key={t.id}>{t.title}</option>)}
          </select>
        </div>
      ) : (
        <div class="fields">
          <label>Title<input value={title} required maxLength={200} onInput={(e) => setTitle(e.currentTarget.value)} /></label>
          <label>Steps<input type="number" min={1} max={100} value={target} required
            onInput={(e) => setTarget(Number(e.currentTarget.value))} /></label>
          <label>Minutes<input type="number" min={5} max={10080} value={minutes} required
            onInput={(e) => setMinutes(Number(e.currentTarget.value))} /></label>
          <div class="field"><label for="duel-category">Category</label>
            <select id="duel-category" value={category} onChange={(e) => setCategory(e.currentTarget.value as Category)}>
              {CATEGORIES.map((c) => <option value={c} key={c}>{c}</option>)}
            </select>
          </div>
        </div>
      )}
      {error && <p role="alert" class="error">{error}</p>}
      <button type="submit" class="primary" disabled={busy || !opponent}>Send the invitation</button>
    </form>
  );
}

/** One duel, live: subscribed to its channel, every duel.update frame moves the scores at once and the duel is
 * read again; it is read again too once the subscription holds (frames pushed before were not ours) and after
 * a reconnection. */
function DuelView({ id }: { id: string }) {
  const { api, live } = useServices();
  const me = useMe();
  const [friends] = useFriends();
  const [duel, setDuel] = useState<Duel | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const { data, error: problem } = await retried(() => api.GET("/api/challenges/duels/{id}", { params: { path: { id } } }));
    if (data) setDuel(data);
    else setError(problemText(problem, "This duel could not be loaded"));
  }, [api, id]);

  useEffect(() => void load(), [load]);
  useEffect(() => live.subscribe(`duel:${id}`), [live, id]);
  useFrames((frame) => {
    // What happened before the subscription held (its right travels the bus) is read once it holds.
    if (frame?.type === "subscribed" && frame.channel === `duel:${id}`) return void load();
    if (frame && (frame.type !== "duel.update" || frame.data?.duelId !== id)) return;
    const scores = frame?.data?.scores;
    if (scores && typeof scores === "object") {
      setDuel((current) => current && { ...current, scores: { ...current.scores, ...(scores as Record<string, number>) } });
    }
    void load();
  });

  const act = async (request: () => Promise<{ data?: Duel; error?: unknown }>, fallback: string) => {
    setBusy(true);
    setError(null);
    const { data, error: problem } = await request();
    setBusy(false);
    if (data) setDuel(data);
    else setError(problemText(problem, fallback));
  };

  if (!duel || !me) {
    return (
      <section aria-labelledby="duel-title">
        <h1 id="duel-title">Duel</h1>
        {error ? <p role="alert" class="error">{error}</p> : <p>Loading…</p>}
        <p><a href="#/duels">All duels</a></p>
      </section>
    );
  }

  const params = { path: { id: duel.id } };
  const other = duel.challengerId === me ? duel.opponentId : duel.challengerId;
  const mine = (duel.scores ?? {})[me] ?? 0;
  const steps = duel.spec.milestones && duel.spec.milestones.length > 0
    ? duel.spec.milestones : Array.from({ length: duel.spec.target }, (_, i) => `Step ${i + 1}`);
  const report = (progress: number) => act(() => api.POST("/api/challenges/duels/{id}/progress", { params, body: { progress } }),
    "Your progress could not be saved");
  const name = (userId: string) => nameOf(friends, userId, me);

  return (
    <section aria-labelledby="duel-title" class="run">
      <p><a href="#/duels">← All duels</a></p>
      <h1 id="duel-title">{duel.spec.title}</h1>
      <p class="muted">You against {name(other)} · {TEMPLATES.find((t) => t.template === duel.spec.template)?.label ?? duel.spec.template}
        {" "}· {duel.durationMinutes} min · <strong data-testid="duel-status">{duel.status}</strong></p>
      {error && <p role="alert" class="error">{error}</p>}

      {duel.status === "invited" && (duel.opponentId === me ? (
        <div class="actions">
          <button type="button" class="primary" disabled={busy}
            onClick={() => void act(() => api.POST("/api/challenges/duels/{id}/accept", { params }), "The duel could not be accepted")}>Accept</button>
          <button type="button" disabled={busy}
            onClick={() => void act(() => api.POST("/api/challenges/duels/{id}/decline", { params }), "The duel could not be declined")}>Decline</button>
        </div>
      ) : (
        <div class="actions">
          <p>Waiting for {name(other)} to accept.</p>
          <button type="button" disabled={busy}
            onClick={() => void act(() => api.POST("/api/challenges/duels/{id}/cancel", { params }), "The invitation could not be withdrawn")}>Withdraw the invitation</button>
        </div>
      ))}
      {duel.status === "active" && duel.endsAt && <Countdown deadline={duel.endsAt} label="Duel ends in" />}

      <div class="card sides" aria-label="Scores" role="group">
        {[me, other].map((side) => (
          <div class="side" key={side} data-testid={side === me ? "my-side" : "their-side"}>
            <span class="title">{name(side)}</span>
            <progress max={duel.spec.target} value={(duel.scores ?? {})[side] ?? 0}
              aria-label={side === me ? "Your progress" : `${name(side)}'s progress`} />
            <span data-testid="score">{(duel.scores ?? {})[side] ?? 0} / {duel.spec.target}</span>
          </div>
        ))}
      </div>

      {duel.status === "active" && (
        <>
          <fieldset class="milestones card">
            <legend>Your steps</legend>
            <ul>
              {steps.map((step, i) => (
                <li key={i}>
                  <label class="check">
                    <input type="checkbox" checked={i < mine} disabled={busy || i < mine}
                      onChange={() => void report(Math.max(mine, i + 1))} />
                    {step}
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
          <button type="button" disabled={busy}
            onClick={() => void act(() => api.POST("/api/challenges/duels/{id}/abandon", { params }), "The duel could not be conceded")}>Concede</button>
        </>
      )}

      {duel.status === "finished" && (
        <div class="card result" role="status" data-testid="duel-result">
          <h2>{duel.winnerId === null || duel.winnerId === undefined ? "A draw" : duel.winnerId === me ? "You won!" : `${name(duel.winnerId)} won`}</h2>
          {duel.reason && <p class="muted">The duel ended: {REASONS[duel.reason] ?? duel.reason}.</p>}
        </div>
      )}
      {["declined", "cancelled", "lapsed"].includes(duel.status) && <p role="status">This invitation was {duel.status}.</p>}
    </section>
  );
}
