/**
 * The upload task queue of @cosbox/sdk against cosbox (issue 7 item 3; FEATURES §2.5, C321, C331,
 * C335, C364-C371): task ids, getTaskList and its states, list-update events, pause and restart
 * sending only the missing parts, cancel aborting the multipart upload, an upload cut off by a
 * server crash resumed by restartTask on a new server over the same data, FileParallelLimit across
 * separate calls, UploadQueueSize.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import COS, { type COSOptions, type GetAuthorizationOptions, type TaskInfo, type TaskState } from '@cosbox/sdk';
import { bucketName, REGION, SECRET_ID, SECRET_KEY, startHarness, type Harness } from './harness.js';
import { killServerProcesses, startServerProcess } from './process.js';

const MiB = 1024 * 1024;
const Bucket = bucketName('sdkq');
let h: Harness;
let cos: COS;
let dir: string;

const client = (options: COSOptions = {}, port = h.port) =>
  new COS({ SecretId: SECRET_ID, SecretKey: SECRET_KEY, Protocol: 'http:', Ip: `127.0.0.1:${port}`, ...options });

interface Sent {
  method: string;
  query: Record<string, string>;
}

/**
 * A client that signs through getAuthorization, so it sees every request it sends; `beforeSign`
 * may act on one (pause, cancel, kill the server) and the request goes on when it resolves.
 */
function recordingClient(beforeSign: (o: GetAuthorizationOptions) => void | Promise<void>, options: COSOptions = {}, port?: number) {
  const requests: Sent[] = [];
  const recording = client(
    {
      ...options,
      SecretId: '',
      SecretKey: '',
      getAuthorization: (o, callback) => {
        requests.push({ method: o.Method.toUpperCase(), query: o.Query });
        void Promise.resolve(beforeSign(o)).then(() =>
          callback(COS.getAuthorization({ SecretId: SECRET_ID, SecretKey: SECRET_KEY, Method: o.Method, Pathname: o.Pathname, Query: o.Query, Headers: o.Headers })),
        );
      },
    },
    port,
  );
  return { cos: recording, requests };
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
function multipartEtag(data: Buffer, partSize: number): string {
  const hash = createHash('md5');
  for (let i = 0; i < data.length; i += partSize) hash.update(createHash('md5').update(data.subarray(i, i + partSize)).digest());
  return `"${hash.digest('hex')}-${Math.ceil(data.length / partSize)}"`;
}
const partsPut = (requests: Sent[]) => requests.filter((r) => r.method === 'PUT' && r.query.partNumber).map((r) => Number(r.query.partNumber)).sort((a, b) => a - b);

async function file(name: string, data: Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, data);
  return path;
}

/** Resolves with the task list of the first list-update in which task `id` is in `state`. */
function listUpdateWith(c: COS, id: () => string, state: TaskState): Promise<TaskInfo[]> {
  return new Promise((resolve) => {
    const listener = ({ list }: { list: TaskInfo[] }) => {
      if (list.some((t) => t.id === id() && t.state === state)) {
        c.off('list-update', listener);
        resolve(list);
      }
    };
    c.on('list-update', listener);
  });
}

before(async () => {
  h = await startHarness();
  cos = client();
  dir = await mkdtemp(join(tmpdir(), 'cosbox-sdk-queue-'));
  await cos.putBucket({ Bucket, Region: REGION });
});
after(async () => {
  killServerProcesses();
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

describe('tasks', () => {
  test('C335 C331 C365 C366 C370 putObject is a task: its id through onTaskReady and TaskReady, its states in list-update and getTaskList', async () => {
    const c = client();
    const seen: TaskState[] = [];
    const events: string[] = [];
    let id = '';
    let oldId = '';
    c.on('list-update', ({ list }: { list: TaskInfo[] }) => {
      const state = list.find((t) => t.id === id)?.state;
      if (state && seen.at(-1) !== state) seen.push(state);
      events.push('list-update');
    });
    c.on('task-list-update', () => events.push('task-list-update'));
    const body = randomBytes(100_000);
    const done = listUpdateWith(c, () => id, 'success');
    const result = await c.putObject({ Bucket, Region: REGION, Key: 'task/put.bin', Body: body, onTaskReady: (t) => (id = t), TaskReady: (t) => (oldId = t) });
    assert.equal(result.ETag, `"${md5(body)}"`);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(oldId, id);
    await done;
    assert.deepEqual(seen.filter((s) => s !== 'checking'), ['waiting', 'uploading', 'success'].filter((s) => seen.includes(s as TaskState)));
    assert.equal(seen.at(-1), 'success');
    assert.deepEqual(events.slice(0, 2), ['task-list-update', 'list-update'], 'both names, the older first, as the official SDK emits them');
    const [task] = c.getTaskList();
    assert.deepEqual(
      { ...task, speed: 0 },
      { id, Bucket, Region: REGION, Key: 'task/put.bin', FilePath: '', state: 'success', loaded: body.length, size: body.length, speed: 0, percent: 1, hashPercent: 0, error: null },
    );
  });

  test('C335 SkipTask runs outside the queue', async () => {
    const c = client();
    let id = '';
    await c.putObject({ Bucket, Region: REGION, Key: 'task/skip.txt', Body: 'x', SkipTask: true, onTaskReady: (t) => (id = t) });
    assert.equal(id, '');
    assert.deepEqual(c.getTaskList(), []);
  });

  test('C366 a failed upload is a task in state error, with its error', async () => {
    const c = client();
    await assert.rejects(c.putObject({ Bucket: bucketName('missing'), Region: REGION, Key: 'k', Body: 'x' }), { code: 'NoSuchBucket' });
    const [task] = c.getTaskList();
    assert.equal(task.state, 'error');
    assert.equal(task.error?.code, 'NoSuchBucket');
  });

  test('C321 C364 FileParallelLimit caps the uploads running at once across separate putObject calls', async () => {
    const c = client({ FileParallelLimit: 2 });
    const running = (list: TaskInfo[]) => list.filter((t) => t.state === 'checking' || t.state === 'uploading').length;
    const samples: { running: number; waiting: number }[] = [];
    const sample = () => {
      const list = c.getTaskList();
      samples.push({ running: running(list), waiting: list.filter((t) => t.state === 'waiting').length });
    };
    c.on('list-update', sample);
    const bodies = Array.from({ length: 6 }, () => randomBytes(200_000));
    await Promise.all(bodies.map((Body, i) => c.putObject({ Bucket, Region: REGION, Key: `limit/${i}`, Body, onProgress: sample })));
    assert.ok(samples.every((s) => s.running <= 2), JSON.stringify(samples));
    assert.ok(samples.some((s) => s.running === 2), 'two ran at once');
    assert.ok(samples.some((s) => s.waiting > 0), 'the others waited');
    assert.deepEqual(c.getTaskList().map((t) => t.state), Array(6).fill('success'));
  });

  test('UploadQueueSize drops the oldest finished tasks', async () => {
    const c = client({ UploadQueueSize: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) await c.putObject({ Bucket, Region: REGION, Key: `trim/${i}`, Body: 'x', onTaskReady: (id) => ids.push(id) });
    assert.deepEqual(c.getTaskList().map((t) => t.id), ids.slice(2));
  });
});

describe('pause, restart, cancel', () => {
  const data = randomBytes(5 * MiB + 1000);
  let path: string;
  before(async () => {
    path = await file('six-parts.bin', data);
  });

  test('C368 C369 paused midway, restarted: the same upload completes, only the missing parts are sent', async () => {
    const Key = 'pause/file.bin';
    let id = '';
    let paused = false;
    const { cos: c, requests } = recordingClient((o) => {
      if (o.Query.partNumber === '3' && !paused) {
        paused = true;
        c.pauseTask(id);
      }
    });
    const pausedList = listUpdateWith(c, () => id, 'paused');
    const upload = c.sliceUploadFile({ Bucket, Region: REGION, Key, FilePath: path, AsyncLimit: 1, onTaskReady: (t) => (id = t) });
    await pausedList;
    assert.deepEqual(partsPut(requests), [1, 2, 3]);
    const open = await cos.multipartList({ Bucket, Region: REGION, Prefix: Key });
    assert.equal(open.Upload.length, 1, 'the multipart upload stays while paused');
    const onServer = await cos.multipartListPart({ Bucket, Region: REGION, Key, UploadId: open.Upload[0].UploadId });
    assert.deepEqual(onServer.Part.map((p) => p.PartNumber), ['1', '2'], 'part 3 was stopped before it was sent');
    const before = requests.length;

    c.restartTask(id);
    const result = await upload;
    assert.equal(result.ETag, multipartEtag(data, MiB));
    assert.equal((result as { UploadId: string }).UploadId, open.Upload[0].UploadId, 'the same upload');
    assert.deepEqual(partsPut(requests.slice(before)), [3, 4, 5, 6]);
    assert.ok(!requests.slice(before).some((r) => r.query.uploads !== undefined), 'no new upload initiated');
    assert.ok((await cos.getObject({ Bucket, Region: REGION, Key })).Body.equals(data));
    assert.equal(c.getTaskList()[0].state, 'success');
  });

  test('C367 canceled midway: the call fails with AbortError, the task is canceled and its multipart upload aborted', async () => {
    const Key = 'cancel/file.bin';
    let id = '';
    const { cos: c } = recordingClient((o) => {
      if (o.Query.partNumber === '2') c.cancelTask(id);
    });
    const finished: string[] = [];
    await assert.rejects(
      c.uploadFile({ Bucket, Region: REGION, Key, FilePath: path, AsyncLimit: 1, onTaskReady: (t) => (id = t), onFileFinish: (err) => finished.push(err?.code ?? 'ok') }),
      { code: 'AbortError' },
    );
    assert.deepEqual(finished, ['AbortError']);
    assert.equal(c.getTaskList()[0].state, 'canceled');
    // The abort follows once the parts in flight have stopped.
    let uploads = 1;
    for (let i = 0; i < 100 && uploads > 0; i++) {
      uploads = (await cos.multipartList({ Bucket, Region: REGION, Prefix: Key })).Upload.length;
      if (uploads) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(uploads, 0, 'the multipart upload was aborted');
    await assert.rejects(cos.headObject({ Bucket, Region: REGION, Key }), { statusCode: 404 });
    c.restartTask(id);
    assert.equal(c.getTaskList()[0].state, 'canceled', 'a canceled task does not restart');
  });

  test('a waiting task paused and canceled never runs', async () => {
    const c = client({ FileParallelLimit: 1 });
    let first = '';
    let second = '';
    const one = c.sliceUploadFile({ Bucket, Region: REGION, Key: 'wait/1', FilePath: path, onTaskReady: (t) => (first = t) });
    await listUpdateWith(c, () => first, 'uploading');
    const two = c.putObject({ Bucket, Region: REGION, Key: 'wait/2', Body: 'x', onTaskReady: (t) => (second = t) });
    await listUpdateWith(c, () => second, 'waiting');
    c.pauseTask(second);
    assert.equal(c.getTaskList().find((t) => t.id === second)?.state, 'paused');
    c.cancelTask(second);
    await assert.rejects(two, { code: 'AbortError' });
    await one;
    assert.deepEqual(c.getTaskList().map((t) => [t.id, t.state]), [[first, 'success'], [second, 'canceled']]);
    await assert.rejects(cos.headObject({ Bucket, Region: REGION, Key: 'wait/2' }), { statusCode: 404 });
  });
});

describe('crash mid-upload', () => {
  test('C371 the server dies during a part: the task is in error; restartTask against the restarted server sends only the missing parts', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cosbox-sdk-queue-crash-'));
    try {
      const data = randomBytes(6 * MiB);
      const path = await file('crash.bin', data);
      const first = await startServerProcess(dataDir);
      let id = '';
      let killed = false;
      // The server is killed as part 3 is about to go out; the part then finds nobody listening.
      const { cos: c, requests } = recordingClient(
        async (o) => {
          if (o.Query.partNumber === '3' && !killed) {
            killed = true;
            first.child.kill('SIGKILL');
            await first.exited;
          }
        },
        { ChunkRetryTimes: 0 },
        first.port,
      );
      await c.putBucket({ Bucket: 'crash-1250000000', Region: REGION });
      const errored = listUpdateWith(c, () => id, 'error');
      const ends: string[] = [];
      const resumed = new Promise<unknown>((resolve) =>
        c.sliceUploadFile({ Bucket: 'crash-1250000000', Region: REGION, Key: 'big.bin', FilePath: path, AsyncLimit: 1, onTaskReady: (t) => (id = t) }, (err, d) => {
          ends.push(err ? 'error' : 'success');
          if (!err) resolve(d);
        }),
      );
      const list = await errored;
      assert.match(list.find((t) => t.id === id)?.error?.code ?? '', /^ECONN/);
      assert.deepEqual(ends, ['error']);

      const second = await startServerProcess(dataDir);
      c.options.Ip = `127.0.0.1:${second.port}`;
      const before = requests.length;
      c.restartTask(id);
      const result = (await resumed) as { ETag: string };
      assert.deepEqual(ends, ['error', 'success'], 'the callback hears of both ends, as the official SDK calls it');
      assert.equal(result.ETag, multipartEtag(data, MiB));
      assert.deepEqual(partsPut(requests.slice(before)), [3, 4, 5, 6]);
      const got = await client({}, second.port).getObject({ Bucket: 'crash-1250000000', Region: REGION, Key: 'big.bin' });
      assert.ok(got.Body.equals(data));
      second.child.kill('SIGKILL');
      await second.exited;
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
