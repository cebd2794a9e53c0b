import { describe, expect, it } from 'vitest';
import { ReviewQueue, shortcutOf, type QueueItem } from './queue-state.js';

const item = (id: string): QueueItem => ({ id, status: 'pending', version: 1, changeType: 'new_structure', priority: 50, areaM2: 20, heightGainM: 3 });

describe('the review queue', () => {
  it('moves within the list and never past its ends', () => {
    const queue = new ReviewQueue([item('1'), item('2'), item('3')]);
    expect(queue.move(-1)).toBe(false);
    expect(queue.move(1)).toBe(true);
    expect(queue.current()?.id).toBe('2');
    expect(queue.peek(1)?.id).toBe('3');
    expect(queue.move(1) && queue.move(1)).toBe(false);
    expect(queue.current()?.id).toBe('3');
  });

  it('keeps a decided candidate with its new status and version, and undoes the latest decision first', () => {
    const queue = new ReviewQueue([item('1'), item('2')]);
    queue.update('1', 'verified', 2);
    queue.recordDecision({ id: '1', version: 2, action: 'verify' });
    queue.recordDecision({ id: '2', version: 3, action: 'schedule' });
    expect(queue.items[0]).toMatchObject({ status: 'verified', version: 2 });
    const last = queue.takeUndo();
    expect(last).toEqual({ id: '2', version: 3, action: 'schedule' });
    queue.restoreUndo(last!);
    expect(queue.takeUndo()?.id).toBe('2');
    expect(queue.takeUndo()?.id).toBe('1');
    expect(queue.takeUndo()).toBeUndefined();
  });

  it('selects a candidate by id, and says when it is not in the list', () => {
    const queue = new ReviewQueue([item('1'), item('2')]);
    expect(queue.select('2')).toBe(true);
    expect(queue.current()?.id).toBe('2');
    expect(queue.select('9')).toBe(false);
    expect(queue.current()?.id).toBe('2');
  });
});

describe('keyboard shortcuts', () => {
  it('maps V R S J K U in either case, and nothing while typing or with a modifier', () => {
    expect(['v', 'R', 's', 'j', 'K', 'u'].map((key) => shortcutOf(key, {}))).toEqual(['verify', 'reject', 'schedule', 'next', 'previous', 'undo']);
    expect(shortcutOf('v', { inField: true })).toBeNull();
    expect(shortcutOf('r', { ctrl: true })).toBeNull();
    expect(shortcutOf('x', {})).toBeNull();
  });
});
