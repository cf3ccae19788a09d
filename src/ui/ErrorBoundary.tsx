// A React error boundary: an exception while rendering the part it wraps shows what failed
// in that place instead of unmounting the whole page (React's default). The rest of the page
// (the controls, the other charts) keeps working; "Try again" renders the part anew.
import { Component, type ErrorInfo, type ReactNode } from 'react';

export interface ErrorBoundaryProps {
  /** What the wrapped part is, for the message: "The loss chart". */
  label: string;
  children: ReactNode;
  /** Extra actions beside "Try again" (the page-level boundary offers a reload). */
  actions?: ReactNode;
}

interface ErrorBoundaryState {
  error: Error | null;
}

/** The message of whatever was thrown (not necessarily an Error), shortened. */
export function thrownMessage(thrown: unknown): string {
  const text = thrown instanceof Error ? thrown.message || thrown.name : String(thrown);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

export class ErrorBoundary extends Component<ErrorBoundaryProps, ErrorBoundaryState> {
  override state: ErrorBoundaryState = { error: null };

  static getDerivedStateFromError(thrown: unknown): ErrorBoundaryState {
    return { error: thrown instanceof Error ? thrown : new Error(thrownMessage(thrown)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    // The stack is for developers; the page shows the message.
    console.error(`${this.props.label} failed to render:`, error, info.componentStack);
  }

  private retry = (): void => this.setState({ error: null });

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <section className="card error-boundary" data-testid="error-boundary" role="alert" aria-label={`${this.props.label}: error`}>
        <div className="banner error">
          <div className="banner-text">
            <strong>{this.props.label} could not be shown.</strong> {thrownMessage(error)}
          </div>
          <button type="button" className="banner-action" data-testid="error-boundary-retry" onClick={this.retry}>
            Try again
          </button>
          {this.props.actions}
        </div>
      </section>
    );
  }
}
