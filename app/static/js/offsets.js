// Offsets between the browser and the server. The DOM counts UTF-16 code units; the server
// counts code points (Python str indices). Every span the workspace sends is converted here.

export const CONTEXT_LENGTH = 32; // code points of prefix and suffix sent to help re-anchoring

const isHigh = (code) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code) => code >= 0xdc00 && code <= 0xdfff;

/** For each code-point offset 0..n, the UTF-16 offset where it starts (so ranges can be built). */
export function unitOffsets(text) {
  const offsets = [];
  let unit = 0;
  for (const character of text) {
    offsets.push(unit);
    unit += character.length;
  }
  offsets.push(unit);
  return offsets;
}

/** Move a UTF-16 offset that falls between the halves of a surrogate pair to the pair's start. */
function snap(text, offset) {
  if (offset > 0 && offset < text.length && isLow(text.charCodeAt(offset)) && isHigh(text.charCodeAt(offset - 1))) {
    return offset - 1;
  }
  return offset;
}

/** Where a boundary point lies in textNode, as a UTF-16 offset clamped to the node. */
function boundaryIn(textNode, container, offset) {
  if (container === textNode) return offset;
  const whole = document.createRange();
  whole.selectNodeContents(textNode);
  const position = whole.comparePoint(container, offset);
  if (position < 0) return 0;
  if (position > 0) return textNode.length;
  return offset === 0 ? 0 : textNode.length;
}

/**
 * The part of range inside textNode as UTF-16 offsets, without leading or trailing white space;
 * null when nothing of it is left.
 */
export function unitsFromRange(range, textNode) {
  if (!range || !range.intersectsNode(textNode)) return null;
  const text = textNode.data;
  let start = snap(text, boundaryIn(textNode, range.startContainer, range.startOffset));
  let end = snap(text, boundaryIn(textNode, range.endContainer, range.endOffset));
  while (start < end && /\s/.test(text[start])) start += 1;
  while (end > start && /\s/.test(text[end - 1])) end -= 1;
  return start < end ? { start, end } : null;
}

/** What the API wants for a span given in UTF-16 units: code-point offsets, quote and context. */
export function describeSpan(text, startUnit, endUnit) {
  const before = Array.from(text.slice(0, startUnit));
  const after = Array.from(text.slice(endUnit));
  return {
    start: before.length,
    end: before.length + Array.from(text.slice(startUnit, endUnit)).length,
    quote: text.slice(startUnit, endUnit),
    prefix: before.slice(-CONTEXT_LENGTH).join(""),
    suffix: after.slice(0, CONTEXT_LENGTH).join(""),
  };
}

/** The paragraph (1, 2, …) that a UTF-16 offset falls in; paragraphs are split by blank lines. */
export function paragraphOf(text, unitOffset) {
  return (text.slice(0, unitOffset).match(/\n\s*\n/g) || []).length + 1;
}
