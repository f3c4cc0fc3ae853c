// The largest buffer range a webgpu device binds while a function runs: how tests check that no kernel
// binds more than an adapter's maxStorageBufferBindingSize (over it, a kernel reads zeros).

interface BindGroupDescriptor {
  entries: Array<{ resource: { buffer?: { size: number }; size?: number; offset?: number } }>;
}
interface WebgpuBackendLike {
  device: { createBindGroup: (desc: BindGroupDescriptor) => unknown };
}

/** Runs `fn` with `backend`'s (tf.backend() on webgpu) createBindGroup watched; returns its result and the largest binding in bytes. */
export async function largestBinding<T>(
  backend: unknown,
  fn: () => Promise<T>,
): Promise<{ result: T; bytes: number }> {
  const device = (backend as WebgpuBackendLike).device;
  const original = device.createBindGroup;
  let bytes = 0;
  device.createBindGroup = function (this: unknown, desc: BindGroupDescriptor) {
    for (const { resource: r } of desc.entries)
      if (r.buffer) bytes = Math.max(bytes, r.size ?? r.buffer.size - (r.offset ?? 0));
    return original.call(this, desc);
  };
  try {
    return { result: await fn(), bytes };
  } finally {
    device.createBindGroup = original;
  }
}
