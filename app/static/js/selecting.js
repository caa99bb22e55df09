// Selecting words in an article's single text node, shared by the trainee workspace and the key
// editor: the caret and Shift+arrow selection from the keyboard, and the word under a tap or click
// so that a span can be chosen without dragging (first word, then last word).

const KEY_MOVES = {
  ArrowLeft: ["backward", "character"],
  ArrowRight: ["forward", "character"],
  ArrowUp: ["backward", "line"],
  ArrowDown: ["forward", "line"],
  Home: ["backward", "lineboundary"],
  End: ["forward", "lineboundary"],
};

/** Put a collapsed caret at the start of the text unless the selection is already in it. */
function caretInto(element, node) {
  const selection = window.getSelection();
  if (selection.rangeCount && element.contains(selection.anchorNode) && element.contains(selection.focusNode)) return;
  selection.collapse(node, 0);
}

/**
 * Move the caret (or, with Shift, extend the selection) for an arrow, Home or End key; Ctrl or Alt
 * moves by word. Returns whether the key was one of those.
 */
export function moveCaret(event, element, node) {
  const move = KEY_MOVES[event.key];
  if (!move) return false;
  event.preventDefault();
  caretInto(element, node);
  const granularity = (event.ctrlKey || event.altKey) && move[1] === "character" ? "word" : move[1];
  window.getSelection().modify(event.shiftKey ? "extend" : "move", move[0], granularity);
  return true;
}

/**
 * Paint the collapsed caret as one highlighted character while element has focus (a text that
 * is not editable shows no caret of its own).
 */
export function paintCaret(element, node, highlightName = "keyboard-caret") {
  if (typeof CSS === "undefined" || !CSS.highlights) return;
  const selection = window.getSelection();
  const inside = selection.rangeCount && selection.isCollapsed && element.contains(selection.anchorNode);
  if (!inside || document.activeElement !== element) {
    CSS.highlights.delete(highlightName);
    return;
  }
  const text = node.data;
  let start = selection.anchorNode === node ? selection.anchorOffset : 0;
  if (start >= text.length) start = Math.max(0, text.length - 1);
  const codePoint = text.codePointAt(start);
  const range = document.createRange();
  range.setStart(node, start);
  range.setEnd(node, Math.min(text.length, start + (codePoint > 0xffff ? 2 : 1)));
  CSS.highlights.set(highlightName, new Highlight(range));
}

const WORD_CHARACTER = /[\p{L}\p{N}\p{M}'’-]/u;

/** The text offset (UTF-16) under a point, or null when the point is not over node. */
function offsetAt(node, x, y) {
  if (document.caretPositionFromPoint) {
    const position = document.caretPositionFromPoint(x, y);
    return position && position.offsetNode === node ? position.offset : null;
  }
  if (document.caretRangeFromPoint) {
    const range = document.caretRangeFromPoint(x, y);
    return range && range.startContainer === node ? range.startOffset : null;
  }
  return null;
}

/** The word under a point as UTF-16 offsets {start, end} in node, or null off a word. */
export function wordAt(node, x, y) {
  const text = node.data;
  let offset = offsetAt(node, x, y);
  if (offset === null) return null;
  // The caret lands before or after the character tapped: take whichever side is a word.
  if (!WORD_CHARACTER.test(text[offset] || "") && WORD_CHARACTER.test(text[offset - 1] || "")) offset -= 1;
  if (!WORD_CHARACTER.test(text[offset] || "")) return null;
  let start = offset;
  let end = offset + 1;
  while (start > 0 && WORD_CHARACTER.test(text[start - 1])) start -= 1;
  while (end < text.length && WORD_CHARACTER.test(text[end])) end += 1;
  return { start, end };
}

/**
 * Choosing a span with two taps or clicks: the first word, then the last (the same word twice
 * for one word). ``tap`` returns {start, end, done}: done is false after the first word.
 */
export class TwoTaps {
  constructor() {
    this.anchor = null; // {key, start, end} of the first word
  }

  tap(key, word) {
    if (!this.anchor || this.anchor.key !== key) {
      this.anchor = { key, ...word };
      return { ...word, done: false };
    }
    const span = { start: Math.min(this.anchor.start, word.start), end: Math.max(this.anchor.end, word.end), done: true };
    this.anchor = null;
    return span;
  }

  reset() {
    this.anchor = null;
  }
}
