// The page's header: the title, the backend badge, the settings drawer's toggle (narrow
// screens), the keyboard help, Share (the link with every setting) and the CSV/JSON exports.
import { useEffect, useState } from 'react';
import type { EngineStatus } from '../contract/protocol';
import type { Settings } from '../contract/settings';
import { downloadText, fileStamp, metricsToCsv, metricsToJson } from './export';
import type { MetricsSnapshot } from './metricsStore';
import { SettingsToggle } from './SettingsDrawer';
import { copyText, pinBackend, shareLink } from './share';
import { ShortcutsHelp } from './ShortcutsHelp';
import { BackendBadge } from './StatusBar';

export interface TopBarProps {
  status: EngineStatus | null;
  metrics: MetricsSnapshot;
  settings: Settings;
  settingsOpen: boolean;
  onToggleSettings: () => void;
  helpOpen: boolean;
  onHelpOpen: (open: boolean) => void;
}

export function TopBar({ status, metrics, settings, settingsOpen, onToggleSettings, helpOpen, onHelpOpen }: TopBarProps) {
  const [shareState, setShareState] = useState<{ link: string; copied: boolean } | null>(null);
  useEffect(() => {
    if (!shareState) return;
    const t = setTimeout(() => setShareState(null), 8000);
    return () => clearTimeout(t);
  }, [shareState]);
  const onShare = async () => {
    const link = shareLink(pinBackend(settings, status?.backend?.name));
    setShareState({ link, copied: await copyText(link) });
  };
  return (
    <header className="topbar">
      <div className="brand">
        <h1>Importance Sampling Playground</h1>
        <p className="tagline">
          Train on the samples that matter: the method of Katharopoulos &amp; Fleuret (ICML 2018), racing plain uniform
          sampling, live in your browser.
        </p>
      </div>
      <div className="top-actions">
        <BackendBadge status={status} />
        <SettingsToggle open={settingsOpen} onToggle={onToggleSettings} />
        <ShortcutsHelp open={helpOpen} onToggle={onHelpOpen} />
        <div className="share-wrap">
          <button type="button" data-testid="share-button" onClick={onShare}>
            Share
          </button>
          {shareState ? (
            <div className="share-pop" role="status">
              <span>{shareState.copied ? 'Link copied.' : 'Copy this link:'}</span>
              <input readOnly value={shareState.link} aria-label="Share link" data-testid="share-link" onFocus={(e) => e.target.select()} />
            </div>
          ) : null}
        </div>
        <button
          type="button"
          data-testid="export-json"
          onClick={() => downloadText(metricsToJson(metrics, settings, status), `${fileStamp(settings)}.json`, 'application/json')}
        >
          JSON
        </button>
        <button type="button" data-testid="export-csv" onClick={() => downloadText(metricsToCsv(metrics), `${fileStamp(settings)}.csv`, 'text/csv')}>
          CSV
        </button>
      </div>
    </header>
  );
}
