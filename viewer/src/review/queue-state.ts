/**
 * The review queue's state, pure: the candidates in priority order, which one is shown, and the
 * decisions that can be undone. Decisions keep a candidate in the list with its new status, so
 * J/K and undo still find it; the screen fetches and writes, this only keeps track.
 */
export interface QueueItem {
  id: string;
  status: string;
  version: number;
  changeType: string;
  priority: number;
  areaM2: number;
  heightGainM: number | null;
}

export interface UndoEntry {
  id: string;
  /** The candidate's version after the decision: undo (reopen) must send it. */
  version: number;
  action: string;
}

export class ReviewQueue {
  index = 0;
  private readonly undo: UndoEntry[] = [];

  constructor(readonly items: QueueItem[]) {}

  current(): QueueItem | undefined {
    return this.items[this.index];
  }

  /** Moves by `step` (1 next, -1 previous), staying inside the list; returns whether it moved. */
  move(step: 1 | -1): boolean {
    const target = this.index + step;
    if (target < 0 || target >= this.items.length) return false;
    this.index = target;
    return true;
  }

  /** The item `step` places away, to prefetch. */
  peek(step: number): QueueItem | undefined {
    return this.items[this.index + step];
  }

  select(id: string): boolean {
    const at = this.items.findIndex((item) => item.id === id);
    if (at >= 0) this.index = at;
    return at >= 0;
  }

  /** Records the candidate's new state (after a decision, or the fresh state of a 409). */
  update(id: string, status: string, version: number): void {
    const item = this.items.find((i) => i.id === id);
    if (item) Object.assign(item, { status, version });
  }

  recordDecision(entry: UndoEntry): void {
    this.undo.push(entry);
  }

  /** The last decision still to undo, removed from the stack. */
  takeUndo(): UndoEntry | undefined {
    return this.undo.pop();
  }

  /** Puts an undo back when undoing failed, so the reviewer can try again after looking. */
  restoreUndo(entry: UndoEntry): void {
    this.undo.push(entry);
  }
}

export type ShortcutCommand = 'verify' | 'reject' | 'schedule' | 'next' | 'previous' | 'undo';

const KEYS: Record<string, ShortcutCommand> = { v: 'verify', r: 'reject', s: 'schedule', j: 'next', k: 'previous', u: 'undo' };

/** The queue command of a key press; none while typing in a field or with a modifier held. */
export function shortcutOf(key: string, modifiers: { ctrl?: boolean; meta?: boolean; alt?: boolean; inField?: boolean }): ShortcutCommand | null {
  if (modifiers.ctrl || modifiers.meta || modifiers.alt || modifiers.inField) return null;
  return KEYS[key.toLowerCase()] ?? null;
}
