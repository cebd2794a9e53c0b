/**
 * Hash routes (#/queue, #/map, #/candidate/12, #/schedule): each screen is one module registered
 * here with its pattern, the roles that may open it, and optionally a navigation label, so later
 * screens (uploads, villages, reports) plug in with one register() call.
 */
import type { Role } from './api/client.js';
import type { MessageKey } from './i18n/zh.js';

export interface ScreenContext {
  /** Named parts of the pattern, e.g. { id: '12' } for #/candidate/:id. */
  params: Record<string, string>;
  role: Role;
}

/** A mounted screen; dispose() is called when the route changes (remove listeners, maps). */
export interface Mounted { dispose?: () => void }

export interface Screen {
  /** e.g. '/candidate/:id' */
  pattern: string;
  roles: readonly Role[];
  /** Shown in the navigation bar when set. */
  nav?: MessageKey;
  mount: (root: HTMLElement, context: ScreenContext) => Mounted | void | Promise<Mounted | void>;
}

const screens: Screen[] = [];

export function register(screen: Screen): void {
  screens.push(screen);
}

export const registeredScreens = (): readonly Screen[] => screens;

export const canOpen = (screen: Screen, role: Role): boolean => role === 'admin' || screen.roles.includes(role);

/** The screen and its params for a hash path like '/candidate/12'; null when none matches. */
export function match(path: string): { screen: Screen; params: Record<string, string> } | null {
  const parts = path.split('/').filter(Boolean);
  for (const screen of screens) {
    const pattern = screen.pattern.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    if (pattern.every((p, i) => (p.startsWith(':') ? ((params[p.slice(1)] = decodeURIComponent(parts[i]!)), true) : p === parts[i]))) {
      return { screen, params };
    }
  }
  return null;
}

export const currentPath = (): string => location.hash.replace(/^#/, '') || '/';

export function navigate(path: string): void {
  location.hash = `#${path}`;
}
