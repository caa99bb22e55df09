// The trainee workspace: select words in an article (mouse, touch or keyboard), choose a
// category, and manage the flags in the side panel. Flags are painted with the CSS Custom
// Highlight API, so the article stays one text node and offsets stay stable.

import { describeSpan, paragraphOf, unitOffsets, unitsFromRange } from "./offsets.js";
import { moveCaret, paintCaret as paintCaretIn, TwoTaps, wordAt } from "./selecting.js";
import { Sync } from "./sync.js";

const data = JSON.parse(document.getElementById("workspace-data").textContent);
const categories = new Map(data.categories.map((category) => [category.id, category]));
const articleOrder = data.articles.map((article) => article.ref);
const articleTitles = new Map(data.articles.map((article) => [article.ref, article.title]));
const categoryOrder = [...categories.values()].sort((a, b) => a.index - b.index);

const articles = new Map();
for (const element of document.querySelectorAll(".article-text[data-article]")) {
  element.normalize();
  if (!element.firstChild) element.append(document.createTextNode(""));
  const node = element.firstChild;
  articles.set(element.dataset.article, { ref: element.dataset.article, element, node, text: node.data, units: unitOffsets(node.data) });
}

const toolbar = document.getElementById("flag-toolbar");
const toolbarQuote = document.getElementById("toolbar-quote");
const toolbarNote = document.getElementById("toolbar-note");
const toolbarConfidence = document.getElementById("toolbar-confidence"); // only when the exercise asks
const confidenceLabels = new Map(data.confidences.map((level) => [level.id, level.label]));
const toolbarLinks = document.getElementById("toolbar-links");
const toolbarLinkOptions = document.getElementById("toolbar-link-options");
const statusLine = document.getElementById("save-status");
const notice = document.getElementById("sync-notice");
const list = document.getElementById("flags");
const countLine = document.getElementById("flag-count");
const itemTemplate = document.getElementById("flag-item-template");
const highlights = typeof CSS !== "undefined" && CSS.highlights ? CSS.highlights : null;

let flags = new Map(data.flags.map((flag) => [flag.client_id, flag]));
let activeId = null;
let pendingSpan = null; // what the open toolbar would flag
let lastSelection = null; // the latest selection inside an article, for "Use selected text"
let openedByKeyboard = false;
let lastPointer = "mouse";
const twoTaps = new TwoTaps(); // a span chosen by tapping its first and last word
let tapSelected = false; // the selection is one that two taps made (not the browser's own)

const STATUS_TEXT = {
  saved: "Saved",
  saving: "Saving…",
  error: "Not saved",
  "signed-out": "Signed out — log in again; your changes are kept in this browser",
};

const plural = (count, word) => `${count} ${word}${count === 1 ? "" : "s"}`;

function newClientId() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function showStatus(state) {
  statusLine.dataset.state = state;
  if (state === "offline") {
    statusLine.textContent = `Offline: ${plural(sync.pending, "change")} waiting`;
  } else {
    statusLine.textContent = STATUS_TEXT[state] || state;
  }
}

/** Show the last thing done (or gone wrong) in the status bar, where it stays until the next. */
function showNotice(message) {
  notice.textContent = message;
  notice.hidden = false;
}

// --- local state ----------------------------------------------------------------------------

function isGrouped(categoryId) {
  const category = categories.get(categoryId);
  return Boolean(category && category.grouped);
}

/** Apply one queued change to a flag map, as the server will when it receives it. */
function applyOp(map, op) {
  if (op.kind === "create") {
    if (!map.has(op.body.client_id)) {
      const { prefix, suffix, ...flag } = op.body;
      map.set(flag.client_id, { note: "", links: [], ...flag });
    }
    return;
  }
  const flag = map.get(op.clientId);
  if (!flag) return;
  if (op.kind === "delete") {
    map.delete(op.clientId);
    for (const other of map.values()) other.links = other.links.filter((id) => id !== op.clientId);
    return;
  }
  const { prefix, suffix, ...change } = op.body;
  Object.assign(flag, change);
  if ("category" in change && !isGrouped(change.category) && !("links" in change)) flag.links = [];
}

function change(op) {
  applyOp(flags, op);
  sync.enqueue(op);
  render();
}

function serverFlags(list, fromElsewhere) {
  const map = new Map(list.map((flag) => [flag.client_id, { ...flag }]));
  for (const op of sync.queue) applyOp(map, op);
  flags = map;
  if (activeId && !flags.has(activeId)) activeId = null;
  render();
  if (fromElsewhere) showNotice("Updated in another tab: these are the latest flags.");
}

function sortedFlags() {
  return [...flags.values()].sort(
    (a, b) => articleOrder.indexOf(a.article) - articleOrder.indexOf(b.article) || a.start - b.start || a.end - b.end,
  );
}

// --- painting -------------------------------------------------------------------------------

function rangeOf(flag) {
  const article = articles.get(flag.article);
  if (!article) return null;
  const range = document.createRange();
  const last = article.units.length - 1;
  range.setStart(article.node, article.units[Math.min(flag.start, last)]);
  range.setEnd(article.node, article.units[Math.min(flag.end, last)]);
  return range;
}

function paint() {
  if (!highlights) return;
  const byCategory = new Map();
  for (const flag of flags.values()) {
    const category = categories.get(flag.category);
    const range = rangeOf(flag);
    if (!category || !range) continue;
    if (!byCategory.has(category.index)) byCategory.set(category.index, []);
    byCategory.get(category.index).push(range);
  }
  for (const category of categories.values()) {
    const ranges = byCategory.get(category.index) || [];
    highlights.set(`flag-cat-${category.index}`, new Highlight(...ranges));
  }
  const active = activeId && flags.get(activeId);
  const activeRange = active && rangeOf(active);
  if (activeRange) highlights.set("flag-active", new Highlight(activeRange));
  else highlights.delete("flag-active");
}

function paintCaret() {
  const selection = window.getSelection();
  const article = selection.rangeCount ? articleOf(selection.anchorNode) : null;
  if (article) paintCaretIn(article.element, article.node);
  else if (highlights) highlights.delete("keyboard-caret");
}

/** Show the two ends of a link (or one flag) together: in the text and in the panel. */
function showLinkEnds(ids) {
  const ranges = ids.map((id) => flags.get(id)).filter(Boolean).map(rangeOf).filter(Boolean);
  if (highlights) {
    if (ranges.length) highlights.set("flag-link", new Highlight(...ranges));
    else highlights.delete("flag-link");
  }
  for (const item of list.querySelectorAll("li[data-client-id]")) item.classList.toggle("link-end", ids.includes(item.dataset.clientId));
}

/** Where a flag is, short: "A1 ¶2" on screen, "Article 1, paragraph 2" for assistive technology. */
function whereOf(flag) {
  const article = articles.get(flag.article);
  const number = articleOrder.indexOf(flag.article) + 1;
  const paragraph = article ? paragraphOf(article.text, article.units[Math.min(flag.start, article.units.length - 1)]) : 1;
  return { short: `A${number} ¶${paragraph}`, long: `Article ${number}, paragraph ${paragraph}` };
}

/** whereOf as two spans: the short form shown, the long one read out. */
function whereElements(flag) {
  const where = whereOf(flag);
  const shown = document.createElement("span");
  shown.setAttribute("aria-hidden", "true");
  shown.textContent = where.short;
  const read = document.createElement("span");
  read.className = "visually-hidden";
  read.textContent = where.long;
  const fragment = document.createDocumentFragment();
  fragment.append(shown, read);
  return fragment;
}

/** The flags as words, in each article's hidden list: the highlights never reach a screen reader. */
function describeFlagsInText() {
  for (const article of articles.values()) {
    const described = document.getElementById(`flagged-${article.ref}`);
    if (!described) continue;
    const own = sortedFlags().filter((flag) => flag.article === article.ref);
    described.replaceChildren(...own.map((flag) => {
      const item = document.createElement("li");
      const mark = document.createElement("mark");
      mark.textContent = flag.quote;
      const category = categories.get(flag.category);
      item.append(mark, ` flagged as ${category ? category.name : flag.category}, ${whereOf(flag).long.toLowerCase()}`);
      if (flag.confidence) item.append(`. Confidence: ${confidenceLabels.get(flag.confidence)}`);
      if (flag.note) item.append(`. Note: ${flag.note}`);
      return item;
    }));
    described.hidden = own.length === 0;
  }
}

// --- the side panel -------------------------------------------------------------------------

function quoteText(flag) {
  return `“${flag.quote}”`;
}

function linkedIds(flag) {
  const incoming = [...flags.values()].filter((other) => other.links.includes(flag.client_id)).map((other) => other.client_id);
  return [...new Set([...flag.links, ...incoming])].filter((id) => flags.has(id));
}

function toggleLink(flag, other, linked) {
  if (linked) {
    const source = isGrouped(flag.category) ? flag : other;
    const target = source === flag ? other : flag;
    if (!source.links.includes(target.client_id)) {
      change({ kind: "update", clientId: source.client_id, body: { links: [...source.links, target.client_id] } });
    }
    return;
  }
  for (const [source, target] of [[flag, other], [other, flag]]) {
    if (source.links.includes(target.client_id)) {
      change({ kind: "update", clientId: source.client_id, body: { links: source.links.filter((id) => id !== target.client_id) } });
    }
  }
}

function buildItem(flag, number) {
  const item = itemTemplate.content.firstElementChild.cloneNode(true);
  const category = categories.get(flag.category);
  item.dataset.clientId = flag.client_id;
  if (flag.client_id === activeId) item.classList.add("active");

  const badge = item.querySelector(".badge");
  badge.textContent = category ? category.name : flag.category;
  if (category) badge.classList.add(`cat-${category.index}`);
  const quote = item.querySelector(".flag-quote");
  quote.textContent = quoteText(flag);
  quote.setAttribute("aria-label", `Show flag ${number} in the text: ${flag.quote}`);
  quote.addEventListener("click", () => activate(flag.client_id, { scroll: true }));
  const whereLine = item.querySelector(".flag-where");
  whereLine.append(whereElements(flag));
  whereLine.title = articleTitles.get(flag.article) || flag.article;
  item.querySelector(".flag-note").textContent = flag.note ? `Note: ${flag.note}` : "";
  item.querySelector(".flag-confidence").textContent = flag.confidence ? `Confidence: ${confidenceLabels.get(flag.confidence)}` : "";

  const links = item.querySelector(".flag-links");
  const linked = linkedIds(flag);
  if (linked.length) {
    links.append("Linked to: ");
    for (const id of linked) {
      const chip = document.createElement("button");
      chip.type = "button";
      chip.className = "link-chip link-button";
      chip.textContent = quoteText(flags.get(id));
      chip.setAttribute("aria-label", `Show the linked figure ${flags.get(id).quote} (${whereOf(flags.get(id)).long})`);
      chip.addEventListener("click", () => activate(id, { scroll: true }));
      const both = [flag.client_id, id];
      chip.addEventListener("pointerenter", () => showLinkEnds(both));
      chip.addEventListener("focus", () => showLinkEnds(both));
      chip.addEventListener("pointerleave", () => showLinkEnds([]));
      chip.addEventListener("blur", () => showLinkEnds([]));
      links.append(chip);
    }
  }

  const select = item.querySelector(".edit-category");
  select.id = `edit-category-${number}`;
  select.previousElementSibling.htmlFor = select.id;
  for (const option of categories.values()) select.add(new Option(option.name, option.id, false, option.id === flag.category));
  select.addEventListener("change", () => change({ kind: "update", clientId: flag.client_id, body: { category: select.value } }));

  const note = item.querySelector(".edit-note");
  note.id = `edit-note-${number}`;
  note.previousElementSibling.htmlFor = note.id;
  note.maxLength = data.maxNote;
  note.value = flag.note;
  let noteTimer = null;
  const saveNote = () => {
    window.clearTimeout(noteTimer);
    if (note.value === flags.get(flag.client_id)?.note) return;
    const op = { kind: "update", clientId: flag.client_id, body: { note: note.value } };
    applyOp(flags, op);
    sync.enqueue(op);
    item.querySelector(".flag-note").textContent = note.value ? `Note: ${note.value}` : "";
  };
  note.addEventListener("input", () => { window.clearTimeout(noteTimer); noteTimer = window.setTimeout(saveNote, 600); });
  note.addEventListener("change", saveNote);

  const confidence = item.querySelector(".edit-confidence");
  if (confidence) {
    confidence.id = `edit-confidence-${number}`;
    confidence.previousElementSibling.htmlFor = confidence.id;
    confidence.add(new Option("Not stated", "", false, !flag.confidence));
    for (const [id, label] of confidenceLabels) confidence.add(new Option(label, id, false, id === flag.confidence));
    confidence.addEventListener("change", () => change({ kind: "update", clientId: flag.client_id, body: { confidence: confidence.value || null } }));
  }

  const fieldset = item.querySelector(".edit-links");
  const options = fieldset.querySelector(".link-options");
  if (!isGrouped(flag.category)) {
    fieldset.remove();
  } else {
    const candidates = sortedFlags().filter((other) => other.client_id !== flag.client_id && isGrouped(other.category));
    fieldset.querySelector(".links-empty").hidden = candidates.length > 0;
    candidates.forEach((other, index) => {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.checked = linked.includes(other.client_id);
      box.addEventListener("change", () => toggleLink(flag, other, box.checked));
      label.append(box, ` ${quoteText(other)} `, whereElements(other));
      box.id = `link-${number}-${index}`;
      options.append(label);
    });
  }

  const message = item.querySelector(".edit-message");
  item.querySelector(".edit-span").addEventListener("click", () => {
    if (!lastSelection || lastSelection.article !== flag.article) {
      message.textContent = "First select the new words in the same article, then press this button.";
      return;
    }
    const article = articles.get(flag.article);
    const span = describeSpan(article.text, lastSelection.start, lastSelection.end);
    change({ kind: "update", clientId: flag.client_id, body: span });
    lastSelection = null;
    showNotice("Span updated.");
  });
  item.querySelector(".edit-delete").addEventListener("click", () => {
    if (activeId === flag.client_id) activeId = null;
    change({ kind: "delete", clientId: flag.client_id });
    showNotice(`Flag ${quoteText(flag)} deleted.`);
    document.getElementById("flags-heading").focus();
  });
  return item;
}

function render() {
  // Keep open editors and the focused control across a re-render.
  const open = new Set([...list.querySelectorAll("details[open]")].map((details) => details.closest("li").dataset.clientId));
  const focused = document.activeElement && list.contains(document.activeElement) ? document.activeElement : null;
  const focusKey = focused ? [focused.closest("li").dataset.clientId, focused.className, focused.type] : null;

  const items = sortedFlags().map((flag, index) => buildItem(flag, index + 1));
  if (!items.length) {
    const empty = document.createElement("li");
    empty.className = "empty muted";
    empty.textContent = "No flags yet. Select words in an article to flag them.";
    items.push(empty);
  }
  list.replaceChildren(...items);
  for (const item of list.querySelectorAll("li[data-client-id]")) {
    if (open.has(item.dataset.clientId)) item.querySelector("details").open = true;
  }
  if (focusKey) {
    const item = list.querySelector(`li[data-client-id="${CSS.escape(focusKey[0])}"]`);
    const target = item && [...item.querySelectorAll("button, select, textarea, input, summary")].find(
      (element) => element.className === focusKey[1] && element.type === focusKey[2],
    );
    if (target) target.focus();
  }
  countLine.textContent = String(flags.size);
  paint();
  describeFlagsInText();
}

function activate(clientId, { scroll = false } = {}) {
  activeId = clientId;
  for (const item of list.querySelectorAll("li[data-client-id]")) item.classList.toggle("active", item.dataset.clientId === clientId);
  paint();
  const flag = flags.get(clientId);
  const range = flag && rangeOf(flag);
  if (scroll && range) {
    const rect = range.getBoundingClientRect();
    const target = window.scrollY + rect.top - window.innerHeight / 3;
    window.scrollTo({ top: Math.max(0, target), behavior: "smooth" });
  }
}

// --- selecting and the toolbar --------------------------------------------------------------

function articleOf(node) {
  for (const article of articles.values()) {
    if (node === article.node || node === article.element) return article;
  }
  return null;
}

function selectionIn(article) {
  const selection = window.getSelection();
  if (!selection.rangeCount || selection.isCollapsed) return null;
  const units = unitsFromRange(selection.getRangeAt(0), article.node);
  return units ? { article: article.ref, ...units } : null;
}

function currentSelection() {
  for (const article of articles.values()) {
    const span = selectionIn(article);
    if (span) return span;
  }
  return null;
}

function openToolbar(span, byKeyboard) {
  const article = articles.get(span.article);
  pendingSpan = span;
  openedByKeyboard = byKeyboard;
  toolbarQuote.textContent = article.text.slice(span.start, span.end);
  toolbarNote.value = "";
  if (toolbarConfidence) for (const radio of toolbarConfidence.querySelectorAll("input")) radio.checked = false;
  fillLinkOptions();
  toolbar.hidden = false;
  const range = document.createRange();
  range.setStart(article.node, span.start);
  range.setEnd(article.node, span.end);
  const rects = range.getClientRects();
  const rect = rects.length ? rects[rects.length - 1] : range.getBoundingClientRect();
  const width = toolbar.offsetWidth;
  const left = Math.min(Math.max(8, rect.left + window.scrollX), window.scrollX + document.documentElement.clientWidth - width - 8);
  // CSSOM positioning: allowed under the style-src policy, unlike a style attribute.
  toolbar.style.left = `${Math.max(8, left)}px`;
  toolbar.style.top = `${rect.bottom + window.scrollY + 8}px`;
  if (byKeyboard) toolbar.querySelector(".category-button").focus();
}

/** "Link to:" in the toolbar: the figures already flagged, to link the new one to as it is made. */
function fillLinkOptions() {
  const figures = sortedFlags().filter((flag) => isGrouped(flag.category));
  toolbarLinkOptions.replaceChildren(...figures.map((flag, index) => {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.id = `toolbar-link-${index}`;
    box.value = flag.client_id;
    label.append(box, ` ${quoteText(flag)} `, whereElements(flag));
    // The other end of the link: show it while the option is pointed at or focused.
    for (const [event, ids] of [["pointerenter", [flag.client_id]], ["pointerleave", []]]) label.addEventListener(event, () => showLinkEnds(ids));
    box.addEventListener("focus", () => showLinkEnds([flag.client_id]));
    box.addEventListener("blur", () => showLinkEnds([]));
    return label;
  }));
  toolbarLinks.hidden = figures.length === 0;
}

function closeToolbar({ returnFocus = false } = {}) {
  const span = pendingSpan;
  toolbar.hidden = true;
  pendingSpan = null;
  showLinkEnds([]);
  if (returnFocus && span) articles.get(span.article).element.focus();
}

function flagPending(categoryId) {
  if (!pendingSpan) return;
  const article = articles.get(pendingSpan.article);
  const body = {
    client_id: newClientId(),
    article: article.ref,
    ...describeSpan(article.text, pendingSpan.start, pendingSpan.end),
    category: categoryId,
    note: toolbarNote.value.slice(0, data.maxNote),
    links: isGrouped(categoryId) ? [...toolbarLinkOptions.querySelectorAll("input:checked")].map((box) => box.value) : [],
  };
  const confidence = toolbarConfidence && toolbarConfidence.querySelector("input:checked");
  if (confidence) body.confidence = confidence.value;
  const byKeyboard = openedByKeyboard;
  closeToolbar();
  window.getSelection().removeAllRanges();
  lastSelection = null;
  activeId = body.client_id;
  change({ kind: "create", clientId: body.client_id, body });
  const linked = body.links.length ? `, linked to ${body.links.map((id) => quoteText(flags.get(id))).join(", ")}` : "";
  const sure = body.confidence ? `, ${confidenceLabels.get(body.confidence).toLowerCase()}` : "";
  showNotice(`Flagged “${body.quote}” as ${categories.get(categoryId).name}${sure}${linked}.`);
  if (byKeyboard) article.element.focus();
}

for (const button of toolbar.querySelectorAll(".category-button")) {
  button.addEventListener("click", () => flagPending(button.dataset.category));
}
document.getElementById("toolbar-cancel").addEventListener("click", () => closeToolbar({ returnFocus: openedByKeyboard }));
function toolbarControls() {
  return [...toolbar.querySelectorAll("button, input")].filter((control) => !control.disabled && control.offsetParent !== null);
}

toolbar.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    event.preventDefault();
    closeToolbar({ returnFocus: true });
    return;
  }
  if (event.key === "Tab") {
    // Tab past either end of the toolbar closes it and goes back to the text, never to the page behind.
    const controls = toolbarControls();
    const edge = event.shiftKey ? controls[0] : controls[controls.length - 1];
    if (document.activeElement === edge) {
      event.preventDefault();
      closeToolbar({ returnFocus: true });
    }
    return;
  }
  // Number keys choose a category (1 for the first), except while typing the note.
  const typing = event.target === toolbarNote;
  if (!typing && !event.ctrlKey && !event.altKey && !event.metaKey && /^[1-9]$/.test(event.key)) {
    const category = categoryOrder[Number(event.key) - 1];
    if (category) {
      event.preventDefault();
      flagPending(category.id);
    }
  }
});
toolbar.addEventListener("focusout", (event) => {
  // Focus moved somewhere else on the page (not out of the window): the toolbar no longer applies.
  if (event.relatedTarget && !toolbar.contains(event.relatedTarget) && !toolbar.hidden) closeToolbar();
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && !toolbar.hidden && !toolbar.contains(event.target)) closeToolbar({ returnFocus: true });
});
document.addEventListener("pointerdown", (event) => {
  lastPointer = event.pointerType || "mouse";
  if (!toolbar.hidden && !toolbar.contains(event.target)) {
    closeToolbar();
    // A tap away from the toolbar starts again: drop the span that two taps selected.
    if (tapSelected) window.getSelection().removeAllRanges();
  }
  if (!toolbar.contains(event.target)) tapSelected = false;
});

/** A tap on a word: the first tap chooses where the span starts, the next where it ends. */
function tapWord(article, event) {
  const selection = window.getSelection();
  if (selection.rangeCount && !selection.isCollapsed && selectionIn(article)) return; // a long-press selection wins
  const word = wordAt(article.node, event.clientX, event.clientY);
  if (!word) return;
  const span = twoTaps.tap(article.ref, word);
  if (!span.done) {
    if (highlights) {
      const range = document.createRange();
      range.setStart(article.node, word.start);
      range.setEnd(article.node, word.end);
      highlights.set("tap-anchor", new Highlight(range));
    }
    showNotice(`Starts at “${article.text.slice(word.start, word.end)}”: tap the last word of the span (or the same word again).`);
    return;
  }
  if (highlights) highlights.delete("tap-anchor");
  const range = document.createRange();
  range.setStart(article.node, span.start);
  range.setEnd(article.node, span.end);
  selection.removeAllRanges();
  selection.addRange(range);
  tapSelected = true;
  lastSelection = { article: article.ref, start: span.start, end: span.end };
  openToolbar({ article: article.ref, start: span.start, end: span.end }, false);
  showNotice("Choose a category for the words selected, or tap elsewhere to start again.");
}

for (const article of articles.values()) {
  const { element } = article;
  element.addEventListener("pointerup", (event) => {
    if (event.pointerType === "touch" || event.pointerType === "pen") {
      window.setTimeout(() => tapWord(article, event), 0);
      return;
    }
    window.setTimeout(() => {
      const span = selectionIn(article);
      if (span) openToolbar(span, false);
    }, 0);
  });
  element.addEventListener("blur", () => paintCaret());
  element.addEventListener("keydown", (event) => {
    if (moveCaret(event, element, article.node)) {
      paintCaret();
      return;
    }
    if (event.key === "Enter" || event.key === "f" || event.key === "F") {
      event.preventDefault();
      const span = selectionIn(article);
      if (span) openToolbar(span, true);
      else showNotice("Select words first: move with the arrow keys and hold Shift to select.");
      return;
    }
    if (event.key === "Escape") {
      window.getSelection().collapseToStart?.();
      paintCaret();
    }
  });
}

let touchTimer = null;
document.addEventListener("selectionchange", () => {
  const span = currentSelection();
  if (span) lastSelection = span;
  paintCaret();
  if (lastPointer === "touch" && span) {
    // Touch selections grow through handles, without a pointerup on the text: wait until still.
    window.clearTimeout(touchTimer);
    touchTimer = window.setTimeout(() => {
      const settled = currentSelection();
      const open = pendingSpan && !toolbar.hidden;
      const same = open && settled && settled.article === pendingSpan.article && settled.start === pendingSpan.start && settled.end === pendingSpan.end;
      if (settled && !same) openToolbar(settled, false);
    }, 600);
  }
});

// --- saving ---------------------------------------------------------------------------------

const sync = new Sync({
  attemptId: data.attemptId,
  flagsUrl: data.flagsUrl,
  revision: data.revision,
  onStatus: showStatus,
  onServerFlags: serverFlags,
  onRejected: (op, body) => {
    const fields = body && body.fields ? Object.values(body.fields).flat().join(" ") : "";
    showNotice(`A change was not saved: ${(body && body.error) || "the server refused it"} ${fields}`.trim());
  },
  onClosed: (message) => {
    showStatus("error");
    showNotice(`${message} Reload the page to see the debrief.`);
    for (const control of document.querySelectorAll(".panel button, .panel select, .panel textarea, .panel input, .flag-toolbar button")) {
      control.disabled = true;
    }
  },
});

for (const op of sync.queue) applyOp(flags, op);
document.getElementById("how-to").hidden = false;
render();
if (sync.pending) sync.flush();

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") sync.check();
});
window.addEventListener("focus", () => sync.check());
window.setInterval(() => {
  if (document.visibilityState === "visible") sync.check();
}, 20000);

const reviewLink = document.getElementById("review-link");
reviewLink.addEventListener("click", async (event) => {
  if (!sync.pending) return;
  event.preventDefault();
  await sync.flush();
  if (sync.pending) showNotice("Some changes are not saved yet. You can submit once they are.");
  else window.location.assign(reviewLink.href);
});
