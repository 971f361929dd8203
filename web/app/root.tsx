import type { LinksFunction, LoaderFunctionArgs } from '@remix-run/node';
import { Links, Meta, NavLink, Outlet, Scripts, ScrollRestoration, useRouteLoaderData } from '@remix-run/react';
import type { ReactNode } from 'react';
import { RouteError } from './components/route-error';
import { useNonce } from './lib/nonce';
import { isOperator } from './lib/session.server';
import styles from './styles.css?url';

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: styles },
  // No favicon to serve: an empty one saves the browser a 404.
  { rel: 'icon', href: 'data:,' },
];

const NAV = [
  { to: '/', label: 'Overview' },
  { to: '/orders', label: 'Orders' },
  { to: '/inventory', label: 'Inventory' },
  { to: '/chaos', label: 'Chaos' },
  { to: '/demo', label: 'Demo' },
];

/** Only whether someone is logged in, for the header: open, since the login page needs the layout too. */
export async function loader({ request }: LoaderFunctionArgs) {
  return { operator: await isOperator(request) };
}

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  // Undefined when the root loader itself failed: show no navigation then.
  const operator = useRouteLoaderData<typeof loader>('root')?.operator === true;
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Valerix</title>
        <Meta />
        <Links />
      </head>
      <body>
        <header className="site-header">
          <span className="brand">Valerix</span>
          {operator && (
            <>
              <nav aria-label="Main">
                <ul>
                  {NAV.map((item) => (
                    <li key={item.to}>
                      <NavLink to={item.to} end={item.to === '/'}>
                        {item.label}
                      </NavLink>
                    </li>
                  ))}
                </ul>
              </nav>
              {/* A whole-document POST, so no page data outlives the session in the browser. */}
              <form method="post" action="/logout" className="logout">
                <button type="submit" className="secondary">
                  Log out
                </button>
              </form>
            </>
          )}
        </header>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  return <RouteError />;
}
