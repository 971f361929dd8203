import { redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { RouteError } from '../components/route-error';
import { logIn } from '../lib/login.server';
import { isOperator, safeRedirect } from '../lib/session.server';

export const meta: MetaFunction = () => [{ title: 'Log in · Valerix' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const redirectTo = safeRedirect(new URL(request.url).searchParams.get('redirectTo'));
  if (await isOperator(request)) throw redirect(redirectTo);
  return { redirectTo };
}

export const action = ({ request }: ActionFunctionArgs) => logIn(request);

/** A page takes headers only from here: this is how the throttle's Retry-After reaches the browser. */
export const headers: HeadersFunction = ({ actionHeaders }) => actionHeaders;

export default function Login() {
  const { redirectTo } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const busy = useNavigation().state !== 'idle';
  return (
    <main>
      <h1>Log in</h1>
      <Form method="post" className="login-form">
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <div className="field">
          <label htmlFor="password">Operator password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required />
        </div>
        {answer && (
          <p className="message error" role="alert">
            {answer.error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </Form>
      <p className="hint">
        The password is the dashboard’s <code>DASHBOARD_PASSWORD</code>; <code>npm start</code> keeps it in <code>.data/secrets.json</code>.
      </p>
    </main>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
