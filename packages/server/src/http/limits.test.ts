import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { addressKey, ConnectionGuard, defaultMaxConnections, resolveLimits } from './limits.js';

/** Enough of a socket for the guard: an address, destroy() and its close event. */
class FakeSocket extends EventEmitter {
  destroyed = false;
  constructor(readonly remoteAddress: string) {
    super();
  }
  destroy(): this {
    if (!this.destroyed) {
      this.destroyed = true;
      queueMicrotask(() => this.emit('close'));
    }
    return this;
  }
}

function connect(guard: ConnectionGuard, address: string): FakeSocket {
  const socket = new FakeSocket(address);
  guard.admit(socket as unknown as Socket);
  return socket;
}

const open = (sockets: FakeSocket[]) => sockets.filter((s) => !s.destroyed).length;

test('addressKey: IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 by /64', () => {
  assert.equal(addressKey('127.0.0.2'), '127.0.0.2');
  assert.equal(addressKey('::ffff:10.1.2.3'), '10.1.2.3');
  assert.equal(addressKey('2001:db8:0:1:aaaa::1'), '2001:db8:0:1::/64');
  assert.equal(addressKey('2001:0db8:0000:0001:bbbb:cccc:dddd:eeee'), '2001:db8:0:1::/64');
  assert.equal(addressKey('::1'), '0:0:0:0::/64');
  assert.equal(addressKey(undefined), '?');
});

test('resolveLimits: safe defaults, overrides, and nonsense refused', () => {
  const limits = resolveLimits({ maxConnections: 100 });
  assert.equal(limits.headersTimeoutMs, 20_000);
  assert.equal(limits.bodyTimeoutMs, 20_000);
  assert.equal(limits.bodyMinRate, 500);
  assert.equal(limits.maxConnectionsPerAddress, 50);
  assert.equal(resolveLimits({ bodyTimeoutMs: 5 }).bodyTimeoutMs, 5);
  assert.throws(() => resolveLimits({ bodyTimeoutMs: 0 }), /bodyTimeoutMs/);
  assert.throws(() => resolveLimits({ maxConnections: Number.NaN }), /maxConnections/);
  assert.throws(() => resolveLimits({ bodyMinRate: -1 }), /bodyMinRate/);
  assert.equal(defaultMaxConnections(1024), 480, 'half the descriptors of a 1024 limit, less a reserve');
  assert.equal(defaultMaxConnections(Infinity), 10_000);
  assert.equal(defaultMaxConnections(50), 16);
});

test('ConnectionGuard: a per-address share, then displacement of the heaviest address when full', async () => {
  const guard = new ConnectionGuard({ maxConnections: 10, maxConnectionsPerAddress: 8 });
  const flood = Array.from({ length: 12 }, () => connect(guard, '127.0.0.2'));
  await Promise.resolve();
  assert.equal(open(flood), 8, 'one address gets its share, no more');
  assert.equal(guard.refused, 4);

  const other = Array.from({ length: 2 }, () => connect(guard, '127.0.0.3'));
  assert.equal(guard.open, 10, 'full');
  // A newcomer displaces one of the heaviest address's connections.
  const newcomer = connect(guard, '127.0.0.1');
  await Promise.resolve();
  assert.equal(newcomer.destroyed, false);
  assert.equal(open(flood), 7);
  assert.equal(guard.displaced, 1);
  assert.equal(guard.open, 10);

  // Addresses even out: 127.0.0.3 takes places from 127.0.0.2 until it is no longer the lighter by two.
  for (let i = 0; i < 5; i++) other.push(connect(guard, '127.0.0.3'));
  await Promise.resolve();
  assert.equal(open(flood), 5);
  assert.equal(open(other), 4);
  assert.equal(guard.open, 10);
  // Now 5 against 4: the flood's next connection is refused rather than displacing anyone.
  flood.push(connect(guard, '127.0.0.2'));
  await Promise.resolve();
  assert.equal(flood.at(-1)!.destroyed, true);
  assert.equal(guard.open, 10);

  // Closed connections free their places.
  for (const s of other) s.destroy();
  await Promise.resolve();
  assert.equal(guard.open, 6);
});

test('ConnectionGuard: idle connections are displaced before busy ones', async () => {
  const guard = new ConnectionGuard({ maxConnections: 4, maxConnectionsPerAddress: 4 });
  const sockets = Array.from({ length: 4 }, () => connect(guard, '10.0.0.9'));
  const responses = sockets.slice(0, 3).map((s) => {
    const res = new EventEmitter();
    guard.requestStarted(s as unknown as Socket, res as unknown as ServerResponse);
    return res;
  });
  connect(guard, '10.0.0.1');
  await Promise.resolve();
  assert.deepEqual(sockets.map((s) => s.destroyed), [false, false, false, true], 'the idle one goes');
  // A response done makes its connection idle again: it goes next.
  responses[1].emit('close');
  connect(guard, '10.0.0.5');
  await Promise.resolve();
  assert.deepEqual(sockets.map((s) => s.destroyed), [false, true, false, true]);
});
