// Text that strangers wrote (account names, URLs, headers, event types, error texts, response excerpts,
// payloads) may carry Unicode bidi controls: U+202E (RIGHT-TO-LEFT OVERRIDE) makes "Admin\u202Egnp.exe" look
// like "Adminexe.png", and an unclosed override reorders the text after it too. Such characters, and the other
// control characters (which render as nothing, or as boxes), are shown as their escape instead: what the
// operator reads is what is stored.

/** Control characters (but tab and line breaks, which lay out multi-line text) and bidi formatting characters. */
const INVISIBLE = /(?![\t\n\r])[\p{Cc}\p{Bidi_Control}]/gu;

/** `text` with each control or bidi formatting character written as its escape, e.g. `\u202E`. */
export function visibleControls(text: string): string {
  return text.replace(INVISIBLE, (char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`);
}
