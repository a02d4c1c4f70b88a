import { useEffect, useState } from 'preact/hooks';
import { forgetKey, storedKey, whenUnauthorized } from './api';
import { AccountPage } from './pages/account';
import { AccountsPage } from './pages/accounts';
import { MessagePage } from './pages/message';
import { OverviewPage } from './pages/overview';
import { SignInPage } from './pages/sign-in';
import { href, type Route, useRoute } from './router';

export function App() {
  const [signedIn, setSignedIn] = useState(() => storedKey() !== null);
  const [expired, setExpired] = useState(false);
  const route = useRoute();
  useEffect(
    () =>
      whenUnauthorized(() => {
        forgetKey();
        setExpired(true);
        setSignedIn(false);
      }),
    [],
  );
  if (!signedIn) {
    return (
      <SignInPage
        expired={expired}
        onSignedIn={() => {
          setExpired(false);
          setSignedIn(true);
        }}
      />
    );
  }
  const signOut = () => {
    forgetKey();
    setSignedIn(false);
  };
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Data Pusher</span>
        <nav aria-label="Main">
          <a href={href.overview()} aria-current={route.page === 'overview' ? 'page' : undefined}>
            Overview
          </a>
          <a href={href.accounts()} aria-current={route.page === 'accounts' || route.page === 'account' ? 'page' : undefined}>
            Accounts
          </a>
          <a href="/docs" target="_blank" rel="noreferrer">
            API docs
          </a>
        </nav>
        <button type="button" class="secondary" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'overview':
      return <OverviewPage />;
    case 'accounts':
      return <AccountsPage />;
    case 'account':
      return <AccountPage accountId={route.accountId} tab={route.tab} />;
    case 'message':
      return <MessagePage messageId={route.messageId} />;
    default:
      return (
        <section>
          <h1>Not found</h1>
          <p>
            Nothing here. Go to the <a href={href.overview()}>overview</a>.
          </p>
        </section>
      );
  }
}
