import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { AppConfig } from "./config";
import { type AppServices, type Progress, Services, type Toast, useServices } from "./context";
import { lazyScreen } from "./lazy";
import { type Frame, Live, type LiveState } from "./live";
import { useRoute } from "./router";
import { AuthScreen } from "./screens/auth";
import { TodayScreen } from "./screens/today";
import { apiClient, retried, Session } from "./session";

// Only Today (the first screen) is in the initial JavaScript; every other screen is a chunk fetched when opened.
const ProgressScreen = lazyScreen(() => import("./screens/progress").then((m) => m.ProgressScreen));
const LeaderboardsScreen = lazyScreen(() => import("./screens/leaderboards").then((m) => m.LeaderboardsScreen));
const ChallengesScreen = lazyScreen(() => import("./screens/challenges").then((m) => m.ChallengesScreen));
const InsightsScreen = lazyScreen(() => import("./screens/insights").then((m) => m.InsightsScreen));
const NotificationsScreen = lazyScreen(() => import("./screens/notifications").then((m) => m.NotificationsScreen));
const ChatScreen = lazyScreen(() => import("./screens/chat").then((m) => m.ChatScreen));
const TasksScreen = lazyScreen(() => import("./screens/tasks").then((m) => m.TasksScreen));
const ProjectsScreen = lazyScreen(() => import("./screens/projects").then((m) => m.ProjectsScreen));
const DuelsScreen = lazyScreen(() => import("./screens/duels").then((m) => m.DuelsScreen));
const FriendsScreen = lazyScreen(() => import("./screens/friends").then((m) => m.FriendsScreen));
const SettingsScreen = lazyScreen(() => import("./screens/settings").then((m) => m.SettingsScreen));

const SCREENS = [
  { path: "/today", label: "Today" },
  { path: "/progress", label: "Progress" },
  { path: "/leaderboards", label: "Leaderboards" },
  { path: "/challenges", label: "Challenges" },
  { path: "/insights", label: "Insights" },
  { path: "/chat", label: "Assistant" },
  { path: "/tasks", label: "Tasks" },
  { path: "/projects", label: "Projects" },
  { path: "/duels", label: "Duels" },
  { path: "/friends", label: "Friends" },
  { path: "/settings", label: "Settings" },
] as const;
const FIRST_READ_GRACE_MS = 2000;
// Routes reached from elsewhere than the nav (the bell opens the notifications).
const ROUTES = [...SCREENS, { path: "/notifications", label: "Notifications" }] as const;

export function App({ config }: { config: AppConfig }) {
  const session = useMemo(() => new Session(config.apiUrl), [config.apiUrl]);
  const api = useMemo(() => apiClient(session), [session]);
  const [signedIn, setSignedIn] = useState(session.signedIn);
  useEffect(() => session.onChange(setSignedIn), [session]);
  if (!signedIn) return <AuthScreen session={session} />;
  return <Shell config={config} session={session} api={api} />;
}

function Shell({ config, session, api }: { config: AppConfig; session: Session; api: AppServices["api"] }) {
  const live = useMemo(() => new Live(config.websocketUrl, session), [config.websocketUrl, session]);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [unread, setUnread] = useState(0);
  const [liveState, setLiveState] = useState<LiveState>("connecting");
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextToast = useRef(1);
  const route = useRoute("/today");

  const toast = useCallback((text: string, kind: Toast["kind"] = "info") => {
    const id = nextToast.current++;
    setToasts((current) => [...current.slice(-3), { id, text, kind }]);
    window.setTimeout(() => setToasts((current) => current.filter((t) => t.id !== id)), 8000);
  }, []);

  const reloadProgress = useCallback(async () => {
    const { data } = await retried(() => api.GET("/api/gamification/me"));
    if (data) setProgress(data);
  }, [api]);

  const reloadUnread = useCallback(async () => {
    const { data } = await api.GET("/api/notifications/unread-count");
    if (data) setUnread(data.unread);
  }, [api]);

  // The first screen's own read reaches the stack alone: the level bar, the unread count and the WebSocket
  // start once Today has its tasks (firstScreenShown), or after FIRST_READ_GRACE_MS, or at once when the first
  // screen is another; on a busy stack they would otherwise compete with it for the same functions.
  const [firstShown, firstScreenShown] = useMemo(() => {
    let resolve = () => {};
    const shown = new Promise<void>((done) => (resolve = done));
    return [shown, () => resolve()] as const;
  }, []);
  const firstRoute = useRef(route);

  useEffect(() => {
    let stopped = false;
    const grace = window.setTimeout(firstScreenShown, firstRoute.current === "/today" ? FIRST_READ_GRACE_MS : 0);
    void firstShown.then(() => {
      if (stopped) return;
      void reloadProgress();
      void reloadUnread();
      live.start();
    });
    const offFrame = live.onFrame((frame) => onFrame(frame, { toast, reloadProgress, reloadUnread }));
    const offState = live.onState(setLiveState);
    const offCatchUp = live.onCatchUp(() => {
      void reloadProgress();
      void reloadUnread();
    });
    return () => {
      stopped = true;
      window.clearTimeout(grace);
      offFrame();
      offState();
      offCatchUp();
      live.stop();
    };
  }, [live, reloadProgress, reloadUnread, toast, firstShown, firstScreenShown]);

  const services: AppServices = { api, session, live, progress, reloadProgress, reloadUnread, toast, firstScreenShown };
  // A screen's own sub-routes (#/challenges/<id>, #/tasks/<id>) belong to it.
  const screen = ROUTES.find((s) => s.path === route || route.startsWith(`${s.path}/`)) ?? SCREENS[0];

  return (
    <Services.Provider value={services}>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <strong class="brand">Deepiri</strong>
        <nav aria-label="Screens">
          {SCREENS.map((s) => (
            <a href={`#${s.path}`} aria-current={s === screen ? "page" : undefined}>{s.label}</a>
          ))}
        </nav>
        <LevelBar progress={progress} />
        <a class="bell" href="#/notifications" aria-label={`Notifications: ${unread} unread`} data-testid="bell"
          aria-current={screen.path === "/notifications" ? "page" : undefined}>
          <svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18">
            <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z" />
          </svg>
          <span class="count">{unread}</span>
        </a>
        <span class={`live live-${liveState}`} data-testid="live-state">{liveState === "open" ? "live" : liveState}</span>
        <SignOut />
      </header>
      <main id="main" tabIndex={-1}>
        {screen.path === "/today" && <TodayScreen />}
        {screen.path === "/progress" && <ProgressScreen />}
        {screen.path === "/leaderboards" && <LeaderboardsScreen />}
        {screen.path === "/challenges" && <ChallengesScreen route={route} />}
        {screen.path === "/insights" && <InsightsScreen />}
        {screen.path === "/chat" && <ChatScreen />}
        {screen.path === "/notifications" && <NotificationsScreen />}
        {screen.path === "/tasks" && <TasksScreen />}
        {screen.path === "/projects" && <ProjectsScreen />}
        {screen.path === "/duels" && <DuelsScreen route={route} />}
        {screen.path === "/friends" && <FriendsScreen />}
        {screen.path === "/settings" && <SettingsScreen />}
      </main>
      <div class="toasts" role="status" aria-live="polite" data-testid="toasts">
        {toasts.map((t) => <div class={`toast toast-${t.kind}`} key={t.id}>{t.text}</div>)}
      </div>
    </Services.Provider>
  );
}

interface FrameActions {
  toast: AppServices["toast"];
  reloadProgress: () => Promise<void>;
  reloadUnread: () => Promise<void>;
}

const SHOWN_BY_THEIR_OWN_FRAME = new Set(["badgeEarned", "levelUp"]);

function onFrame(frame: Frame, { toast, reloadProgress, reloadUnread }: FrameActions): void {
  const data = frame.data ?? {};
  switch (frame.type) {
    case "xp.awarded":
      toast(`+${String(data.amount ?? "?")} XP`, "xp");
      void reloadProgress();
      break;
    case "level.up":
      toast(`Level ${String(data.level ?? "?")}!`, "level");
      void reloadProgress();
      break;
    case "badge.earned":
      toast(`Badge earned: ${String(data.name ?? "")} (${String(data.tier ?? "")})`, "badge");
      void reloadProgress();
      break;
    case "streak.updated":
      void reloadProgress();
      break;
    case "notification":
      // A badge's or a level's notification repeats the badge.earned or level.up frame the user has just
      // been shown: it only moves the unread count, so a burst of frames does not push the XP toast out.
      if (!SHOWN_BY_THEIR_OWN_FRAME.has(String(data.kind ?? ""))) {
        toast(String(data.title ?? "New notification"), "notification");
      }
      void reloadUnread();
      break;
  }
}

export function LevelBar({ progress }: { progress: Progress | null }) {
  if (!progress) return <span class="level" data-testid="level">Level …</span>;
  const percent = Math.round(progress.progress * 100);
  return (
    <span class="level" data-testid="level">
      <span>Level {progress.level}</span>
      <span
        class="bar"
        role="progressbar"
        aria-label="XP towards the next level"
        aria-valuemin={0}
        aria-valuemax={progress.xpForNextLevel}
        aria-valuenow={progress.xpIntoLevel}
        data-testid="xp-bar"
        data-xp={progress.xp}
      >
        <span class="fill" style={{ width: `${percent}%` }} />
      </span>
      <span class="xp">{progress.xp} XP</span>
    </span>
  );
}

function SignOut() {
  const { api, session } = useServices();
  const [busy, setBusy] = useState(false);
  const out = async (everywhere: boolean) => {
    setBusy(true);
    await session.signOut(api, everywhere);
  };
  return (
    <span class="signout">
      <button type="button" disabled={busy} onClick={() => void out(false)}>Sign out</button>
      <button type="button" disabled={busy} onClick={() => void out(true)}>Sign out everywhere</button>
    </span>
  );
}


