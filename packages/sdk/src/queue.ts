/**
 * The upload task queue (FEATURES §2.5; the official SDK's sdk/task.js): every putObject and
 * sliceUploadFile (also those uploadFile and uploadFiles start) is a task with an id, run at most
 * FileParallelLimit at a time per COS instance, in the order added.
 *
 *  - states: waiting -> checking (started) -> uploading (first progress) -> success | error;
 *    paused and canceled by hand. An error leaves the task restartable, as a pause does.
 *  - pauseTask aborts the requests in flight (AbortSignal) and keeps the multipart upload;
 *    restartTask runs the task again, and sliceUploadFile continues the same upload from the parts
 *    the server has, sending only the missing ones.
 *  - cancelTask aborts the requests in flight and the multipart upload, so no parts are left behind.
 *  - the list is announced, coalesced, on 'list-update' and 'task-list-update'; finished tasks
 *    beyond UploadQueueSize are dropped from it, oldest first.
 */
import type { Emitter } from './events.js';
import { abortError, asCosSdkError, CosSdkError } from './errors.js';
import { METHODS } from './methods/index.js';
import { run } from './api.js';
import { checkParams } from './params.js';
import type { ProgressInfo } from './progress.js';
import type { Client } from './request.js';
import { bodyLength, isStreamBody, platform, type RequestBody } from './transport.js';

export type TaskState = 'waiting' | 'checking' | 'uploading' | 'paused' | 'success' | 'error' | 'canceled';

/** A task as getTaskList and the list events report it (the official formatTask). */
export interface TaskInfo {
  id: string;
  Bucket: string;
  Region: string;
  Key: string;
  FilePath: string;
  state: TaskState;
  loaded: number;
  size: number;
  speed: number;
  percent: number;
  hashPercent: number;
  error: CosSdkError | null;
}

export type TaskApi = 'putObject' | 'sliceUploadFile';

/** What a task's multipart upload is, kept across its runs (the official params.UploadData). */
export interface UploadState {
  UploadId?: string;
}

/** The task params of putObject and sliceUploadFile (and of what uploadFile and uploadFiles queue). */
export interface QueuedUploadParams {
  /** Called at once with the id of the upload's task. */
  onTaskReady?: (taskId: string) => void;
  /** Older name of onTaskReady. */
  TaskReady?: (taskId: string) => void;
  /** Run at once, outside the queue, without a task. */
  SkipTask?: boolean;
}

/** The params every queued upload may carry besides its method's own. */
export interface TaskParams extends QueuedUploadParams {
  Bucket: string;
  Region: string;
  Key: string;
  FilePath?: string;
  Body?: unknown;
  ContentLength?: number;
  Signal?: AbortSignal;
  onProgress?: (info: ProgressInfo) => void;
  onHashProgress?: (info: ProgressInfo) => void;
}

/** Runs one attempt of a task's upload; a run may be aborted through `params.Signal`. */
export type TaskRunner = (client: Client, params: TaskParams, upload: UploadState) => Promise<unknown>;

export type TaskCallback = (err: CosSdkError | null, data: unknown) => void;

interface Task extends TaskInfo {
  api: TaskApi;
  params: TaskParams;
  callback: TaskCallback;
  upload: UploadState;
  /** The run in progress; undefined once it ended or was abandoned (pause, cancel). */
  controller?: AbortController;
  /** Settles when the last run has finished its requests: a restart waits for it. */
  finished: Promise<void>;
}

const ACTIVE: ReadonlySet<TaskState> = new Set(['waiting', 'checking', 'uploading']);

function taskInfo(task: Task): TaskInfo {
  const { id, Bucket, Region, Key, FilePath, state, loaded, size, speed, percent, hashPercent, error } = task;
  return { id, Bucket, Region, Key, FilePath, state, loaded, size, speed, percent, hashPercent, error };
}

/** An id in the official SDK's format (8-4-4-4-12 hex), random without needing a secure context. */
function uuid(): string {
  const hex = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A signal aborted when either is (AbortSignal.any, which older browsers lack). */
function eitherSignal(a: AbortSignal, b: AbortSignal | undefined): AbortSignal {
  if (!b) return a;
  const both = new AbortController();
  const abort = () => both.abort();
  if (a.aborted || b.aborted) abort();
  a.addEventListener('abort', abort, { once: true });
  b.addEventListener('abort', abort, { once: true });
  return both.signal;
}

/** The `finished` of a task that never ran. */
const NOTHING_RUNNING: Promise<void> = Promise.resolve();

export class TaskQueue {
  private readonly queue: Task[] = [];
  private readonly tasks = new Map<string, Task>();
  private running = 0;
  /** Tasks before this index are not waiting (official nextUploadIndex). */
  private next = 0;
  private updateTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly client: Client,
    private readonly events: Emitter,
    private readonly runners: Record<TaskApi, TaskRunner>,
  ) {}

  /**
   * Adds an upload; returns its id, which onTaskReady/TaskReady get at once. `callback` is called
   * each time a run of the task ends (again after a restart), and once with an AbortError when the
   * task is canceled. Params the official SDK refuses before queuing, and a FilePath that cannot be
   * read, fail through the callback without a task.
   */
  add(api: TaskApi, input: TaskParams, callback: TaskCallback): string {
    let params: TaskParams;
    let key: string;
    try {
      const checked = checkParams('object', input, this.client.options);
      key = checked.Key!;
      // The run checks the params again and drops a leading '/' then: the Key it gets is the
      // caller's, so that it is dropped once, as getObject drops it (the task list shows the result).
      params = { ...checked, Key: input.Key };
    } catch (e) {
      queueMicrotask(() => callback(asCosSdkError(e), undefined));
      return '';
    }
    const id = uuid();
    params.onTaskReady?.(id);
    params.TaskReady?.(id);
    const task: Task = {
      id,
      Bucket: params.Bucket,
      Region: params.Region,
      Key: key,
      FilePath: params.FilePath ?? '',
      state: 'waiting',
      loaded: 0,
      size: 0,
      speed: 0,
      percent: 0,
      hashPercent: 0,
      error: null,
      api,
      params,
      callback,
      upload: {},
      finished: NOTHING_RUNNING,
    };
    const enqueue = (size: number) => {
      task.size = size;
      this.tasks.set(id, task);
      this.queue.push(task);
      // The caller's Signal cancels the task but keeps its multipart upload (a later call may
      // resume it). A run in progress ends by itself then, with the error naming its UploadId.
      const onAbort = () => task.controller || this.kill(task, 'canceled', false);
      if (params.Signal?.aborted) onAbort();
      else params.Signal?.addEventListener('abort', onAbort, { once: true });
      this.announce();
      this.startNext();
      this.trim();
    };
    // A size known at once (a Buffer, a string, a Blob) queues the task before the call returns, so
    // getTaskList() and isUploadRunning() see it right away, as in the official SDK; a file's size is read first.
    const size = this.sizeNow(api, params);
    if (size !== undefined) enqueue(size);
    else this.sizeOf(params).then(enqueue, (e: unknown) => callback(asCosSdkError(e), undefined));
    return id;
  }

  list(): TaskInfo[] {
    return this.queue.map(taskInfo);
  }

  pause(id: string): void {
    const task = this.tasks.get(id);
    // A stream body cannot be sent again, so its upload cannot be paused (the official SDK refuses too).
    if (task && ACTIVE.has(task.state) && !isStreamBody(task.params.Body as RequestBody)) this.kill(task, 'paused', false);
  }

  cancel(id: string): void {
    const task = this.tasks.get(id);
    if (task && task.state !== 'canceled' && task.state !== 'success') this.kill(task, 'canceled', true);
  }

  restart(id: string): void {
    const task = this.tasks.get(id);
    if (!task || (task.state !== 'paused' && task.state !== 'error')) return;
    if (isStreamBody(task.params.Body as RequestBody) || task.params.Signal?.aborted) return;
    task.state = 'waiting';
    task.error = null;
    this.next = Math.min(this.next, this.queue.indexOf(task));
    this.announce();
    this.startNext();
  }

  /** Whether a task is running or waiting. */
  isUploadRunning(): number | boolean {
    // The official value: the count of running tasks when there are some, else whether some wait.
    return this.running || this.queue.slice(this.next).some((t) => t.state === 'waiting');
  }

  /** The upload's size when it is known without reading anything; undefined for a local file. */
  private sizeNow(api: TaskApi, params: TaskParams): number | undefined {
    if (api === 'sliceUploadFile') {
      if (params.FilePath && platform().files) return undefined;
      return params.Body === undefined ? 0 : (bodyLength(params.Body as RequestBody) ?? 0); // the run reports what is wrong
    }
    if (params.ContentLength !== undefined) return Number(params.ContentLength);
    return params.Body === undefined ? 0 : (bodyLength(params.Body as RequestBody) ?? 0);
  }

  private async sizeOf(params: TaskParams): Promise<number> {
    return (await platform().files!.stat(params.FilePath!)).size;
  }

  private startNext(): void {
    while (this.running < this.client.options.FileParallelLimit) {
      while (this.next < this.queue.length && this.queue[this.next].state !== 'waiting') this.next++;
      if (this.next >= this.queue.length) return;
      this.launch(this.queue[this.next++]);
    }
  }

  private launch(task: Task): void {
    this.running++;
    task.state = 'checking';
    const controller = new AbortController();
    task.controller = controller;
    const current = () => task.controller === controller;
    const { onProgress, onHashProgress } = task.params;
    const params: TaskParams = {
      ...task.params,
      Signal: eitherSignal(controller.signal, task.params.Signal),
      onProgress: (info) => {
        if (!current()) return;
        if (task.state === 'checking') task.state = 'uploading';
        task.loaded = info.loaded;
        task.speed = info.speed;
        task.percent = info.percent;
        onProgress?.(info);
        this.announce();
      },
      onHashProgress: (info) => {
        if (!current()) return;
        task.hashPercent = info.percent;
        onHashProgress?.(info);
        this.announce();
      },
    };
    const previous = task.finished;
    task.finished = (async () => {
      // A restart after a pause waits until the abandoned run has let go of its upload. A first
      // run starts at once: its first progress report (state 'uploading') comes before the call returns.
      if (previous !== NOTHING_RUNNING) await previous;
      let data: unknown;
      let err: CosSdkError | null = null;
      try {
        data = await this.runners[task.api](this.client, params, task.upload);
      } catch (e) {
        err = asCosSdkError(e);
      }
      if (current()) {
        task.controller = undefined;
        this.running--;
        this.finish(task, err, data);
        this.startNext();
      } else if (!err && task.state === 'paused') {
        // Paused as the last request completed: the upload is done all the same.
        this.finish(task, null, data);
      }
    })();
    this.announce();
  }

  private finish(task: Task, err: CosSdkError | null, data: unknown): void {
    task.state = err ? 'error' : 'success';
    task.error = err;
    if (err && task.params.Signal?.aborted) task.state = 'canceled';
    this.announce();
    task.callback(err, data);
    if (!err || task.state === 'canceled') this.release(task);
    this.trim();
  }

  /** A task that will not run again lets go of its body and callbacks (a list of finished tasks may be long). */
  private release(task: Task): void {
    task.params = { Bucket: task.Bucket, Region: task.Region, Key: task.Key };
    task.callback = () => {};
  }

  /** Pauses or cancels a waiting, running, paused or failed task. */
  private kill(task: Task, to: 'paused' | 'canceled', abortUpload: boolean): void {
    if (task.state === 'canceled' || task.state === 'success') return;
    const wasRunning = task.controller !== undefined;
    task.state = to;
    if (wasRunning) {
      task.controller!.abort();
      task.controller = undefined;
      this.running--;
    }
    this.announce();
    if (to === 'canceled') {
      task.callback(Object.assign(abortError(), { message: 'The task was canceled' }), undefined);
      this.release(task);
      if (abortUpload) void this.abortUpload(task);
    }
    this.startNext();
    this.trim();
  }

  /** Aborts a canceled task's multipart upload once its last run has stopped sending parts. */
  private async abortUpload(task: Task): Promise<void> {
    await task.finished;
    const UploadId = task.upload.UploadId;
    if (!UploadId) return;
    await run(this.client, METHODS.multipartAbort, { Bucket: task.Bucket, Region: task.Region, Key: task.Key, UploadId }).catch(() => {
      // Already completed, aborted or unreachable: there is nothing more to do for a canceled task.
    });
  }

  /** Drops finished tasks, oldest first, while the list is longer than UploadQueueSize. */
  private trim(): void {
    const limit = this.client.options.UploadQueueSize;
    for (let i = 0; this.queue.length > limit && i < this.next && i < this.queue.length; ) {
      if (ACTIVE.has(this.queue[i].state)) {
        i++;
        continue;
      }
      this.tasks.delete(this.queue[i].id);
      this.queue.splice(i, 1);
      this.next--;
      this.announce();
    }
  }

  /** 'task-list-update' and 'list-update' with the whole list, once per turn of the event loop. */
  private announce(): void {
    if (this.updateTimer) return;
    this.updateTimer = setTimeout(() => {
      this.updateTimer = undefined;
      this.events.emit('task-list-update', { list: this.list() });
      this.events.emit('list-update', { list: this.list() });
    });
  }
}

const queues = new WeakMap<Client, TaskQueue>();

export function installTaskQueue(client: Client, queue: TaskQueue): void {
  queues.set(client, queue);
}

export function taskQueueOf(client: Client): TaskQueue {
  const queue = queues.get(client);
  if (!queue) throw new Error('no task queue for this client');
  return queue;
}
