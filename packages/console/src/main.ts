/**
 * The cosbox web console: sign-in, then buckets, folders, objects, bucket settings and access keys.
 * Routes live in the location hash (`#/b/<bucket>/<prefix>`), never a secret.
 */
import { parseRoute, type App } from './app.js';
import { bucketsView } from './buckets.js';
import { keysView, readKeys } from './keys.js';
import { objectsView } from './objects.js';
import { forgetCredentials, newClient, storeCredentials, storedCredentials, type Credentials } from './session.js';
import { settingsView } from './settings.js';
import { Uploads } from './uploads.js';
import { act, clear, describeError, h } from './ui.js';

const root = document.getElementById('app')!;

function signInView(problem?: string): void {
  const secretId = h('input', { name: 'secretId', required: true, autocomplete: 'username', autofocus: true, spellcheck: 'false' });
  const secretKey = h('input', { name: 'secretKey', type: 'password', required: true, autocomplete: 'current-password' });
  const token = h('input', { name: 'token', autocomplete: 'off', spellcheck: 'false' });
  const message = h('p', { class: 'problem', role: 'alert' }, problem ?? '');
  const submit = h('button', { class: 'primary', type: 'submit' }, 'Sign in');
  clear(
    root,
    h(
      'main',
      { class: 'signin' },
      h(
        'form',
        {
          onsubmit: async (e: Event) => {
            e.preventDefault();
            const c: Credentials = { secretId: secretId.value.trim(), secretKey: secretKey.value.trim(), securityToken: token.value.trim() || undefined };
            submit.disabled = true;
            message.textContent = '';
            try {
              // A key that may not list buckets still signs correctly: AccessDenied means the key is good.
              await newClient(c).getService({}).catch((error: { code?: string }) => {
                if (error?.code !== 'AccessDenied') throw error;
              });
              storeCredentials(c);
              await start(c);
            } catch (error) {
              message.textContent = describeError(error);
            } finally {
              submit.disabled = false;
            }
          },
        },
        h('h1', {}, 'cosbox console'),
        h('p', { class: 'hint' }, 'Sign in with a SecretId and SecretKey, or a temporary key with its session token. The key is kept in this tab only.'),
        h('label', {}, 'SecretId', secretId),
        h('label', {}, 'SecretKey', secretKey),
        h('label', {}, 'Session token (temporary keys only)', token),
        message,
        h('div', { class: 'actions' }, submit),
      ),
    ),
  );
}

function signOut(): void {
  forgetCredentials();
  location.hash = '';
  location.reload();
}

async function start(credentials: Credentials): Promise<void> {
  const main = h('main', { id: 'main', tabindex: -1 });
  const keysLink = h('a', { href: '#/keys', class: 'nav-keys' }, 'Access keys');
  const app: App = {
    credentials,
    cos: newClient(credentials),
    regions: new Map(),
    isRoot: false,
    defaultRegion: 'ap-guangzhou',
    refresh: () => void route(),
  };
  const uploads = new Uploads(app);
  clear(
    root,
    h('a', { href: '#main', class: 'skip' }, 'Skip to content'),
    h(
      'header',
      { class: 'top' },
      h('a', { href: '#/', class: 'brand' }, 'cosbox'),
      h('nav', { 'aria-label': 'Sections' }, h('a', { href: '#/' }, 'Buckets'), keysLink),
      h('span', { class: 'spacer' }),
      h('span', { class: 'who', title: 'Signed in with this SecretId' }, credentials.secretId.slice(0, 12) + '…'),
      h('button', { onclick: signOut }, 'Sign out'),
    ),
    main,
    uploads.panel,
  );
  // The admin API answers a root account's permanent key only: anything else greys the section out.
  try {
    const keys = await readKeys(app);
    app.isRoot = true;
    app.appid = keys.appid;
  } catch {
    keysLink.setAttribute('aria-disabled', 'true');
    keysLink.classList.add('disabled');
    keysLink.title = 'Only a root account’s permanent key manages access keys.';
  }
  // Regions of the buckets, and the region new buckets get: the one most buckets are in.
  const service = await app.cos.getService({}).catch(() => undefined);
  for (const b of service?.Buckets ?? []) app.regions.set(b.Name, b.Location);
  if (service?.Buckets?.[0]) app.defaultRegion = service.Buckets[0].Location;

  async function route(): Promise<void> {
    const r = parseRoute(location.hash);
    if (r.view === 'b' && r.bucket) await objectsView(app, main, uploads, r.bucket, r.rest ?? '');
    else if (r.view === 's' && r.bucket) await settingsView(app, main, r.bucket, r.rest);
    else if (r.view === 'keys') await keysView(app, main);
    else await bucketsView(app, main);
    // Keyboard users land on the new view, not on the page's top, when the link they used is gone.
    if (!document.activeElement || document.activeElement === document.body) main.focus({ preventScroll: true });
  }
  window.onhashchange = () => void route();
  await route();
}

const saved = storedCredentials();
if (saved) void start(saved).catch((error) => signInView(describeError(error)));
else signInView();
