/**
 * Access keys and sub-users of a root account, through cosbox's admin API (`/-/admin/...`, signed
 * with the account's key). A new SecretKey is shown once, in a dialog, and kept nowhere.
 */
import type { App } from './app.js';
import { signedFetch } from './session.js';
import { act, clear, confirmAction, dialog, formatDate, h, promptFields, toast } from './ui.js';

interface KeyList {
  uin: string;
  appid: string;
  users: Array<{ uin: string; root: boolean; createdAt: string; keys: Array<{ secretId: string; createdAt: string }> }>;
}

export function readKeys(app: App): Promise<KeyList> {
  return signedFetch(app.credentials, 'GET', '/-/admin/keys').then((r) => r.json() as Promise<KeyList>);
}

export async function keysView(app: App, main: HTMLElement): Promise<void> {
  const body = h('div', {}, 'Loading…');
  clear(
    main,
    h('div', { class: 'toolbar' }, h('h1', {}, 'Access keys'), h('span', { class: 'spacer' }), h('button', { class: 'primary', onclick: () => addSubUser() }, 'Add sub-user')),
    h('p', { class: 'hint' }, 'Key pairs of this root account and of its sub-users. A sub-user may only do what its grants allow (cosbox keys grant).'),
    body,
  );

  async function render(): Promise<void> {
    const list = await act(undefined, () => readKeys(app));
    if (!list) return void clear(body, h('p', { class: 'problem' }, 'Only a root account’s permanent key can manage access keys.'));
    clear(
      body,
      list.users.map((u) =>
        h(
          'section',
          { class: 'account', 'data-uin': u.uin },
          h('div', { class: 'toolbar' }, h('h2', {}, u.root ? `Root account ${u.uin} (appid ${list.appid})` : `Sub-user ${u.uin}`), h('span', { class: 'spacer' }),
            h('button', { onclick: (e: Event) => addKey(u.uin, e.currentTarget as HTMLButtonElement) }, 'Add key'),
            u.root ? null : h('button', { class: 'danger', onclick: (e: Event) => removeUser(u.uin, e.currentTarget as HTMLButtonElement) }, 'Remove sub-user')),
          h('div', { class: 'table-wrap' }, h('table', { class: 'list' }, h('thead', {}, h('tr', {}, h('th', {}, 'SecretId'), h('th', { class: 'wide' }, 'Created'), h('th', {}, ''))),
            h('tbody', {}, u.keys.length === 0 ? h('tr', {}, h('td', { colspan: 3 }, 'No keys.')) : u.keys.map((k) =>
              h('tr', {}, h('td', {}, h('code', {}, k.secretId), k.secretId === app.credentials.secretId ? h('span', { class: 'badge' }, 'this session') : null), h('td', { class: 'wide' }, formatDate(k.createdAt)),
                h('td', { class: 'row-actions' }, h('button', { class: 'danger', disabled: k.secretId === app.credentials.secretId, title: k.secretId === app.credentials.secretId ? 'Signed in with this key' : undefined, onclick: (e: Event) => removeKey(k.secretId, e.currentTarget as HTMLButtonElement) }, 'Remove'))))))),
        ),
      ),
    );
  }

  async function addKey(uin: string, button?: HTMLButtonElement): Promise<void> {
    const created = await act(button, () => signedFetch(app.credentials, 'POST', `/-/admin/users/${uin}/keys`).then((r) => r.json() as Promise<{ secretId: string; secretKey: string; uin: string }>));
    if (!created) return;
    await dialog('New key pair', (done) =>
      h(
        'div',
        { class: 'secret' },
        h('p', {}, `Key pair for ${created.uin}. Copy the SecretKey now: it is shown only this once.`),
        h('label', {}, 'SecretId', h('input', { readonly: true, value: created.secretId, class: 'secret-id' })),
        h('label', {}, 'SecretKey', h('input', { readonly: true, value: created.secretKey, class: 'secret-key' })),
        h('div', { class: 'actions' },
          h('button', { onclick: () => navigator.clipboard.writeText(`${created.secretId}\n${created.secretKey}`).then(() => toast('Copied.'), () => toast('The clipboard is not available: select and copy.', 'error')) }, 'Copy both'),
          h('button', { class: 'primary', autofocus: true, onclick: () => done(undefined) }, 'Done')),
      ),
    );
    void render();
  }

  async function addSubUser(): Promise<void> {
    const v = await promptFields('Add sub-user', [{ name: 'uin', label: 'Sub-user uin', hint: 'A number, like 100000000002.', pattern: '[1-9][0-9]{0,19}' }], 'Add with a key');
    if (v) await addKey(v.uin);
  }

  async function removeKey(secretId: string, button: HTMLButtonElement): Promise<void> {
    if (!(await confirmAction('Remove key', `Remove key ${secretId}? Requests signed with it stop working at once.`, 'Remove key'))) return;
    if (await act(button, () => signedFetch(app.credentials, 'DELETE', `/-/admin/keys/${secretId}`), 'Key removed.')) void render();
  }

  async function removeUser(uin: string, button: HTMLButtonElement): Promise<void> {
    if (!(await confirmAction('Remove sub-user', `Remove sub-user ${uin} with all its keys and grants?`, 'Remove sub-user', uin))) return;
    if (await act(button, () => signedFetch(app.credentials, 'DELETE', `/-/admin/users/${uin}`), `Sub-user ${uin} removed.`)) void render();
  }

  await render();
}
