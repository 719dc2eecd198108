/**
 * `cos.on(name, listener)`, `cos.off(name, listener)`, `cos.emit(name, data)`: the official SDK's
 * small event bus (sdk/event.js). The upload queue emits 'list-update' and, under its older name,
 * 'task-list-update'.
 */

export type Listener = (data: any) => void; // eslint-disable-line @typescript-eslint/no-explicit-any

export class Emitter {
  private readonly listeners = new Map<string, Listener[]>();

  on(name: string, listener: Listener): void {
    const list = this.listeners.get(name) ?? [];
    list.push(listener);
    this.listeners.set(name, list);
  }

  /** Removes every registration of `listener` under `name`. */
  off(name: string, listener: Listener): void {
    const list = this.listeners.get(name);
    if (list) this.listeners.set(name, list.filter((l) => l !== listener));
  }

  /** Calls the listeners registered when it starts, in order; one added meanwhile waits for the next emit. */
  emit(name: string, data?: unknown): void {
    for (const listener of [...(this.listeners.get(name) ?? [])]) listener(data);
  }
}
