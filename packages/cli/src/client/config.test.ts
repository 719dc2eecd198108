import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { configPath, loadSettings, masked, readProfiles, resolveSettings, settingName, writeProfiles } from './config.js';
import { UsageError } from './errors.js';

test('flags beat the environment, the environment beats the profile; empty variables count as unset', () => {
  const profile = { endpoint: 'http://p', region: 'p-region', secret_id: 'p-id', secret_key: 'p-key', token: 'p-token' };
  const env = { COS_ENDPOINT: 'http://e', COS_REGION: '', COS_SECRET_ID: 'e-id', COS_SECURITY_TOKEN: 'e-token' };
  assert.deepEqual(resolveSettings({ secretId: 'f-id' }, env, profile), {
    endpoint: 'http://e',
    region: 'p-region',
    secretId: 'f-id',
    secretKey: 'p-key',
    token: 'e-token',
  });
});

test('profiles round-trip through TOML with mode 0600; the path follows XDG_CONFIG_HOME, else HOME', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cosbox-config-'));
  try {
    assert.equal(configPath({ HOME: '/home/u' }), '/home/u/.config/cosbox/config.toml');
    assert.equal(configPath({ HOME: '/home/u', XDG_CONFIG_HOME: '/x' }), '/x/cosbox/config.toml');
    const path = configPath({ HOME: dir });
    assert.deepEqual(await readProfiles(path), {}, 'no file, no profiles');
    await writeProfiles(path, { default: { region: 'ap-guangzhou' }, 'with "quotes"': { secret_key: 'a"b\\c\nd' } });
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(await readProfiles(path), { default: { region: 'ap-guangzhou' }, 'with "quotes"': { secret_key: 'a"b\\c\nd' } });
    assert.match(await readFile(path, 'utf8'), /\[profiles\.default\]/);

    assert.deepEqual(await loadSettings({}, { HOME: dir }), { region: 'ap-guangzhou' });
    await assert.rejects(loadSettings({ profile: 'missing' }, { HOME: dir }), UsageError);
    await assert.rejects(loadSettings({}, { HOME: dir, COS_PROFILE: 'missing' }), UsageError);

    await writeFile(path, '[profiles.x\nbroken');
    await assert.rejects(readProfiles(path), (e: Error) => e instanceof UsageError && /not valid TOML/.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('setting names and masking', () => {
  assert.equal(settingName('secret-id'), 'secret_id');
  assert.equal(settingName('SECRET_KEY'), 'secret_key');
  assert.throws(() => settingName('password'), UsageError);
  assert.equal(masked('secret_key', 'abcdefghijkl'), '********ijkl');
  assert.equal(masked('token', 'abc'), '****');
  assert.equal(masked('region', 'ap-guangzhou'), 'ap-guangzhou');
});
