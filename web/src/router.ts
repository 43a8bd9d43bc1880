import { useEffect, useState } from "preact/hooks";

/** A hash router: `#/today`. Hash routes need no server-side fallback (the emulator's S3 has none). */
export function useRoute(fallback: string): string {
  const read = () => window.location.hash.replace(/^#/, "") || fallback;
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const changed = () => setRoute(read());
    window.addEventListener("hashchange", changed);
    return () => window.removeEventListener("hashchange", changed);
  }, []);
  return route;
}
