// The web view's entry: checks the session (/ui/whoami), then shows the navigation and the view the
// URL names. Themes: the system's (prefers-color-scheme) unless the toggle chose one, kept in
// localStorage.

import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { logout, setUnauthorizedHandler, whoami, type WhoAmI } from './api.js';
import { useRoute, href } from './router.js';
import { Login } from './login.js';
import { Fleet } from './fleet.js';
import { Workloads } from './workloads.js';
import { PodPage } from './pod.js';
import { NodePage } from './node-page.js';
import { Pending } from './pending.js';
import { Planner } from './planner.js';
import { Events } from './events.js';

const VIEWS: [string, string][] = [
  ['fleet', 'Fleet'],
  ['workloads', 'Workloads'],
  ['pending', 'Pending'],
  ['events', 'Events'],
  ['planner', 'Planner'],
];

function applyTheme(theme: string): void {
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset['theme'] = theme;
  else delete document.documentElement.dataset['theme'];
}

function ThemeToggle() {
  const [theme, setTheme] = useState(() => localStorage.getItem('tandem-theme') ?? 'system');
  useEffect(() => {
    applyTheme(theme);
    localStorage.setItem('tandem-theme', theme);
  }, [theme]);
  const next = theme === 'system' ? 'dark' : theme === 'dark' ? 'light' : 'system';
  return (
    <button
      type="button"
      class="theme"
      onClick={() => {
        applyTheme(next);
        setTheme(next);
      }}
      aria-label={`Theme: ${theme}. Switch to ${next}`}
    >
      Theme: {theme}
    </button>
  );
}

function View() {
  const route = useRoute();
  const [view, a = '', b = ''] = route.parts;
  useEffect(() => {
    // a view change moves focus to its heading, so keyboard and screen-reader users land on it
    const h = document.querySelector<HTMLElement>('main h1');
    if (h && document.activeElement !== document.body && !h.contains(document.activeElement)) {
      h.tabIndex = -1;
      h.focus();
    }
  }, [route.parts.join('/')]);
  switch (view) {
    case 'workloads':
      return <Workloads route={route} />;
    case 'pods':
      return <PodPage ns={a} name={b} />;
    case 'nodes':
      return <NodePage name={a} />;
    case 'pending':
      return <Pending route={route} />;
    case 'events':
      return <Events route={route} />;
    case 'planner':
      return <Planner route={route} />;
    default:
      return <Fleet route={route} />;
  }
}

function App() {
  const [user, setUser] = useState<WhoAmI | null | undefined>(null); // null: checking
  const check = () => whoami().then(setUser, () => setUser(undefined));
  useEffect(() => {
    setUnauthorizedHandler(() => setUser(undefined));
    void check();
  }, []);
  const route = useRoute();
  if (user === null) return <p class="muted">Checking your session…</p>;
  if (user === undefined) return <Login onDone={() => void check()} />;
  const current = route.parts[0];
  return (
    <>
      <a
        class="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header>
        <strong class="brand">Tandem</strong>
        <nav aria-label="Views">
          <ul>
            {VIEWS.map(([id, label]) => (
              <li key={id}>
                <a href={href([id])} aria-current={current === id ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="user">{user.username}</span>
        <ThemeToggle />
        <button type="button" onClick={() => void logout().finally(() => setUser(undefined))}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <View />
      </main>
    </>
  );
}

applyTheme(localStorage.getItem('tandem-theme') ?? 'system');
const root = document.getElementById('app');
if (root) render(<App />, root);
