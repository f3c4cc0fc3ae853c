// Chapter 7.2: the Alpaca-style prompt the book formats each instruction entry with.

/** What formatInput reads from an entry. */
export interface PromptFields {
  instruction: string;
  input?: string;
}

/** The book's `format_input`: preamble, "### Instruction:", and "### Input:" when the input is not empty. */
export function formatInput(entry: PromptFields): string {
  const instructionText =
    'Below is an instruction that describes a task. ' +
    'Write a response that appropriately completes the request.' +
    `\n\n### Instruction:\n${entry.instruction}`;
  const inputText = entry.input ? `\n\n### Input:\n${entry.input}` : '';
  return instructionText + inputText;
}

/** The response part the book appends for training: "\n\n### Response:\n" + output. */
export function formatResponse(output: string): string {
  return `\n\n### Response:\n${output}`;
}
