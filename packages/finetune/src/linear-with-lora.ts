// Appendix E.4: LinearWithLoRA = frozen Linear + LoRALayer. The base weight and bias keep their names
// (`weight`, `bias`), so a model's base state dict is unchanged; the adapter sits under `lora`.
// A fused projection (GPT-2's c_attn, columns q | k | v) gets one adapter per part, as the book's
// separate W_query / W_key / W_value Linears each get one.
import * as tf from '@tensorflow/tfjs';
import { Linear, Module, Rng } from '@llmfs/nn';
import { LoRALayer } from './lora-layer.js';

/** Options of LinearWithLoRA. */
export interface LinearWithLoRAOptions {
  /** Number of equal column blocks with their own adapter (3 for a fused q|k|v projection). */
  parts?: number;
  rng?: Rng;
}

/** The book's LinearWithLoRA: forward = linear(x) + lora(x); the base Linear is frozen. */
export class LinearWithLoRA extends Module {
  /** The base weight [in, out] (the wrapped Linear's variable, frozen). */
  readonly weight: tf.Variable;
  readonly bias?: tf.Variable;
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** One adapter (`lora.A`, `lora.B`), or one per column block (`lora.0.A`, ...). */
  readonly loras: LoRALayer[];

  constructor(
    readonly linear: Linear,
    readonly rank: number,
    readonly alpha: number,
    opts: LinearWithLoRAOptions = {},
  ) {
    super();
    const parts = opts.parts ?? 1;
    const rng = opts.rng ?? new Rng(123);
    this.inFeatures = linear.inFeatures;
    this.outFeatures = linear.outFeatures;
    this.weight = this.registerParameter('weight', linear.weight, false);
    if (linear.bias) this.bias = this.registerParameter('bias', linear.bias, false);
    const outPart = linear.outFeatures / parts;
    if (parts === 1) {
      this.loras = [
        this.registerModule(
          'lora',
          new LoRALayer(linear.inFeatures, linear.outFeatures, rank, alpha, { rng }),
        ),
      ];
    } else {
      const group = this.registerModule('lora', new LoRAParts());
      this.loras = Array.from({ length: parts }, (_, i) =>
        group.registerModule(String(i), new LoRALayer(linear.inFeatures, outPart, rank, alpha, { rng })),
      );
    }
  }

  /** x [..., in] -> [..., out] */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const base = this.linear.forward(x);
      const upd =
        this.loras.length === 1
          ? this.loras[0].forward(x)
          : tf.concat(
              this.loras.map((l) => l.forward(x)),
              -1,
            );
      return tf.add(base, upd);
    });
  }

  /** weight + the adapters' update, [in, out] (a new tensor; the caller disposes it). */
  mergedWeight(): tf.Tensor2D {
    return tf.tidy(() => {
      const deltas = this.loras.map((l) => l.delta());
      const d = deltas.length === 1 ? deltas[0] : tf.concat(deltas, 1); // column blocks q | k | v
      return tf.add(this.weight, d) as tf.Tensor2D;
    });
  }
}

/** A plain container for the per-part adapters (names `lora.0`, `lora.1`, ...). */
class LoRAParts extends Module {}
