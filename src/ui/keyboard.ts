// The page's keyboard shortcuts: one table from key to action, the help popover lists it.
// A key typed into a field (a setting, the history size) stays in the field.
import { useEffect, useRef } from 'react';
import type { ImportanceMode } from '../contract/settings';

export type ShortcutAction = 'toggleRun' | 'step' | 'reset' | 'help' | { mode: ImportanceMode };

export interface Shortcut {
  /** KeyboardEvent.key values that trigger it (case-insensitive for letters). */
  keys: readonly string[];
  /** How the help shows the key. */
  label: string;
  action: ShortcutAction;
  description: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: [' '], label: 'Space', action: 'toggleRun', description: 'Start or pause' },
  { keys: ['s'], label: 'S', action: 'step', description: 'One step of each run' },
  { keys: ['r'], label: 'R', action: 'reset', description: 'Reset to step 0 (the race goes to the history)' },
  { keys: ['1'], label: '1', action: { mode: 'uniform' }, description: 'Mode: uniform' },
  { keys: ['2'], label: '2', action: { mode: 'importance' }, description: 'Mode: importance' },
  { keys: ['3'], label: '3', action: { mode: 'auto' }, description: 'Mode: auto (sample by score when τ pays)' },
  { keys: ['?'], label: '?', action: 'help', description: 'Show or hide this list' },
];

/** The element kinds where a key belongs to the element, not to the page. */
const TYPING = new Set(['INPUT', 'TEXTAREA', 'SELECT']);

interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  target: EventTarget | null;
}

/** The shortcut a key press means, or null (modifier held, typing in a field, unknown key). */
export function shortcutFor(e: KeyLike): Shortcut | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  const el = e.target as { tagName?: unknown; isContentEditable?: unknown } | null;
  if (el && ((typeof el.tagName === 'string' && TYPING.has(el.tagName)) || el.isContentEditable === true)) return null;
  // Space on a focused button presses the button; the page's Space must not press it twice.
  if (e.key === ' ' && el && el.tagName === 'BUTTON') return null;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  return SHORTCUTS.find((s) => s.keys.includes(key)) ?? null;
}

/** Listens on the window while mounted; `run` is called with each shortcut's action. */
export function useKeyboardShortcuts(run: (action: ShortcutAction) => void, target: Window | null = typeof window === 'undefined' ? null : window): void {
  const runRef = useRef(run);
  useEffect(() => {
    runRef.current = run;
  }, [run]);
  useEffect(() => {
    if (!target) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.repeat) return;
      const s = shortcutFor(e);
      if (!s) return;
      e.preventDefault();
      runRef.current(s.action);
    };
    target.addEventListener('keydown', onKey);
    return () => target.removeEventListener('keydown', onKey);
  }, [target]);
}
