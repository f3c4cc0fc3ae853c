// WebGPU in Node through the optional `webgpu` package (Dawn; its prebuilt dawn.node ships inside the
// package): Metal on macOS, D3D12 on Windows, Vulkan on Linux, and Mesa's OpenGL ES driver as a software
// fallback (docs/platform-notes.md). tfjs-backend-webgpu's own factory asks `navigator.gpu` for a core adapter,
// which Node lacks and Mesa's GLES (compatibility only) cannot give, so the backend is registered here
// with a device made from the adapter chosen, created with the adapter's real limits.
import * as tf from '@tensorflow/tfjs';
import { BackendError } from './errors.js';

/** The adapter a webgpu backend runs on. */
export interface WebgpuAdapterChoice {
  /** A readable name: device and description (e.g. "llvmpipe-..., OpenGL ES 3.2 Mesa 22.3.6"). */
  name: string;
  /** A software rasteriser (Mesa llvmpipe/softpipe, SwiftShader, lavapipe, WARP): used only when named. */
  software: boolean;
  /** The device's maxStorageBufferBindingSize, bytes. */
  maxBinding: number;
}

interface GpuAdapterLike {
  info?: Record<string, unknown>;
  isFallbackAdapter?: boolean;
  limits: Record<string, number>;
  requestDevice(desc: unknown): Promise<unknown>;
}
interface GpuLike {
  requestAdapter(opts?: unknown): Promise<GpuAdapterLike | null>;
}
type DawnModule = { create(flags: string[]): GpuLike; globals: Record<string, unknown> };

const SOFTWARE = /llvmpipe|softpipe|swiftshader|lavapipe|software|basic render|warp/i;

/** The adapter's name, from the fields Dawn and browsers fill (vendor/architecture are often empty). */
export function adapterName(info: Record<string, unknown> | undefined): string {
  const parts = ['device', 'description', 'vendor', 'architecture']
    .map((k) => String(info?.[k] ?? '').trim())
    .filter((s, i, all) => s && all.indexOf(s) === i);
  return parts.join(', ') || 'unnamed adapter';
}

/** True for software rasterisers, by the adapter's fallback flag or its name. */
export function isSoftwareAdapter(adapter: Pick<GpuAdapterLike, 'info' | 'isFallbackAdapter'>): boolean {
  return (
    adapter.isFallbackAdapter === true ||
    adapter.info?.isFallbackAdapter === true ||
    SOFTWARE.test(adapterName(adapter.info))
  );
}

/** The limits tfjs-backend-webgpu reads, asked at the adapter's real values (defaults are lower: 128 MiB). */
const LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
  'maxStorageBuffersPerShaderStage',
] as const;

// The Dawn instances stay referenced while their backend lives: dropping one loses the device.
let instances: GpuLike[] = [];

/** Drops the Dawn instances (Node does not exit while one is referenced) after removing the backend. */
export function releaseDawn(): void {
  if (instances.length === 0) return;
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  instances = [];
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (nav?.gpu) Object.defineProperty(nav, 'gpu', { value: undefined, configurable: true });
}

async function importDawn(): Promise<DawnModule> {
  try {
    return (await import(/* @vite-ignore */ /* webpackIgnore: true */ 'webgpu' as string)) as DawnModule;
  } catch (err) {
    throw new BackendError(
      `backend 'webgpu' needs the optional 'webgpu' package (Dawn) in Node: ${firstLine(err)}`,
    );
  }
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0];
}

/**
 * Finds a WebGPU adapter in Node and registers tfjs's 'webgpu' backend on it. Hardware first (Dawn's
 * native API, core then compatibility), then, when `allowSoftware`, Mesa's OpenGL ES driver.
 * Throws BackendError with the reason for each adapter tried or refused.
 */
export async function registerDawnWebgpu(allowSoftware: boolean): Promise<WebgpuAdapterChoice> {
  const dawn = await importDawn();
  Object.assign(globalThis, dawn.globals); // GPUBufferUsage, GPUMapMode, ... that tfjs reads as globals
  const reasons: string[] = [];
  const attempts: Array<{ flags: string[]; featureLevel: string; label: string }> = [];
  // On Linux without a Vulkan loader Dawn has no native adapter (and prints a warning for trying).
  if (process.platform !== 'linux' || (await hasVulkanLoader())) {
    attempts.push({ flags: [], featureLevel: 'core', label: 'native' });
    attempts.push({ flags: [], featureLevel: 'compatibility', label: 'native (compatibility)' });
  } else reasons.push('no Vulkan loader (libvulkan.so.1)');
  if (allowSoftware && process.platform === 'linux') {
    // Mesa's GLES through EGL without a display (docs/platform-notes.md)
    process.env.EGL_PLATFORM ??= 'surfaceless';
    attempts.push({ flags: ['backend=opengles'], featureLevel: 'compatibility', label: 'OpenGL ES' });
  }
  for (const a of attempts) {
    let gpu: GpuLike;
    let adapter: GpuAdapterLike | null;
    try {
      gpu = dawn.create(a.flags);
      adapter = await gpu.requestAdapter({
        featureLevel: a.featureLevel,
        powerPreference: 'high-performance',
      });
    } catch (err) {
      reasons.push(`${a.label}: ${firstLine(err)}`);
      continue;
    }
    if (!adapter) {
      reasons.push(`${a.label}: no adapter`);
      continue;
    }
    const name = adapterName(adapter.info);
    const software = isSoftwareAdapter(adapter);
    if (software && !allowSoftware) {
      reasons.push(`${a.label}: ${name} is a software adapter (ask for 'webgpu' by name to use it)`);
      continue;
    }
    const requiredLimits: Record<string, number> = {};
    for (const k of LIMITS) if (typeof adapter.limits[k] === 'number') requiredLimits[k] = adapter.limits[k];
    const device = (await adapter.requestDevice({ requiredLimits })) as { limits: Record<string, number> };
    const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
    if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
    const info = adapter.info;
    tf.registerBackend(
      'webgpu',
      () => new WebGPUBackend(device as never, info as never) as unknown as tf.KernelBackend,
      3,
    );
    instances.push(gpu);
    exposeAsNavigatorGpu(gpu); // WebGPUBackend's constructor checks navigator.gpu
    return { name, software, maxBinding: device.limits.maxStorageBufferBindingSize };
  }
  throw new BackendError(`backend 'webgpu' found no usable adapter: ${reasons.join('; ') || 'none'}`);
}

function exposeAsNavigatorGpu(gpu: GpuLike): void {
  const g = globalThis as { navigator?: object };
  if (!g.navigator) Object.defineProperty(g, 'navigator', { value: {}, configurable: true, writable: true });
  Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
}

async function hasVulkanLoader(): Promise<boolean> {
  const fs = await import('node:fs');
  const dirs = [
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib/aarch64-linux-gnu',
    '/usr/lib64',
    '/usr/lib',
    '/usr/local/lib',
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
  ];
  return dirs.some((d) => fs.existsSync(`${d}/libvulkan.so.1`));
}
