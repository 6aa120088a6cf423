/**
 * Dashboard sign-in when `server.apiKeys` is set. A browser's EventSource cannot send an
 * Authorization header, so the page proves a key once (POST /ui/session with a Bearer header)
 * and gets an opaque, random, HttpOnly cookie scoped to /ui in return. The key itself is never
 * stored, logged or put in a URL; sessions expire after a while and live in memory only.
 */
import { randomBytes } from 'node:crypto';

export const SESSION_COOKIE = 'freeway_ui';
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const MAX_SESSIONS = 1000;

export interface DashboardSessions {
  /** A new session token (call only after the key was checked). */
  issue(): { token: string; cookie: string };
  /** Whether the request's Cookie header carries a live session. */
  isValid(cookieHeader: string | undefined): boolean;
}

export function createDashboardSessions(now: () => number = Date.now): DashboardSessions {
  const sessions = new Map<string, number>();
  return {
    issue() {
      const token = randomBytes(32).toString('base64url');
      sessions.set(token, now() + SESSION_TTL_MS);
      // The oldest session goes first when too many pile up.
      if (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value as string);
      const cookie = `${SESSION_COOKIE}=${token}; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_MS / 1000}`;
      return { token, cookie };
    },
    isValid(cookieHeader) {
      const token = readCookie(cookieHeader, SESSION_COOKIE);
      if (!token) return false;
      const expires = sessions.get(token);
      if (expires === undefined) return false;
      if (expires <= now()) {
        sessions.delete(token);
        return false;
      }
      return true;
    },
  };
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
