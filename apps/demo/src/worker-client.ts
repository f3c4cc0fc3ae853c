// The page's side of a worker: numbered requests, streamed events, one result or typed error each.
import type { WorkerMessage } from './protocol.js';

/** An error raised in a worker, carrying the worker-side class name (e.g. 'SafetensorsError'). */
export class WorkerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onEvent?: (data: unknown) => void;
}

/** Wraps a Worker in promise-returning `call`s. */
export class WorkerClient<Req extends { op: string }> {
  private worker: Worker;
  private nextId = 1;
  private pending = new Map<number, Pending>();

  constructor(private readonly make: () => Worker) {
    this.worker = this.start();
  }

  private start(): Worker {
    const w = this.make();
    w.onmessage = (ev: MessageEvent<WorkerMessage>) => {
      const msg = ev.data;
      const p = this.pending.get(msg.id);
      if (!p) return;
      if (msg.type === 'event') p.onEvent?.(msg.data);
      else {
        this.pending.delete(msg.id);
        if (msg.type === 'result') p.resolve(msg.data);
        else p.reject(new WorkerError(msg.name, msg.message));
      }
    };
    w.onerror = (ev) => {
      ev.preventDefault();
      this.failAll(new WorkerError('WorkerCrash', ev.message || 'the worker stopped'));
    };
    return w;
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /** Sends a request; `onEvent` gets the streamed events; resolves with the result. */
  call<T = unknown>(req: Req, onEvent?: (data: any) => void, transfer: Transferable[] = []): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onEvent });
      this.worker.postMessage({ id, req }, transfer);
    });
  }

  /** Sends a request without waiting (pause, resume, cancel). */
  send(req: Req): void {
    this.call(req).catch(() => undefined);
  }

  /** Kills the worker (a hard cancel) and starts a fresh one. */
  restart(): void {
    this.worker.terminate();
    this.failAll(new WorkerError('Cancelled', 'the worker was restarted'));
    this.worker = this.start();
  }
}
