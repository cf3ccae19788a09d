// The "Keys" button and the popover that lists the keyboard shortcuts (keyboard.ts).
import { SHORTCUTS } from './keyboard';

export function ShortcutsHelp({ open, onToggle }: { open: boolean; onToggle: (open: boolean) => void }) {
  return (
    <div className="shortcuts-wrap">
      <button type="button" aria-expanded={open} aria-controls="shortcuts-help" data-testid="shortcuts-button" onClick={() => onToggle(!open)}>
        Keys
      </button>
      {open ? (
        <div id="shortcuts-help" className="shortcuts-pop" role="dialog" aria-label="Keyboard shortcuts" data-testid="shortcuts-help">
          <table>
            <tbody>
              {SHORTCUTS.map((s) => (
                <tr key={s.label}>
                  <td>
                    <kbd>{s.label}</kbd>
                  </td>
                  <td>{s.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" className="link-button" onClick={() => onToggle(false)}>
            Close
          </button>
        </div>
      ) : null}
    </div>
  );
}
