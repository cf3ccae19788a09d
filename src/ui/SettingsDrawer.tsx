// The settings panel: a column beside the race on wide screens; on narrow ones (styles.css,
// ≤ 820 px) folded away into a drawer that the Settings button of the run controls opens over
// the page, so that the race (readout, loss chart) comes right after the run controls.
import { useEffect, type ReactNode } from 'react';

export interface SettingsDrawerProps {
  /** Open as a drawer (narrow screens only; wide screens always show the column). */
  open: boolean;
  onClose: () => void;
  children: ReactNode;
}

export const SETTINGS_PANEL_ID = 'settings-panel';

export function SettingsDrawer({ open, onClose, children }: SettingsDrawerProps) {
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, onClose]);
  return (
    <>
      <aside id={SETTINGS_PANEL_ID} className={`sidebar${open ? ' open' : ''}`} aria-label="Settings" data-testid="settings-panel">
        <div className="drawer-head">
          <strong>Settings</strong>
          <button type="button" data-testid="settings-close" onClick={onClose}>
            Done
          </button>
        </div>
        {children}
      </aside>
      {open ? <button type="button" className="drawer-backdrop" aria-label="Close the settings" tabIndex={-1} onClick={onClose} /> : null}
    </>
  );
}

/** The button that opens the drawer; shown on narrow screens only. */
export function SettingsToggle({ open, onToggle }: { open: boolean; onToggle: () => void }) {
  return (
    <button type="button" className="settings-toggle" data-testid="settings-toggle" aria-expanded={open} aria-controls={SETTINGS_PANEL_ID} onClick={onToggle}>
      Settings
    </button>
  );
}
