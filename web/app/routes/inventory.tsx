import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { useActionData, useFetcher, useLoaderData } from '@remix-run/react';
import { RouteError } from '../components/route-error';
import { problemText } from '../lib/errors';
import { inventory } from '../lib/inventory.server';
import { formatTime } from '../lib/orders';
import { requireSameOrigin } from '../lib/same-origin.server';
import { requireOperator } from '../lib/session.server';
import type { InventoryItem } from '../lib/types';

const MAX_RESTOCK = 1_000_000;

export const meta: MetaFunction = () => [{ title: 'Inventory · Valerix' }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOperator(request);
  return { items: await inventory.listItems() };
}

export async function action({ request }: ActionFunctionArgs) {
  requireSameOrigin(request);
  await requireOperator(request);
  const form = await request.formData();
  const itemId = String(form.get('item_id') ?? '');
  const quantity = Number(form.get('quantity'));
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_RESTOCK) {
    return { itemId, ok: false as const, message: `Restock a whole number of units from 1 to ${MAX_RESTOCK}.` };
  }
  const result = await inventory.restock(itemId, quantity);
  return result.ok
    ? { itemId, ok: true as const, message: `Added ${quantity}; ${result.item.stock} in stock now.` }
    : { itemId, ok: false as const, message: problemText(result.problem) };
}

export default function Inventory() {
  const { items } = useLoaderData<typeof loader>();
  // Without JavaScript the row forms post the page, and their answer arrives here.
  const posted = useActionData<typeof action>();
  return (
    <main>
      <h1>Inventory</h1>
      <p className="hint">Stock changes only through reservations; stock + reserved = initial + restocked.</p>
      <div className="table-wrap">
        <table className="inventory">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col" className="num">
                In stock
              </th>
              <th scope="col" className="num">
                Reserved
              </th>
              <th scope="col" className="num">
                Initial
              </th>
              <th scope="col" className="num">
                Restocked
              </th>
              <th scope="col">Updated</th>
              <th scope="col">Restock</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <InventoryRow key={item.item_id} item={item} posted={posted?.itemId === item.item_id ? posted : undefined} />
            ))}
          </tbody>
        </table>
      </div>
    </main>
  );
}

type RestockAnswer = Awaited<ReturnType<typeof action>>;

function InventoryRow({ item, posted }: { item: InventoryItem; posted: RestockAnswer | undefined }) {
  // One fetcher per row: restocking one item leaves the others' forms alone.
  const fetcher = useFetcher<typeof action>();
  const busy = fetcher.state !== 'idle';
  const answer = fetcher.data ?? posted;
  return (
    <tr data-item-id={item.item_id}>
      <th scope="row">
        {item.name} <span className="mono small">{item.item_id}</span>
      </th>
      <td className="num" data-testid="stock">
        {item.stock}
      </td>
      <td className="num">{item.reserved}</td>
      <td className="num">{item.initial_stock}</td>
      <td className="num">{item.restocked}</td>
      <td>{formatTime(item.updated_at)}</td>
      <td>
        <fetcher.Form method="post" className="restock">
          <input type="hidden" name="item_id" value={item.item_id} />
          <label htmlFor={`restock-${item.item_id}`} className="visually-hidden">
            Units of {item.name} to add
          </label>
          <input
            id={`restock-${item.item_id}`}
            name="quantity"
            type="number"
            inputMode="numeric"
            min={1}
            max={MAX_RESTOCK}
            defaultValue={10}
            required
          />
          <button type="submit" disabled={busy}>
            {busy ? 'Adding…' : 'Restock'}
          </button>
        </fetcher.Form>
        {answer && (
          <p className={`message ${answer.ok ? 'placed' : 'error'}`} role={answer.ok ? 'status' : 'alert'}>
            {answer.message}
          </p>
        )}
      </td>
    </tr>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
