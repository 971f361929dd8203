import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useState } from 'react';
import { RouteError } from '../components/route-error';
import { MAX_LATENCY_MS, describeChaos, rateLabel, readChaosForm, toPercent } from '../lib/chaos-form';
import { problemText } from '../lib/errors';
import { inventory } from '../lib/inventory.server';
import { formatTime } from '../lib/orders';
import { requireSameOrigin } from '../lib/same-origin.server';
import { requireOperator } from '../lib/session.server';
import { CHAOS_RATES, type ChaosRate, type ChaosState } from '../lib/types';

export const meta: MetaFunction = () => [{ title: 'Chaos · Valerix' }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOperator(request);
  return inventory.chaos.get();
}

export async function action({ request }: ActionFunctionArgs) {
  requireSameOrigin(request);
  await requireOperator(request);
  const form = await request.formData();
  const intent = form.get('intent');
  if (intent === 'off') return inventory.chaos.disable();
  // The seed's switch: 5 s on every inventory call.
  if (intent === 'latency-5s') return inventory.chaos.update({ enabled: true, latency: true });
  const parsed = readChaosForm(form);
  if (!parsed.ok)
    return { ok: false as const, problem: { type: 'about:blank', title: 'Invalid settings', status: 400, detail: parsed.error } };
  return inventory.chaos.update(parsed.update);
}

export default function Chaos() {
  const loaded = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting';

  return (
    <main>
      <h1>Chaos</h1>
      <p className="hint">
        Faults injected by the inventory service into its /api/inventory routes, shared by every replica. The admin token stays on the
        dashboard’s server.
      </p>
      {answer && !answer.ok && (
        <p className="message error" role="alert">
          {problemText(answer.problem)}
        </p>
      )}
      {loaded.ok ? (
        <>
          <p className="chaos-state" role="status" data-enabled={loaded.state.enabled}>
            <strong>{describeChaos(loaded.state)}</strong>
            {/* The service reports the epoch for settings never changed. */}
            {new Date(loaded.state.updated_at).getTime() > 0 && <> (changed {formatTime(loaded.state.updated_at)})</>}
          </p>
          {/* Remounted when the settings change, so the fields show what the service holds. */}
          <ChaosForm key={loaded.state.updated_at} state={loaded.state} busy={busy} />
        </>
      ) : (
        <p className="message error" role="alert">
          Chaos settings unavailable: {problemText(loaded.problem)}
        </p>
      )}
    </main>
  );
}

function ChaosForm({ state, busy }: { state: ChaosState; busy: boolean }) {
  // Only the shown numbers are state; the inputs keep their own values, so a form sent without JavaScript is the same.
  const [latencyMs, setLatencyMs] = useState(state.latency_ms);
  const [percent, setPercent] = useState<Record<ChaosRate, number>>(
    () => Object.fromEntries(CHAOS_RATES.map((rate) => [rate, toPercent(state[rate])])) as Record<ChaosRate, number>,
  );
  return (
    <Form method="post" className="chaos-form">
      <div className="field checkbox">
        <input id="chaos-enabled" type="checkbox" name="enabled" defaultChecked={state.enabled} />
        <label htmlFor="chaos-enabled">Chaos enabled</label>
      </div>
      <div className="field">
        <label htmlFor="chaos-latency_ms">Added latency</label>
        <input
          id="chaos-latency_ms"
          type="range"
          name="latency_ms"
          min={0}
          max={MAX_LATENCY_MS}
          step={100}
          defaultValue={state.latency_ms}
          onInput={(event) => setLatencyMs(Number(event.currentTarget.value))}
        />
        <output htmlFor="chaos-latency_ms">{latencyMs} ms</output>
      </div>
      {CHAOS_RATES.map((rate) => (
        <div className="field" key={rate}>
          <label htmlFor={`chaos-${rate}`}>{rateLabel(rate)}</label>
          <input
            id={`chaos-${rate}`}
            type="range"
            name={rate}
            min={0}
            max={100}
            step={5}
            defaultValue={toPercent(state[rate])}
            onInput={(event) => setPercent((current) => ({ ...current, [rate]: Number((event.target as HTMLInputElement).value) }))}
          />
          <output htmlFor={`chaos-${rate}`}>{percent[rate]} %</output>
        </div>
      ))}
      <div className="actions">
        <button type="submit" name="intent" value="apply" disabled={busy}>
          Apply
        </button>
        <button type="submit" name="intent" value="latency-5s" className="secondary" disabled={busy}>
          5 s latency on every call
        </button>
        <button type="submit" name="intent" value="off" className="danger" disabled={busy}>
          Turn chaos off
        </button>
      </div>
    </Form>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
