// Weights holding NaN or an infinity are refused where they are read for a model, so a broken file
// stops at load with its tensor named, instead of printing "loss NaN" or sampling garbage later.
import { WeightMappingError } from './errors.js';

/** Throws a WeightMappingError naming `file`, `tensor` and the first index whose value is not finite. */
export function assertFiniteWeights(data: Float32Array, file: string, tensor: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    // v - v is 0 for every finite v, NaN for NaN and for +-Infinity
    if (v - v !== 0)
      throw new WeightMappingError(
        `${file}: tensor "${tensor}" holds ${v} at index ${i}; weights must be finite numbers`,
      );
  }
}
