// Linear warmup then cosine decay, exactly as the book's appendix D training loop.

/** Schedule settings of {@link warmupCosineLr} (appendix D names). */
export interface WarmupCosineOptions {
  peakLr: number;
  initialLr: number;
  minLr: number;
  warmupSteps: number;
  totalSteps: number;
}

/**
 * Learning rate at 0-based optimizer step `step`:
 * step < warmup: initialLr + step * (peakLr - initialLr) / warmupSteps;
 * else minLr + (peakLr - minLr) * 0.5 * (1 + cos(pi * (step - warmup) / (total - warmup))).
 */
export function warmupCosineLr(step: number, o: WarmupCosineOptions): number {
  if (step < o.warmupSteps) return o.initialLr + step * ((o.peakLr - o.initialLr) / o.warmupSteps);
  const span = o.totalSteps - o.warmupSteps;
  // a schedule with no decay phase stays at the end value
  const progress = span > 0 ? (step - o.warmupSteps) / span : 1;
  return o.minLr + (o.peakLr - o.minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
