// The page's view of the compute worker: which backend runs, which model is loaded (and where it
// came from, so a backend switch, which restarts the worker, can load it again).
import type { BackendInfo, ModelInfo, ModelSource, Request } from './protocol.js';
import type { WorkerClient } from './worker-client.js';

/** The default model shipped with the site (apps/demo/public/models/default). */
export const DEFAULT_MODEL: ModelSource = {
  kind: 'url',
  base: 'models/default/',
  label: 'bundled tiny GPT (models/default)',
};

/** Shared state of the compute worker for all views. */
export class Session {
  backend?: BackendInfo;
  model?: ModelInfo;
  private source?: ModelSource;
  private ready: Promise<void> = Promise.resolve();
  private loading?: Promise<ModelInfo>;
  onBackend: (info: BackendInfo | undefined, err?: Error) => void = () => undefined;
  private modelListeners: Array<(m: ModelInfo | undefined, err?: Error) => void> = [];
  private progressListeners: Array<
    (p: { what: string; loaded: number; total?: number; cached?: boolean }) => void
  > = [];

  constructor(readonly compute: WorkerClient<Request>) {}

  /** A lower WebGPU binding limit to enforce (`?maxBinding=BYTES`: simulates a small adapter). */
  maxBindingBytes?: number;

  /** Restarts the worker on `backend` and loads the current model again. */
  switchBackend(backend: string): Promise<void> {
    this.compute.restart();
    this.backend = undefined;
    this.model = undefined;
    this.loading = undefined;
    this.onBackend(undefined);
    this.ready = this.compute
      .call<BackendInfo>({
        op: 'init',
        backend,
        base: document.baseURI,
        maxBindingBytes: this.maxBindingBytes,
      })
      .then((info) => {
        this.backend = info;
        this.onBackend(info);
      })
      .catch((e: Error) => {
        this.onBackend(undefined, e);
        throw e;
      });
    if (this.source) void this.load(this.source).catch(() => undefined);
    else this.emitModel(undefined);
    return this.ready.catch(() => undefined);
  }

  /** Calls the worker once it has started. */
  async call<T>(req: Request, onEvent?: (d: any) => void, transfer?: Transferable[]): Promise<T> {
    await this.ready;
    return this.compute.call<T>(req, onEvent, transfer);
  }

  /** Loads a model into the worker (the views then use it). */
  load(source: ModelSource): Promise<ModelInfo> {
    const p = this.call<ModelInfo>({ op: 'load', source }, (ev) => {
      for (const l of this.progressListeners) l(ev);
    }).then(
      (info) => {
        this.source = source;
        if (this.loading === p) this.emitModel(info);
        return info;
      },
      (e: Error) => {
        if (this.loading === p) {
          this.model = undefined;
          for (const l of this.modelListeners) l(undefined, e);
        }
        throw e;
      },
    );
    this.loading = p;
    return p;
  }

  /** The loaded model, loading the bundled default first if none was chosen. */
  ensureModel(): Promise<ModelInfo> {
    if (this.model) return Promise.resolve(this.model);
    return this.loading ?? this.load(DEFAULT_MODEL);
  }

  private emitModel(info: ModelInfo | undefined): void {
    this.model = info;
    for (const l of this.modelListeners) l(info);
  }

  /** Called with the model after every load (or with an error). */
  onModel(fn: (m: ModelInfo | undefined, err?: Error) => void): void {
    this.modelListeners.push(fn);
    if (this.model) fn(this.model);
  }

  /** Called with download progress while a model loads. */
  onProgress(fn: (p: { what: string; loaded: number; total?: number; cached?: boolean }) => void): void {
    this.progressListeners.push(fn);
  }
}
