// The worker's side of WorkerClient: dispatches numbered requests to a handler and sends back
// its events, its result, or its error as { name, message }.
import type { WorkerMessage } from './protocol.js';

type Post = (msg: WorkerMessage, transfer?: Transferable[]) => void;

/** What a handler gets besides its request: a way to stream events and to transfer results. */
export interface RequestContext {
  emit(data: unknown): void;
  /** Marks buffers of the result to transfer instead of copy. */
  transfer(t: Transferable): void;
}

/** Installs `handle` as the worker's message handler. */
export function serve<Req>(handle: (req: Req, ctx: RequestContext) => Promise<unknown>): void {
  const post = (globalThis as unknown as { postMessage: Post }).postMessage.bind(globalThis) as Post;
  globalThis.addEventListener('message', (ev: Event) => {
    const { id, req } = (ev as MessageEvent<{ id: number; req: Req }>).data;
    const transfers: Transferable[] = [];
    const ctx: RequestContext = {
      emit: (data) => post({ id, type: 'event', data }),
      transfer: (t) => transfers.push(t),
    };
    handle(req, ctx).then(
      (data) => post({ id, type: 'result', data }, transfers),
      (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        post({ id, type: 'error', name: e.name || 'Error', message: e.message });
      },
    );
  });
}
