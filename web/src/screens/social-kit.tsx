import { useEffect, useRef, useState } from "preact/hooks";
import type { components } from "../api/schema";
import { useServices } from "../context";
import type { Frame } from "../live";

export type Friend = components["schemas"]["SocialUser"];

export const TYPE_LABEL: Record<string, string> = {
  checklist: "checklist", quiz: "quiz", timed_completion: "beat the clock", focus_sprint: "focus sprint",
  puzzle: "puzzle", streak: "streak", custom: "custom", multiplayer: "duel",
};

/** Calls ``handler`` with every live frame while the screen is shown (and again after a reconnection,
 * with no frame, so the screen reads what it may have missed). */
export function useFrames(handler: (frame: Frame | null) => void): void {
  const { live } = useServices();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    const offFrame = live.onFrame((frame) => latest.current(frame));
    const offCatchUp = live.onCatchUp(() => latest.current(null));
    return () => {
      offFrame();
      offCatchUp();
    };
  }, [live]);
}

/** The caller's friends (first 100), for names and pickers; null while loading. */
export function useFriends(): [Friend[] | null, () => Promise<void>] {
  const { api } = useServices();
  const [friends, setFriends] = useState<Friend[] | null>(null);
  const load = async () => {
    const { data } = await api.GET("/api/users/me/friends", { params: { query: { limit: 100 } } });
    setFriends(data?.items ?? []);
  };
  useEffect(() => void load(), [api]);
  return [friends, load];
}

export function nameOf(friends: Friend[] | null, userId: string, me: string | undefined): string {
  if (userId === me) return "You";
  return friends?.find((f) => f.userId === userId)?.displayName ?? `Player ${userId.slice(-6)}`;
}

function left(deadline: string | null | undefined): number {
  return deadline ? Math.max(0, new Date(deadline).getTime() - Date.now()) : 0;
}

/** Milliseconds left until ``deadline``, updated every second. */
export function useTimeLeft(deadline: string | null | undefined): number {
  const [ms, setMs] = useState(() => left(deadline));
  useEffect(() => {
    setMs(left(deadline));
    if (!deadline) return;
    const timer = window.setInterval(() => setMs(left(deadline)), 1000);
    return () => window.clearInterval(timer);
  }, [deadline]);
  return ms;
}

export function clock(ms: number): string {
  const total = Math.ceil(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const mm = String(minutes).padStart(hours ? 2 : 1, "0");
  return `${hours ? `${hours}:` : ""}${mm}:${String(seconds).padStart(2, "0")}`;
}

/** A countdown to a deadline. The visible clock ticks every second; screen readers are told the time left
 * once a minute (a live region updated every second would talk over everything else). */
export function Countdown({ deadline, label }: { deadline: string; label: string }) {
  const ms = useTimeLeft(deadline);
  const spoken = ms === 0 ? "time is up" : `about ${Math.ceil(ms / 60_000)} minutes left`;
  return (
    <p class="countdown" data-testid="countdown">
      <span class="muted">{label}</span>{" "}
      <span role="timer" aria-label={`${label}: ${spoken}`} class={ms < 60_000 ? "clock urgent" : "clock"}>
        {ms === 0 ? "time is up" : clock(ms)}
      </span>
    </p>
  );
}
