// trainer_state.json read back for a resume, checked field by field: a hand-edited, truncated or
// foreign file is a TrainerCheckpointError that names the file and the field, never a raw JSON message.
import { type CheckpointIO, TRAINER_STATE_FILE, joinPath } from './checkpoint-io.js';
import { TrainerCheckpointError } from './errors.js';
import type { TrainerState } from './trainer.js';

const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const isNumberArray = (v: unknown, nullable = false) =>
  Array.isArray(v) && v.every((x) => typeof x === 'number' || (nullable && x === null));

/** Reads and checks `<dir>/trainer_state.json`. */
export async function readTrainerState(
  dir: string,
  io: Pick<CheckpointIO, 'readText'>,
): Promise<TrainerState> {
  const file = joinPath(dir, TRAINER_STATE_FILE);
  let text: string;
  try {
    text = await io.readText(file);
  } catch {
    throw new TrainerCheckpointError(`${file}: cannot read the file`);
  }
  return parseTrainerState(text, file);
}

/** Checks the text of a trainer_state.json (`file` names it in errors). */
export function parseTrainerState(text: string, file: string): TrainerState {
  let st: Record<string, unknown>;
  try {
    st = JSON.parse(text);
  } catch (err) {
    const why = err instanceof SyntaxError ? `not valid JSON (${err.message})` : 'cannot read the file';
    throw new TrainerCheckpointError(`${file}: ${why}`);
  }
  const bad = (field: string, want: string): never => {
    throw new TrainerCheckpointError(
      `${file}: "${field}" must be ${want}, got ${JSON.stringify(st[field])?.slice(0, 40) ?? 'nothing'}`,
    );
  };
  if (typeof st !== 'object' || st === null || Array.isArray(st))
    throw new TrainerCheckpointError(`${file}: not a JSON object`);
  if (st.format !== 'llmfs-trainer-state') bad('format', '"llmfs-trainer-state"');
  if (st.version !== 1) bad('version', '1');
  for (const k of ['step', 'epoch', 'batchInEpoch', 'tokensSeen', 'batchesPerEpoch'])
    if (!isCount(st[k])) bad(k, 'a non-negative integer');
  if ((st.batchInEpoch as number) > (st.batchesPerEpoch as number))
    bad('batchInEpoch', `at most batchesPerEpoch (${st.batchesPerEpoch})`);
  for (const k of ['trainLosses', 'valLosses'])
    if (!isNumberArray(st[k], true)) bad(k, 'an array of numbers');
  for (const k of ['trackTokensSeen', 'epochsSeen', 'evalSteps'])
    if (!isNumberArray(st[k])) bad(k, 'an array of numbers');
  const n = (st.evalSteps as number[]).length;
  for (const k of ['trainLosses', 'valLosses', 'trackTokensSeen', 'epochsSeen'])
    if ((st[k] as unknown[]).length !== n) bad(k, `an array as long as evalSteps (${n})`);
  if (!Array.isArray(st.rngStates) || !st.rngStates.every((r) => isNumberArray(r)))
    bad('rngStates', 'an array of number arrays');
  if (typeof st.lr !== 'number' || !Number.isFinite(st.lr) || st.lr < 0) bad('lr', 'a number >= 0');
  if (st.schedule !== undefined && (typeof st.schedule !== 'object' || st.schedule === null))
    bad('schedule', 'an object');
  if (st.runConfig !== undefined && (typeof st.runConfig !== 'object' || st.runConfig === null))
    bad('runConfig', 'an object');
  return st as unknown as TrainerState;
}
