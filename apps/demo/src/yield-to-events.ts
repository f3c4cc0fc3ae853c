// Lets a worker's message queue run between tokens or training steps. `await tensor.data()` on the
// wasm and cpu backends resolves as a microtask, so a loop of them never lets a 'cancel' or 'pause'
// message in; a MessageChannel round trip is a real task and, unlike setTimeout, is not clamped to 4 ms.
const channel = new MessageChannel();
const waiting: Array<() => void> = [];
channel.port1.onmessage = () => waiting.shift()?.();

/** Resolves after the event loop has had a turn. */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(0);
  });
}
