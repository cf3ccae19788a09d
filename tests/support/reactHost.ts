// One React root per test for the jsdom UI tests: a div on document.body that `render` mounts
// into (created on first use, reused after) and `cleanup` unmounts and removes. Importing this
// module also tells React that the tests drive it through act().
import { act, createElement, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { ChartWidthContext } from '../../src/ui/charts/common';
import { ChartRefreshContext } from '../../src/ui/charts/throttle';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

export class TestHost {
  private root: Root | null = null;
  private host: HTMLDivElement | null = null;

  /** Renders `node` inside act() and returns the div it is in. */
  render(node: ReactNode): HTMLDivElement {
    if (!this.host) {
      this.host = document.createElement('div');
      document.body.appendChild(this.host);
    }
    const root = (this.root ??= createRoot(this.host));
    act(() => root.render(node));
    return this.host;
  }

  /** Renders `node` as the page frames its charts: 500 px wide, each batch of points drawn at once (no throttle). */
  renderInChartFrame(node: ReactNode): HTMLDivElement {
    return this.render(createElement(ChartWidthContext.Provider, { value: 500 }, createElement(ChartRefreshContext.Provider, { value: 0 }, node)));
  }

  /** Unmounts the root (a test may do this itself, to see what happens once the page is gone). */
  unmount(): void {
    act(() => this.root?.unmount());
    this.root = null;
  }

  /** Call from afterEach: unmounts the root and takes the div off the page. */
  cleanup(): void {
    this.unmount();
    this.host?.remove();
    this.host = null;
  }
}

/** The element with data-testid `id` inside `el`, or null. */
export const byId = (el: HTMLElement, id: string): HTMLElement | null => el.querySelector<HTMLElement>(`[data-testid="${id}"]`);
