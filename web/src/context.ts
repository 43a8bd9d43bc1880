import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { components } from "./api/schema";
import type { Live } from "./live";
import type { Api, Session } from "./session";

export type Progress = components["schemas"]["Progress"];

export interface Toast {
  id: number;
  text: string;
  kind: "xp" | "level" | "badge" | "notification" | "info" | "error";
}

export interface AppServices {
  api: Api;
  session: Session;
  live: Live;
  progress: Progress | null;
  reloadProgress: () => Promise<void>;
  /** Read the notification bell's unread count again (after marking notifications read). */
  reloadUnread: () => Promise<void>;
  toast: (text: string, kind?: Toast["kind"]) => void;
  /** The first screen has what it first read: the shell's own reads and the WebSocket may start. */
  firstScreenShown: () => void;
}

export const Services = createContext<AppServices | null>(null);

export function useServices(): AppServices {
  const services = useContext(Services);
  if (!services) throw new Error("useServices outside the signed-in shell");
  return services;
}
