/** Where output goes: bars on a terminal's stderr, lines on stdout, JSON untouched by either. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { Output } from './output.js';

/** A stream that records what is written, claiming to be a terminal or not. */
function stream(tty: boolean): NodeJS.WriteStream & { text(): string } {
  let text = '';
  const w = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  }) as unknown as NodeJS.WriteStream & { text(): string };
  Object.assign(w, { isTTY: tty, columns: 120, rows: 40, text: () => text, cursorTo: () => true, moveCursor: () => true, clearLine: () => true, clearScreenDown: () => true });
  return w;
}

test('a terminal on stderr gets the bars; stdout redirected still gets every line, plain', () => {
  const stdout = stream(false);
  const stderr = stream(true);
  const out = new Output({}, stdout, stderr, {});
  assert.equal(out.bars, true);
  const progress = out.startProgress(2, 3 * 1024 * 1024)!;
  const big = progress.file('big', 3 * 1024 * 1024);
  big.update(1024 * 1024);
  out.event({ op: 'upload' }, `${out.c.green('upload')} a -> b`);
  big.finish();
  progress.file('small', 0).finish();
  out.stopProgress();
  assert.equal(stdout.text(), 'upload a -> b\n', 'no colour: stdout is no terminal');
  assert.match(stderr.text(), /100% 3\.0 MiB\/3\.0 MiB .* 2\/2 files/);
});

test('--json: objects on stdout, no bars, no colour; --quiet: no transfer lines, listings still', () => {
  const stdout = stream(true);
  const stderr = stream(true);
  const json = new Output({ json: true }, stdout, stderr, {});
  assert.equal(json.bars, false);
  json.event({ op: 'upload', target: 'cos://b-1/\u001b' }, 'ignored');
  json.failure({ op: 'upload' }, 'upload x', { code: 'NoSuchBucket', message: 'gone', statusCode: 404, RequestId: 'r1' });
  const lines = stdout.text().trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines, [
    { op: 'upload', target: 'cos://b-1/\u001b' },
    { op: 'upload', status: 'error', error: { message: 'gone', code: 'NoSuchBucket', statusCode: 404, requestId: 'r1' } },
  ]);
  assert.equal(stderr.text(), 'cosbox: upload x: NoSuchBucket (404): gone [request id r1]\n');

  const quietOut = stream(true);
  const quiet = new Output({ quiet: true }, quietOut, stream(true), {});
  assert.equal(quiet.bars, false);
  quiet.event({}, 'upload a -> b');
  quiet.record({}, 'cos://b-1/listed');
  assert.equal(quietOut.text(), 'cos://b-1/listed\n');
});

test('colour only on a terminal, and never with NO_COLOR or --no-color', () => {
  assert.equal(new Output({}, stream(true), stream(true), {}).c.green('x'), '\u001b[32mx\u001b[39m');
  assert.equal(new Output({}, stream(true), stream(true), { NO_COLOR: '1' }).c.green('x'), 'x');
  assert.equal(new Output({ color: false }, stream(true), stream(true), {}).c.green('x'), 'x');
  assert.equal(new Output({}, stream(false), stream(false), {}).c.green('x'), 'x');
  assert.equal(new Output({}, stream(false), stream(false), {}).bars, false);
});
