import { useEffect, useState } from "preact/hooks";
import type { components } from "../api/schema";
import { useServices } from "../context";
import { problemText, retried } from "../session";

type Profile = components["schemas"]["MyProfile"];
type Preferences = components["schemas"]["Preferences"];
type Notifications = components["schemas"]["NotificationPreferences"];
type Channels = components["schemas"]["Channels"];
type Privacy = Profile["privacy"];
type Kind = keyof NonNullable<Notifications["kinds"]>;

const PRIVACY: { value: Privacy; label: string }[] = [
  { value: "public", label: "Public: anyone signed in sees my profile" },
  { value: "friends", label: "Friends: only my friends see my profile" },
  { value: "private", label: "Private: nobody sees my profile" },
];
const LOCALES = ["en-GB", "en-US", "fr-FR", "de-DE", "es-ES", "it-IT", "pt-BR", "nl-NL", "pl-PL", "ja-JP", "zh-CN"];
// The kinds a person chooses channels for (password resets and email verification are always sent).
const KINDS: { kind: Kind; label: string }[] = [
  { kind: "taskDueSoon", label: "A task is due soon" }, { kind: "taskOverdue", label: "A task is overdue" },
  { kind: "mention", label: "Someone mentions me" }, { kind: "memberAdded", label: "I am added to a project" },
  { kind: "friendRequested", label: "A friend request" }, { kind: "friendshipAccepted", label: "A friend request accepted" },
  { kind: "duelInvited", label: "A duel invitation" }, { kind: "duelFinished", label: "A duel finished" },
  { kind: "levelUp", label: "I level up" }, { kind: "badgeEarned", label: "I earn a badge" },
  { kind: "streakAtRisk", label: "My streak is at risk" }, { kind: "streakBroken", label: "My streak broke" },
  { kind: "challengeExpired", label: "A challenge ran out of time" },
];
const CHANNELS: { channel: keyof Channels; label: string }[] = [
  { channel: "inApp", label: "In the app" }, { channel: "email", label: "Email" }, { channel: "push", label: "Push" },
];
const HOURS = Array.from({ length: 24 }, (_, h) => h);

function timezones(current: string): string[] {
  const known = Intl.supportedValuesOf("timeZone");
  return ["UTC", ...known.filter((zone) => zone !== "UTC")].concat(known.includes(current) || current === "UTC" ? [] : [current]);
}

/** Settings: profile (name, timezone, day start, locale, privacy), preferences (week start), notification
 * channels per kind with quiet hours and the digest, and signing out everywhere. */
export function SettingsScreen() {
  const { api } = useServices();
  const [profile, setProfile] = useState<Profile | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void retried(() => api.GET("/api/users/me")).then(({ data, error: problem }) =>
      data ? setProfile(data) : setError(problemText(problem, "Your settings could not be loaded")));
  }, [api]);

  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      {error && <p role="alert" class="error">{error}</p>}
      {!profile ? !error && <p>Loading…</p> : (
        <>
          <ProfileForm profile={profile} onSaved={setProfile} />
          <PreferencesForm />
          <NotificationsForm timezone={profile.timezone} />
          <Sessions />
        </>
      )}
    </section>
  );
}

function Saved({ state }: { state: string | null }) {
  return <p role="status" class={state?.startsWith("Saved") ? "ok" : "error"}>{state ?? ""}</p>;
}

function ProfileForm({ profile, onSaved }: { profile: Profile; onSaved: (profile: Profile) => void }) {
  const { api } = useServices();
  const [draft, setDraft] = useState(profile);
  const [state, setState] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof Profile>(key: K, value: Profile[K]) => setDraft((d) => ({ ...d, [key]: value }));

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setState(null);
    const { data, error, response } = await api.PATCH("/api/users/me", {
      body: { version: profile.version, displayName: draft.displayName, timezone: draft.timezone,
        dayStartHour: draft.dayStartHour, locale: draft.locale, privacy: draft.privacy },
    });
    setBusy(false);
    if (data) {
      onSaved(data);
      setDraft(data);
      return setState("Saved.");
    }
    if (response?.status === 412) {
      // Changed in another tab or device: show what is stored now, keep nothing silently.
      const { data: fresh } = await api.GET("/api/users/me");
      if (fresh) {
        onSaved(fresh);
        setDraft(fresh);
      }
      return setState("Your profile changed elsewhere meanwhile: here it is as stored now. Make your change again.");
    }
    setState(problemText(error, "Your profile could not be saved"));
  };

  return (
    <form class="card stack" aria-labelledby="profile-title" onSubmit={(event) => void save(event)}>
      <h2 id="profile-title">Profile</h2>
      <div class="fields">
        <label>Display name
          <input value={draft.displayName} required maxLength={64} onInput={(e) => set("displayName", e.currentTarget.value)} />
        </label>
        <div class="field"><label for="profile-timezone">Timezone</label>
          <select id="profile-timezone" value={draft.timezone} onChange={(e) => set("timezone", e.currentTarget.value)}>
            {timezones(profile.timezone).map((zone) => <option value={zone} key={zone}>{zone.replace(/_/g, " ")}</option>)}
          </select>
        </div>
        <div class="field"><label for="profile-day-start">My day starts at</label>
          <select id="profile-day-start" value={draft.dayStartHour} onChange={(e) => set("dayStartHour", Number(e.currentTarget.value))}>
            {HOURS.map((h) => <option value={h} key={h}>{String(h).padStart(2, "0")}:00</option>)}
          </select>
        </div>
        <div class="field"><label for="profile-locale">Language and region</label>
          <select id="profile-locale" value={draft.locale} onChange={(e) => set("locale", e.currentTarget.value)}>
            {(LOCALES.includes(draft.locale) ? LOCALES : [draft.locale, ...LOCALES]).map((l) => (
              <option value={l} key={l}>{localeName(l)}</option>))}
          </select>
        </div>
      </div>
      <fieldset class="plain">
        <legend>Who sees my profile</legend>
        {PRIVACY.map((p) => (
          <label class="check" key={p.value}>
            <input type="radio" name="privacy" value={p.value} checked={draft.privacy === p.value}
              onChange={() => set("privacy", p.value)} />
            {p.label}
          </label>
        ))}
      </fieldset>
      <button type="submit" class="primary" disabled={busy}>Save profile</button>
      <Saved state={state} />
    </form>
  );
}

function localeName(locale: string): string {
  try {
    return `${new Intl.DisplayNames([locale], { type: "language" }).of(locale) ?? locale} (${locale})`;
  } catch {
    return locale;
  }
}

function PreferencesForm() {
  const { api } = useServices();
  const [preferences, setPreferences] = useState<Preferences | null>(null);
  const [state, setState] = useState<string | null>(null);

  useEffect(() => {
    void retried(() => api.GET("/api/users/me/preferences")).then(({ data }) => setPreferences(data ?? {}));
  }, [api]);

  const save = async (event: Event) => {
    event.preventDefault();
    if (!preferences) return;
    const { data, error } = await api.PUT("/api/users/me/preferences", { body: preferences });
    if (data) setPreferences(data);
    setState(data ? "Saved." : problemText(error, "Your preferences could not be saved"));
  };

  if (!preferences) return <p>Loading…</p>;
  return (
    <form class="card stack" aria-labelledby="prefs-title" onSubmit={(event) => void save(event)}>
      <h2 id="prefs-title">Calendar</h2>
      <div class="field"><label for="week-start">My week starts on</label>
        <select id="week-start" value={preferences.weekStart ?? "monday"}
          onChange={(e) => setPreferences({ ...preferences, weekStart: e.currentTarget.value as Preferences["weekStart"] })}>
          <option value="monday">Monday</option>
          <option value="sunday">Sunday</option>
        </select>
      </div>
      <button type="submit" class="primary">Save calendar</button>
      <Saved state={state} />
    </form>
  );
}

const ALL_ON: Channels = { inApp: true, email: true, push: true };

function NotificationsForm({ timezone }: { timezone: string }) {
  const { api } = useServices();
  const [prefs, setPrefs] = useState<Notifications | null>(null);
  const [state, setState] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void retried(() => api.GET("/api/notifications/preferences")).then(({ data, error }) =>
      data ? setPrefs(data) : setState(problemText(error, "Your notification settings could not be loaded")));
  }, [api]);

  if (!prefs) return state ? <p role="alert" class="error">{state}</p> : <p>Loading…</p>;
  const kinds = prefs.kinds ?? {};
  const channels = (kind: Kind): Channels => ({ ...ALL_ON, ...kinds[kind] });
  const toggle = (kind: Kind, channel: keyof Channels, on: boolean) =>
    setPrefs({ ...prefs, kinds: { ...kinds, [kind]: { ...channels(kind), [channel]: on } } });
  const digest = { enabled: true, hour: 8, ...prefs.digest };
  const quiet = prefs.quietHours ?? null;

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    // The timezone is the account's (changed on the profile): notifications refuse a PUT that differs from
    // the one they learnt, and may not have learnt a change made a moment ago, so it is left out.
    const { timezone: _account, ...chosen } = prefs;
    const body: Notifications = { ...chosen, digest };
    const { data, error } = await api.PUT("/api/notifications/preferences", { body });
    setBusy(false);
    if (data) setPrefs(data);
    setState(data ? "Saved." : problemText(error, "Your notification settings could not be saved"));
  };

  return (
    <form class="card stack" aria-labelledby="notify-title" onSubmit={(event) => void save(event)}>
      <h2 id="notify-title">Notifications</h2>
      <div class="table-scroll">
        <table class="board channels">
          <caption class="visually-hidden">How each kind of notification reaches me</caption>
          <thead><tr><th scope="col">When</th>{CHANNELS.map((c) => <th scope="col" key={c.channel}>{c.label}</th>)}</tr></thead>
          <tbody>
            {KINDS.map((k) => (
              <tr key={k.kind}>
                <th scope="row">{k.label}</th>
                {CHANNELS.map((c) => (
                  <td key={c.channel}>
                    <input type="checkbox" aria-label={`${k.label}: ${c.label}`} checked={channels(k.kind)[c.channel] ?? true}
                      onChange={(e) => toggle(k.kind, c.channel, e.currentTarget.checked)} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <fieldset class="plain">
        <legend>Quiet hours ({timezone})</legend>
        <label class="check">
          <input type="checkbox" checked={quiet !== null}
            onChange={(e) => setPrefs({ ...prefs, quietHours: e.currentTarget.checked ? { start: "22:00", end: "07:00" } : null })} />
          Hold notifications during quiet hours
        </label>
        {quiet && (
          <div class="fields">
            <label>From<input type="time" value={quiet.start} required
              onInput={(e) => setPrefs({ ...prefs, quietHours: { ...quiet, start: e.currentTarget.value } })} /></label>
            <label>To<input type="time" value={quiet.end} required
              onInput={(e) => setPrefs({ ...prefs, quietHours: { ...quiet, end: e.currentTarget.value } })} /></label>
          </div>
        )}
      </fieldset>
      <fieldset class="plain">
        <legend>Daily digest email</legend>
        <label class="check">
          <input type="checkbox" checked={digest.enabled}
            onChange={(e) => setPrefs({ ...prefs, digest: { ...digest, enabled: e.currentTarget.checked } })} />
          Send me one email a day with the less urgent notifications
        </label>
        <div class="field"><label for="digest-hour">At</label>
          <select id="digest-hour" value={digest.hour} disabled={!digest.enabled}
            onChange={(e) => setPrefs({ ...prefs, digest: { ...digest, hour: Number(e.currentTarget.value) } })}>
            {HOURS.map((h) => <option value={h} key={h}>{String(h).padStart(2, "0")}:00</option>)}
          </select>
        </div>
      </fieldset>
      <button type="submit" class="primary" disabled={busy}>Save notifications</button>
      <Saved state={state} />
    </form>
  );
}

function Sessions() {
  const { api, session } = useServices();
  const [busy, setBusy] = useState(false);
  return (
    <div class="card stack">
      <h2>Sessions</h2>
      <p>Signing out everywhere ends every session of yours, on every device, and closes their live connections.</p>
      <button type="button" disabled={busy} onClick={() => {
        setBusy(true);
        void session.signOut(api, true);
      }}>Sign out everywhere<span class="visually-hidden"> (every device)</span></button>
    </div>
  );
}
