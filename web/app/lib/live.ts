import { useCallback, useEffect, useRef, useState } from 'react';
import { useRevalidator } from '@remix-run/react';
import type { OrderEvent } from './types';

/** This app's proxy of the gateway's SSE stream (routes/api.events.ts): the browser only talks to the dashboard. */
export const EVENTS_PATH = '/api/events';

export type LiveState = 'connecting' | 'live' | 'reconnecting';

/** Remembers the newest `limit` event ids: a reconnect or a replay can deliver an event twice. */
export function createEventDeduper(limit = 2000): (eventId: string) => boolean {
  const seen = new Set<string>();
  return (eventId) => {
    if (seen.has(eventId)) return false;
    seen.add(eventId);
    if (seen.size > limit) seen.delete(seen.values().next().value as string);
    return true;
  };
}

export function parseOrderEvent(data: string): OrderEvent | null {
  try {
    const event = JSON.parse(data) as Partial<OrderEvent>;
    const valid =
      typeof event.eventId === 'string' &&
      typeof event.orderId === 'string' &&
      typeof event.status === 'string' &&
      typeof event.version === 'number';
    return valid ? (event as OrderEvent) : null;
  } catch {
    return null;
  }
}

/**
 * Order events, each handled once. `onConnect` runs on every (re)connection: events that
 * happened between the page's loader and the stream opening are only visible by reloading data.
 */
export function useOrderEvents(onEvent: (event: OrderEvent) => void, onConnect?: () => void): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  const handlers = useRef({ onEvent, onConnect });
  useEffect(() => {
    handlers.current = { onEvent, onConnect };
  });
  useEffect(() => {
    const isNew = createEventDeduper();
    // EventSource reconnects by itself, sending Last-Event-ID, which the proxy passes on.
    const source = new EventSource(EVENTS_PATH);
    source.onopen = () => {
      setState('live');
      handlers.current.onConnect?.();
    };
    source.onerror = () => setState('reconnecting');
    source.addEventListener('unavailable', () => setState('reconnecting'));
    source.addEventListener('order', (message) => {
      const event = parseOrderEvent((message as MessageEvent<string>).data);
      if (event && isNew(event.eventId)) handlers.current.onEvent(event);
    });
    return () => source.close();
  }, []);
  return state;
}

/** Re-runs the page's loaders at most once per `ms`, however many events arrive. */
export function useThrottledRevalidate(ms = 500): () => void {
  const revalidator = useRevalidator();
  const revalidate = useRef(revalidator.revalidate);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    revalidate.current = revalidator.revalidate;
  });
  useEffect(() => () => clearTimeout(timer.current), []);
  return useCallback(() => {
    if (timer.current !== undefined) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      revalidate.current();
    }, ms);
  }, [ms]);
}

/**
 * The last value that was not undefined. A loader revalidation (which live events trigger)
 * clears an action's data; what the action answered should stay on screen regardless.
 */
export function useLastDefined<T>(value: T | undefined): T | undefined {
  const [last, setLast] = useState(value);
  useEffect(() => {
    if (value !== undefined) setLast(value);
  }, [value]);
  return value ?? last;
}

/** Re-runs the page's loaders every `ms` while the page is on screen and nothing is loading. */
export function usePolling(ms: number): void {
  const revalidator = useRevalidator();
  const latest = useRef(revalidator);
  useEffect(() => {
    latest.current = revalidator;
  });
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible' && latest.current.state === 'idle') latest.current.revalidate();
    }, ms);
    return () => clearInterval(timer);
  }, [ms]);
}

/**
 * Loads `href` into a fetcher every `ms` while the page is on screen and the previous load has
 * finished (a slow answer delays the next poll instead of piling requests up). The page itself
 * is not reloaded: only the fetcher's data changes.
 */
export function useFetcherPolling(fetcher: { state: string; load: (href: string) => void }, href: string, ms: number): void {
  const latest = useRef(fetcher);
  useEffect(() => {
    latest.current = fetcher;
  });
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible' && latest.current.state === 'idle') latest.current.load(href);
    }, ms);
    return () => clearInterval(timer);
  }, [href, ms]);
}
