// The demo's own typed errors (the packages' errors, e.g. SafetensorsError, pass through as they are).

/** A model folder or file set that cannot be used: missing config.json, unknown keys, wrong sizes. */
export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

/** A tensor bigger than the WebGPU adapter's maxStorageBufferBindingSize (it would read as zeros). */
export class BindingSizeError extends Error {
  override name = 'BindingSizeError';
}

/** A backend that cannot start in this browser. */
export class DemoBackendError extends Error {
  override name = 'DemoBackendError';
}

/** A download from the Hugging Face Hub that failed (offline, 404, ...). */
export class HubDownloadError extends Error {
  override name = 'HubDownloadError';
}
