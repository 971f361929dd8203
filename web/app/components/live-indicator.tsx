import type { LiveState } from '../lib/live';

const TEXT: Record<LiveState, string> = {
  connecting: 'Connecting to live updates…',
  live: 'Live: updates appear as they happen',
  reconnecting: 'Live updates interrupted; reconnecting…',
};

export function LiveIndicator({ state }: { state: LiveState }) {
  return (
    <p className="live" data-state={state} role="status">
      <span className="dot" aria-hidden="true" /> {TEXT[state]}
    </p>
  );
}
