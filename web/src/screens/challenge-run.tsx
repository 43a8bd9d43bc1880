import { useCallback, useEffect, useState } from "preact/hooks";
import type { components } from "../api/schema";
import { useServices } from "../context";
import { problemText, retried } from "../session";
import { Countdown, TYPE_LABEL, useFrames, useTimeLeft } from "./social-kit";

type Challenge = components["schemas"]["Challenge"];
type Answer = { data?: Challenge; error?: unknown; response?: Response };

const ENDED: Record<string, string> = {
  completed: "Challenge completed", failed: "Challenge failed", expired: "Time ran out",
  abandoned: "You gave up this challenge", cancelled: "Cancelled: its task was deleted",
};
const GRACE_MS = 5_000; // the ledger entry carries the time of ChallengeCompleted, a moment after endedAt

/** One challenge, run from start to result: start it, a countdown to its deadline, milestones to tick, a quiz
 * answered and checked on the server, then the result with the score and the XP it earned. */
export function ChallengeRun({ id }: { id: string }) {
  const { api } = useServices();
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const { data, error: problem } = await retried(() => api.GET("/api/challenges/{id}", { params: { path: { id } } }));
    if (data) setChallenge(data);
    else setError(problemText(problem, "This challenge could not be loaded"));
  }, [api, id]);

  useEffect(() => void load(), [load]);

  /** Run one move; a conflict (the challenge moved elsewhere) reloads it and says so. */
  const move = async (request: () => Promise<Answer>, fallback: string) => {
    setBusy(true);
    setError(null);
    const { data, error: problem, response } = await request();
    setBusy(false);
    if (data) return setChallenge(data);
    setError(problemText(problem, fallback));
    if (response && [409, 412].includes(response.status)) await load();
  };

  if (!challenge) {
    return (
      <section aria-labelledby="run-title">
        <h1 id="run-title">Challenge</h1>
        {error ? <p role="alert" class="error">{error}</p> : <p>Loading…</p>}
        <p><a href="#/challenges">All challenges</a></p>
      </section>
    );
  }

  const params = { path: { id: challenge.id } };
  const version = challenge.version;
  const start = () => move(() => api.POST("/api/challenges/{id}/start", { params, body: { version } }),
    "The challenge could not start");
  const abandon = () => move(() => api.POST("/api/challenges/{id}/abandon", { params, body: { version } }),
    "The challenge could not be given up");
  const tick = (milestone: number, done: boolean) => move(() => api.POST("/api/challenges/{id}/milestones/{milestone}", {
    params: { path: { id: challenge.id, milestone } }, body: { done, version },
  }), "The milestone could not be saved");
  const complete = (answers: number[] | null) => move(() => api.POST("/api/challenges/{id}/complete", {
    params, body: { version, answers },
  }), "The challenge could not be completed");

  const active = challenge.status === "active";
  const quiz = (challenge.questions ?? []).length > 0;
  return (
    <section aria-labelledby="run-title" class="run">
      <p><a href="#/challenges">← All challenges</a></p>
      <h1 id="run-title">{challenge.title}</h1>
      <p>{challenge.description}</p>
      <p class="muted">{TYPE_LABEL[challenge.type] ?? challenge.type} · {challenge.difficulty} · {challenge.pointsReward} points
        {challenge.bonusMultiplier > 1 && <> × {challenge.bonusMultiplier}</>} · {challenge.timeLimitMinutes} min
        {quiz && active && <> · {challenge.attempts - (challenge.attemptsUsed ?? 0)} of {challenge.attempts} attempts left</>}</p>
      {(challenge.hints ?? []).length > 0 && <ul class="reasons" aria-label="Hints">{(challenge.hints ?? []).map((h) => <li>{h}</li>)}</ul>}
      {error && <p role="alert" class="error">{error}</p>}

      {challenge.status === "generated" && (
        <div class="actions">
          <button type="button" class="primary" disabled={busy} onClick={() => void start()}>Start the challenge</button>
          <button type="button" disabled={busy} onClick={() => void abandon()}>Give up</button>
        </div>
      )}
      {active && challenge.expiresAt && <Deadline deadline={challenge.expiresAt} onOver={load} />}
      {(challenge.milestones ?? []).length > 0 && (
        <Milestones challenge={challenge} disabled={!active || busy} onTick={(m, done) => void tick(m, done)} />
      )}
      {active && quiz && <Quiz challenge={challenge} busy={busy} onSubmit={(answers) => void complete(answers)} />}
      {active && (
        <div class="actions">
          {!quiz && <button type="button" class="primary" disabled={busy} onClick={() => void complete(null)}>Complete the challenge</button>}
          <button type="button" disabled={busy} onClick={() => void abandon()}>Give up</button>
        </div>
      )}
      {ENDED[challenge.status] && <Result challenge={challenge} />}
      {challenge.taskId && (
        <p><a href={`#/duels/task/${challenge.taskId}`}>Duel a friend on this task</a></p>
      )}
    </section>
  );
}

function Deadline({ deadline, onOver }: { deadline: string; onOver: () => Promise<void> }) {
  const over = useTimeLeft(deadline) === 0;
  useEffect(() => {
    if (!over) return;
    // The expiry job ends the challenge within seconds of its deadline: read it again then.
    const timer = window.setTimeout(() => void onOver(), 12_000);
    return () => window.clearTimeout(timer);
  }, [over, onOver]);
  return <Countdown deadline={deadline} label="Time left" />;
}

function Milestones({ challenge, disabled, onTick }: {
  challenge: Challenge; disabled: boolean; onTick: (milestone: number, done: boolean) => void;
}) {
  const done = (challenge.milestones ?? []).filter((m) => m.done).length;
  return (
    <fieldset class="milestones card">
      <legend>Milestones: {done} of {(challenge.milestones ?? []).length} done</legend>
      <progress max={(challenge.milestones ?? []).length} value={done} aria-label="Milestones done" />
      <ul>
        {(challenge.milestones ?? []).map((m) => (
          <li key={m.id}>
            <label class="check">
              <input type="checkbox" checked={m.done} disabled={disabled}
                onChange={(e) => onTick(m.id, e.currentTarget.checked)} />
              {m.title}
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}

function Quiz({ challenge, busy, onSubmit }: { challenge: Challenge; busy: boolean; onSubmit: (answers: number[]) => void }) {
  const [answers, setAnswers] = useState<(number | undefined)[]>([]);
  const attempt = challenge.attemptsUsed ?? 0;
  useEffect(() => setAnswers([]), [attempt]); // a failed attempt starts the questions afresh
  const complete = (challenge.questions ?? []).every((_, i) => answers[i] !== undefined);
  const tried = challenge.quizResult;
  const submit = (event: Event) => {
    event.preventDefault();
    if (complete) onSubmit(answers.map((a) => a ?? 0));
  };
  return (
    <form class="quiz" aria-label="Quiz" onSubmit={submit}>
      {tried && !tried.passed && (
        <p role="alert" class="error">{tried.points} of {tried.maxPoints} points: not enough to pass. Try again
          ({challenge.attempts - attempt} {challenge.attempts - attempt === 1 ? "attempt" : "attempts"} left).</p>
      )}
      {(challenge.questions ?? []).map((q, i) => (
        <fieldset class="card" key={`${attempt}-${i}`}>
          <legend>Question {i + 1} ({q.points} points): {q.question}</legend>
          {q.options.map((option, o) => (
            <label class="check option">
              <input type="radio" name={`q${i}-${attempt}`} value={o} checked={answers[i] === o}
                onChange={() => setAnswers((current) => Object.assign([...current], { [i]: o }))} />
              {option}
            </label>
          ))}
        </fieldset>
      ))}
      <button type="submit" class="primary" disabled={busy || !complete}>Submit answers</button>
    </form>
  );
}

function Result({ challenge }: { challenge: Challenge }) {
  const quiz = challenge.quizResult;
  return (
    <div class="card result" role="status" data-testid="result">
      <h2>{ENDED[challenge.status]}</h2>
      {challenge.status === "completed" && <p class="big">Score {challenge.score ?? 0} / 1000</p>}
      {quiz && <p>Quiz: {quiz.points} of {quiz.maxPoints} points, {quiz.passed ? "passed" : "not passed"}</p>}
      {quiz && quiz.correct.length > 0 && (
        <ol class="verdicts">
          {(challenge.questions ?? []).map((q, i) => (
            <li key={i}>{q.question}: <strong class={quiz.correct[i] ? "ok" : "bad"}>{quiz.correct[i] ? "right" : "wrong"}</strong>
              {!quiz.correct[i] && <> (the answer was {q.options[quiz.correctAnswers[i] ?? 0]})</>}</li>
          ))}
        </ol>
      )}
      {challenge.status === "completed" && <XpEarned challenge={challenge} />}
      {challenge.taskCompleted && <p>Its task is done too.</p>}
    </div>
  );
}

/** The XP a completed challenge paid: engagement credits it from ChallengeCompleted, so it is read from the
 * ledger when the screen opens and again whenever an xp.awarded frame for a challenge arrives. */
function XpEarned({ challenge }: { challenge: Challenge }) {
  const { api } = useServices();
  const [xp, setXp] = useState<number | null>(null);
  const ended = new Date(challenge.endedAt ?? challenge.createdAt).getTime();

  const read = useCallback(async () => {
    const { data } = await api.GET("/api/gamification/ledger", { params: { query: { currency: "xp", limit: 20 } } });
    const entry = data?.items
      .filter((e) => e.reason === "ChallengeCompleted" && new Date(e.at).getTime() >= ended - GRACE_MS)
      .sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime())[0];
    if (entry) setXp(entry.amount);
  }, [api, ended]);

  useEffect(() => void read(), [read]);
  useFrames((frame) => {
    if (xp === null && (!frame || (frame.type === "xp.awarded" && frame.data?.reason === "ChallengeCompleted"))) void read();
  });

  return (
    <p class="big" data-testid="xp-earned">
      {xp === null ? <span class="muted">XP on its way…</span> : <>+{xp} XP earned</>}
    </p>
  );
}
