import { describe, expect, it } from 'vitest';
import { fixturePath } from '@llmfs/testing';
import fs from 'node:fs';
import { DataFormatError } from './errors.js';
import { formatInput } from './format-input.js';
import { loadInstructionData, parseInstructionData, splitInstructionData } from './instruction-data.js';
import { extractResponse } from './extract-response.js';

describe('instruction data (chapter 7.2)', () => {
  it("ships the book's 1100 entries, equal to the test fixture", async () => {
    const data = await loadInstructionData();
    expect(data.length).toBe(1100);
    const fixture = JSON.parse(fs.readFileSync(fixturePath('data', 'instruction-data.json'), 'utf8'));
    expect(data).toEqual(fixture);
  });

  it('splits 85/10/5 into 935 train, 110 test, 55 validation, in file order', async () => {
    const data = await loadInstructionData();
    const { train, test, val } = splitInstructionData(data);
    expect([train.length, test.length, val.length]).toEqual([935, 110, 55]);
    expect(train[0]).toBe(data[0]);
    expect(test[0]).toBe(data[935]);
    expect(val[0]).toBe(data[1045]);
    expect(val[54]).toBe(data[1099]);
  });

  it("formats the book's printed examples (entries 50 and 999)", async () => {
    const data = await loadInstructionData();
    expect(formatInput(data[50]) + `\n\n### Response:\n${data[50].output}`).toBe(
      'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n' +
        '### Instruction:\nIdentify the correct spelling of the following word.\n\n' +
        "### Input:\nOcassion\n\n### Response:\nThe correct spelling is 'Occasion.'",
    );
    expect(formatInput(data[999])).toBe(
      'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n' +
        "### Instruction:\nWhat is an antonym of 'complicated'?",
    );
  });

  it('names the line of a malformed entry', () => {
    const text =
      '[\n  {"instruction": "a", "input": "", "output": "b"},\n  {"instruction": "c",\n   "output": 3}\n]';
    expect(() => parseInstructionData(text, 'x.json')).toThrowError(DataFormatError);
    expect(() => parseInstructionData(text, 'x.json')).toThrowError(
      /^x\.json:3: entry 1: "output" must be a string$/,
    );
    expect(() => parseInstructionData('[\n{"instruction": "a",\n "output": "b" \n', 'y.json')).toThrowError(
      /^y\.json:4: invalid JSON/,
    );
    expect(() => parseInstructionData('[\n{"instruction": "a",\n "output" "b"}]', 'v.json')).toThrowError(
      /^v\.json:3: invalid JSON/,
    );
    expect(() => parseInstructionData('{"a": 1}', 'z.json')).toThrowError(/z\.json:1: expected a JSON array/);
    expect(() => parseInstructionData('[\n"text"\n]', 'w.json')).toThrowError(
      /w\.json:2: entry 0 is not an object/,
    );
  });

  it('reads a missing input as empty and keeps model_response', () => {
    const [e] = parseInstructionData('[{"instruction": "i", "output": "o", "model_response": "r"}]');
    expect(e).toEqual({ instruction: 'i', input: '', output: 'o', model_response: 'r' });
  });

  it('extracts the response as the book does', () => {
    const prompt = formatInput({ instruction: 'Say hi.', input: '' });
    const generated = prompt + '\n\n### Response:\n  Hi there.  \n';
    expect(extractResponse(generated, prompt)).toBe('Hi there.');
  });
});
