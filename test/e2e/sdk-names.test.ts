/**
 * No method or static of the official SDKs is missing from @cosbox/sdk (issue 17 item 1): the
 * prototype and statics of cos-nodejs-sdk-v5, of cos-js-sdk-v5 (loaded in a child process with the
 * few browser globals it reads at load time), and the methods task.js puts on every instance.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import COS from '@cosbox/sdk';

const require = createRequire(import.meta.url);

interface Names {
  prototype: string[];
  statics: string[];
  util: string[];
  instance: string[];
}

/** The names an official SDK class offers, read in a child process (the browser SDK needs a fake window). */
function officialNames(pkg: string, browser: boolean): Names {
  const script = `
    ${browser ? "globalThis.window = globalThis; globalThis.navigator = { userAgent: '' }; globalThis.XMLHttpRequest = function () {}; globalThis.location = { protocol: 'http:' };" : ''}
    const C = require(${JSON.stringify(require.resolve(pkg))});
    const cos = new C({ SecretId: 'a', SecretKey: 'b' });
    console.log(JSON.stringify({
      prototype: Object.getOwnPropertyNames(C.prototype).filter((n) => n !== 'constructor'),
      statics: Object.keys(C),
      util: Object.keys(C.util || {}),
      instance: Object.keys(cos).filter((n) => typeof cos[n] === 'function' && !n.startsWith('_')),
    }));`;
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as Names;
}

const missing = (names: string[], have: (name: string) => boolean) => names.filter((n) => !have(n));
const ours = new COS({ SecretId: 'a', SecretKey: 'b' }) as unknown as Record<string, unknown>;
const hasMethod = (name: string) => typeof ours[name] === 'function';

for (const [pkg, browser] of [
  ['cos-nodejs-sdk-v5', false],
  ['cos-js-sdk-v5', true],
] as const) {
  test(`every method and static of ${pkg} is there`, () => {
    const names = officialNames(pkg, browser);
    assert.ok(names.prototype.length > 80, 'the official prototype was read');
    assert.deepEqual(missing(names.prototype, hasMethod), [], 'prototype methods');
    assert.deepEqual(missing(names.instance, hasMethod), [], 'task methods');
    assert.deepEqual(missing(names.statics, (n) => n in COS), [], 'statics');
    assert.deepEqual(missing(names.util, (n) => typeof (COS.util as Record<string, unknown>)[n] === 'function'), [], 'COS.util');
  });
}
