// Chapter 7.7: the response text of a generation, as the book extracts it.

/** The book: generated_text[len(input_text):].replace("### Response:", "").strip(). */
export function extractResponse(generatedText: string, inputText: string): string {
  return generatedText.slice(inputText.length).split('### Response:').join('').trim();
}
