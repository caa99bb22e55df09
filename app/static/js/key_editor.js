// The key editor: select words in an article to add a key item, edit its fields, accept or
// dismiss suggestions, save the whole key as JSON. Spans are read and converted by the trainee
// workspace's offsets module, so the editor and the workspace count offsets the same way.
import { describeSpan, unitOffsets, unitsFromRange } from "./offsets.js";
import { moveCaret, paintCaret, TwoTaps, wordAt } from "./selecting.js";

const root = document.getElementById("key-editor");
const data = JSON.parse(document.getElementById("editor-data").textContent);
const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
const HIGHLIGHT_SLOTS = 6; // the stylesheet paints key-cat-0 … key-cat-5

const texts = new Map(); // article ref -> its text node
const units = new Map(); // article ref -> code point -> UTF-16 offset
const titles = new Map(data.articles.map((a) => [a.ref, a.title]));
const articleOrder = new Map(data.articles.map((a, index) => [a.ref, index]));
const categoryIndex = new Map(data.categories.map((c, index) => [c.id, index]));
const categoryName = new Map(data.categories.map((c) => [c.id, c.name]));
const groupedCategories = new Set(data.categories.filter((c) => c.grouped).map((c) => c.id));

// Each item carries a client-side uid so the list can be redrawn while its id is being edited.
let nextUid = 1;
const withUid = (item) => ({ ...item, also: [...(item.also || [])], uid: nextUid++ });
let items = data.items.map(withUid);
let groups = { ...data.groups };
let suggestions = [];
let dismissed = new Set(data.dismissed);
let problems = new Map(); // item uid -> problem lines from the last save
let selection = null; // the span selected in an article, as describeSpan returns it plus the article
let activeUid = null; // the item last added or shown in the text
let openUid = null; // the item whose form is open

for (const element of root.querySelectorAll(".article-text")) {
  const ref = element.dataset.article;
  const node = element.firstChild || element.appendChild(document.createTextNode(""));
  texts.set(ref, node);
  units.set(ref, unitOffsets(node.data));
}

const slot = (categoryId) => Math.min(categoryIndex.get(categoryId) ?? 0, HIGHLIGHT_SLOTS - 1);
const quoted = (text) => `“${text}”`;
const suggestionKey = (s) => `${s.article}:${s.start}:${s.end}:${s.category}`;

function rangeFor(article, start, end) {
  const node = texts.get(article);
  const offsets = units.get(article);
  if (!node || !offsets || end >= offsets.length) return null;
  const range = new Range();
  range.setStart(node, offsets[start]);
  range.setEnd(node, offsets[end]);
  return range;
}

function paint() {
  if (!("highlights" in CSS)) return;
  const byCategory = new Map();
  for (const item of items) {
    const range = rangeFor(item.article, item.start, item.end);
    if (!range) continue;
    const name = item.decoy ? "key-decoy" : `key-cat-${slot(item.category)}`;
    if (!byCategory.has(name)) byCategory.set(name, []);
    byCategory.get(name).push(range);
  }
  for (let index = 0; index < HIGHLIGHT_SLOTS; index += 1) CSS.highlights.delete(`key-cat-${index}`);
  CSS.highlights.delete("key-decoy");
  for (const [name, ranges] of byCategory) CSS.highlights.set(name, new Highlight(...ranges));
  const pending = suggestions.map((s) => rangeFor(s.article, s.start, s.end)).filter(Boolean);
  CSS.highlights.set("key-suggestion", new Highlight(...pending));
}

/** Scroll a span into view and mark it in the text. */
function show(span) {
  const range = rangeFor(span.article, span.start, span.end);
  if (!range) return;
  if ("highlights" in CSS) CSS.highlights.set("key-active", new Highlight(range));
  const rect = range.getBoundingClientRect();
  window.scrollBy({ top: rect.top - window.innerHeight / 3 });
}

function readSelection() {
  const current = document.getSelection();
  if (!current || current.rangeCount === 0 || current.isCollapsed) return null;
  const range = current.getRangeAt(0);
  for (const [article, node] of texts) {
    const span = unitsFromRange(range, node);
    if (span) return { article, ...describeSpan(node.data, span.start, span.end) };
  }
  return null;
}

const selectionBar = document.getElementById("selection-bar");
const selectionHint = document.getElementById("selection-hint");
const twoClicks = new TwoTaps(); // a span chosen by clicking or tapping its first and last word
let lastArticle = null; // the article element the selection was made in, to return focus to

document.addEventListener("selectionchange", () => {
  for (const [ref, node] of texts) paintCaret(node.parentElement, node);
  const found = readSelection();
  if (!found) return; // clicking a button or a field must not forget the span just selected
  selection = found;
  lastArticle = texts.get(found.article).parentElement;
  selectionHint.textContent = twoClicks.anchor
    ? "Click or tap the last word of the item to extend the selection to it."
    : "";
  selectionBar.hidden = false;
  document.getElementById("selection-quote").textContent = found.quote;
  document.getElementById("selection-where").textContent = titles.get(found.article) || found.article;
});

function clearSelection() {
  selection = null;
  twoClicks.reset();
  selectionBar.hidden = true;
  document.getSelection().removeAllRanges();
}
document.getElementById("selection-clear").addEventListener("click", clearSelection);

// The same ways to select as in the trainee workspace: arrows move, Shift+arrows select, Enter
// goes to the category buttons; and, without dragging, a click or tap on the first word and
// another on the last.
for (const [ref, node] of texts) {
  const element = node.parentElement;
  element.addEventListener("keydown", (event) => {
    if (moveCaret(event, element, node)) {
      twoClicks.reset();
      paintCaret(element, node);
      return;
    }
    if (event.key === "Enter" || event.key === "f" || event.key === "F") {
      event.preventDefault();
      if (readSelection()) selectionBar.querySelector(".category-button").focus();
      else setStatus("Select words first: move with the arrow keys and hold Shift to select.", "error");
    } else if (event.key === "Escape") {
      document.getSelection().collapseToStart?.();
      twoClicks.reset();
    }
  });
  element.addEventListener("blur", () => paintCaret(element, node));
  element.addEventListener("click", (event) => {
    const current = document.getSelection();
    const plain = event.detail <= 1 && !event.shiftKey && !event.ctrlKey && !event.metaKey && !event.altKey;
    if (!plain || (current.rangeCount && !current.isCollapsed)) {
      twoClicks.reset(); // a drag, a double click or a Shift+click made the selection
      return;
    }
    const word = wordAt(node, event.clientX, event.clientY);
    if (!word) return;
    const span = twoClicks.tap(ref, word);
    current.setBaseAndExtent(node, span.start, node, span.end);
  });
}
selectionBar.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  event.preventDefault();
  const article = lastArticle;
  clearSelection();
  if (article) article.focus();
});

function setStatus(text, state) {
  const message = document.getElementById("save-message");
  message.textContent = text;
  message.dataset.state = state;
}

function changed() {
  setStatus("Unsaved changes", "dirty");
}

function uniqueId(base) {
  const taken = new Set(items.map((item) => item.id));
  let id = base.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "item";
  if (!/^[a-z0-9]/.test(id)) id = `item-${id}`;
  let candidate = id;
  for (let number = 2; taken.has(candidate); number += 1) candidate = `${id}-${number}`;
  return candidate;
}

function addItem(span, category, extra = {}) {
  const item = withUid({
    id: uniqueId(span.quote.split(/\s+/).slice(0, 4).join("-")),
    article: span.article,
    start: span.start,
    end: span.end,
    quote: span.quote,
    prefix: span.prefix || "",
    suffix: span.suffix || "",
    category,
    also: [],
    points: 1,
    group: groupedCategories.has(category) ? extra.group || null : null,
    decoy: false,
    explanation: "",
  });
  items.push(item);
  activeUid = item.uid;
  openUid = item.uid;
  changed();
  render();
  const element = document.querySelector(`[data-uid="${item.uid}"]`);
  element.scrollIntoView({ block: "nearest" });
  element.querySelector(".item-explanation").focus({ preventScroll: true });
  return item;
}

for (const button of selectionBar.querySelectorAll("[data-category]")) {
  button.addEventListener("click", () => {
    if (!selection) return;
    const span = selection;
    clearSelection();
    addItem(span, button.dataset.category);
  });
}

function option(select, value, label, selected) {
  const element = document.createElement("option");
  element.value = value;
  element.textContent = label;
  element.selected = selected;
  select.append(element);
}

/** Give each field of a cloned item a unique id and point its label at it. */
function labelFields(element, uid) {
  for (const control of element.querySelectorAll("[data-field]")) {
    control.id = `item-${uid}-${control.dataset.field}`;
    const label = element.querySelector(`label[data-for="${control.dataset.field}"]`);
    if (label) label.htmlFor = control.id;
  }
}

const canGroup = (item) => !item.decoy && [item.category, ...item.also].some((c) => groupedCategories.has(c));

function describe(item) {
  const parts = [`in ${titles.get(item.article) || item.article}`, `${item.points} point${Number(item.points) === 1 ? "" : "s"}`];
  if (item.also.length) parts.push(`also ${item.also.map((c) => categoryName.get(c) || c).join(", ")}`);
  return parts.join(" · ");
}

function renderItem(item, template) {
  const element = template.content.firstElementChild.cloneNode(true);
  element.dataset.uid = String(item.uid);
  element.dataset.itemId = item.id;
  element.classList.toggle("decoy", Boolean(item.decoy));
  element.classList.toggle("active", item.uid === activeUid);
  labelFields(element, item.uid);
  // One item's form open at a time keeps the list readable (items with problems stay open).
  const details = element.querySelector("details");
  details.open = item.uid === openUid;
  details.querySelector("summary").addEventListener("click", () => {
    const opening = !details.open;
    openUid = opening ? item.uid : null;
    if (!opening) return;
    for (const other of document.querySelectorAll("#items details[open]")) {
      if (other !== details && !other.closest(".has-problem")) other.open = false;
    }
  });

  const badge = element.querySelector(".badge");
  badge.textContent = (item.decoy ? "Decoy · " : "") + (categoryName.get(item.category) || item.category);
  badge.classList.add(`cat-${slot(item.category)}`);
  const quote = element.querySelector(".flag-quote");
  quote.textContent = quoted(item.quote);
  quote.addEventListener("click", () => {
    activeUid = item.uid;
    show(item);
    for (const other of document.querySelectorAll("#items > li")) other.classList.toggle("active", other === element);
  });
  element.querySelector(".item-label").textContent = item.id || "(no id)";
  element.querySelector(".item-summary").textContent = describe(item);
  const chip = element.querySelector(".group-chip");
  chip.hidden = !item.group;
  chip.textContent = item.group ? `group ${item.group}` : "";
  chip.title = item.group ? groups[item.group] || "not declared" : "";
  const preview = element.querySelector(".item-explanation-preview");
  const showExplanation = () => {
    preview.textContent = item.explanation ? item.explanation : "No explanation yet.";
    preview.classList.toggle("missing", !item.explanation);
  };
  showExplanation();

  const lines = element.querySelector(".item-problems");
  for (const text of problems.get(item.uid) || []) {
    const line = document.createElement("li");
    line.textContent = text;
    lines.append(line);
  }
  element.classList.toggle("has-problem", lines.childElementCount > 0);
  if (lines.childElementCount > 0) element.querySelector("details").open = true;

  const id = element.querySelector(".item-id");
  id.value = item.id;
  id.addEventListener("change", () => { item.id = id.value.trim(); changed(); render(); });

  const category = element.querySelector(".item-category");
  for (const c of data.categories) option(category, c.id, c.name, c.id === item.category);
  category.addEventListener("change", () => {
    item.category = category.value;
    item.also = item.also.filter((value) => value !== item.category);
    if (!canGroup(item)) item.group = null;
    changed();
    render();
  });

  const also = element.querySelector(".item-also");
  for (const c of data.categories) {
    if (c.id === item.category) continue;
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = item.also.includes(c.id);
    box.addEventListener("change", () => {
      item.also = box.checked ? [...item.also, c.id] : item.also.filter((value) => value !== c.id);
      if (!canGroup(item)) item.group = null;
      changed();
      render();
    });
    label.append(box, ` ${c.name}`);
    also.append(label);
  }

  const points = element.querySelector(".item-points");
  points.value = item.points;
  points.addEventListener("change", () => { item.points = Number(points.value); changed(); render(); });

  const group = element.querySelector(".item-group");
  const groupField = group.closest(".field");
  groupField.hidden = !canGroup(item) && !item.group;
  option(group, "", "none", !item.group);
  for (const [groupId, description] of Object.entries(groups)) option(group, groupId, `${groupId}: ${description}`, groupId === item.group);
  if (item.group && !(item.group in groups)) option(group, item.group, `${item.group} (not declared)`, true);
  group.addEventListener("change", () => { item.group = group.value || null; changed(); render(); });

  const decoy = element.querySelector(".item-decoy");
  decoy.checked = Boolean(item.decoy);
  decoy.addEventListener("change", () => {
    item.decoy = decoy.checked;
    if (item.decoy) item.group = null;
    changed();
    render();
  });

  const explanation = element.querySelector(".item-explanation");
  explanation.value = item.explanation || "";
  explanation.addEventListener("input", () => { item.explanation = explanation.value; showExplanation(); changed(); });

  const core = element.querySelector(".item-core");
  core.value = item.core || "";
  core.placeholder = "the whole span";
  core.addEventListener("change", () => {
    item.core = core.value.trim() || null;
    item.core_start = null;
    changed();
    render();
  });
  element.querySelector(".item-core-span").addEventListener("click", () => {
    if (!selection) return;
    if (selection.article !== item.article || selection.start < item.start || selection.end > item.end) {
      setStatus("Select the core inside the item's span.", "error");
      return;
    }
    item.core = selection.quote;
    item.core_start = selection.start;
    clearSelection();
    changed();
    render();
  });

  element.querySelector(".item-span").addEventListener("click", () => {
    if (!selection) return;
    Object.assign(item, { article: selection.article, start: selection.start, end: selection.end,
      quote: selection.quote, prefix: selection.prefix, suffix: selection.suffix });
    clearSelection();
    changed();
    render();
  });
  element.querySelector(".item-delete").addEventListener("click", () => {
    items = items.filter((other) => other !== item);
    problems.delete(item.uid);
    changed();
    render();
  });
  return element;
}

function renderGroups() {
  const list = document.getElementById("groups");
  list.replaceChildren();
  for (const [groupId, description] of Object.entries(groups)) {
    const row = document.createElement("li");
    const name = document.createElement("code");
    name.textContent = groupId;
    const input = document.createElement("input");
    input.type = "text";
    input.value = description;
    input.setAttribute("aria-label", `Description of group ${groupId}`);
    input.addEventListener("change", () => { groups[groupId] = input.value; changed(); });
    const members = items.filter((item) => item.group === groupId).length;
    const count = document.createElement("span");
    count.className = members < 2 ? "member-count short" : "member-count";
    count.textContent = members === 1 ? "1 member" : `${members} members`;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "small link-button";
    remove.textContent = "Remove";
    remove.setAttribute("aria-label", `Remove group ${groupId}`);
    remove.addEventListener("click", () => {
      delete groups[groupId];
      for (const item of items) if (item.group === groupId) item.group = null;
      changed();
      render();
    });
    row.append(name, input, count, remove);
    list.append(row);
  }
  document.getElementById("groups-empty").hidden = list.childElementCount > 0;
}

// Items are kept in reading order: by article, then by where they start.
const readingOrder = (a, b) =>
  (articleOrder.get(a.article) ?? 99) - (articleOrder.get(b.article) ?? 99) || a.start - b.start || a.end - b.end;

function render() {
  items.sort(readingOrder);
  const list = document.getElementById("items");
  const template = document.getElementById("item-template");
  // Keep the caret where the instructor is typing (an id change redraws the list).
  const focused = document.activeElement && document.activeElement.closest("#items [data-uid]") ? document.activeElement : null;
  const focusedField = focused ? [focused.closest("[data-uid]").dataset.uid, focused.dataset.field] : null;
  list.replaceChildren(...items.map((item) => {
    return renderItem(item, template);
  }));
  if (focusedField) {
    const again = list.querySelector(`[data-uid="${focusedField[0]}"] [data-field="${focusedField[1]}"]`);
    if (again) again.focus({ preventScroll: true });
  }
  document.getElementById("items-empty").hidden = items.length > 0;
  document.getElementById("item-count").textContent = String(items.length);
  renderGroups();
  renderSuggestions();
  paint();
}

document.getElementById("add-group").addEventListener("click", () => {
  const id = document.getElementById("new-group-id");
  const description = document.getElementById("new-group-description");
  const groupId = id.value.trim();
  if (!groupId) return;
  groups[groupId] = description.value.trim() || groupId;
  id.value = "";
  description.value = "";
  changed();
  render();
});

/** Sort the problems of a failed save onto their items (by id, or by position for items[n]). */
function showProblems(list) {
  problems = new Map();
  const general = document.getElementById("general-problems");
  general.replaceChildren();
  for (const problem of list) {
    const position = /^items\[(\d+)\]$/.exec(problem.item || "");
    const owners = position
      ? [items[Number(position[1]) - 1]].filter(Boolean)
      : items.filter((item) => problem.item && item.id === problem.item);
    const text = problem.field ? `${problem.field}: ${problem.message}` : problem.message;
    for (const item of owners) problems.set(item.uid, [...(problems.get(item.uid) || []), text]);
    if (!owners.length) {
      const line = document.createElement("li");
      line.textContent = problem.text;
      general.append(line);
    }
  }
  render();
}

document.getElementById("save-key").addEventListener("click", async () => {
  setStatus("Saving…", "saving");
  const payload = items.map(({ uid, ...item }) => item);
  try {
    const response = await fetch(root.dataset.saveUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken, Accept: "application/json" },
      body: JSON.stringify({ items: payload, groups, note: document.getElementById("save-note").value }),
    });
    const body = await response.json();
    if (response.ok) {
      items = body.items.map(withUid);
      showProblems([]);
      setStatus(body.message, "saved");
    } else {
      setStatus(body.error || "The key was not saved.", "error");
      showProblems(body.problems || []);
      const first = document.querySelector("#items > li.has-problem, #general-problems li");
      if (first) first.scrollIntoView({ block: "nearest" });
    }
  } catch (error) {
    setStatus("The key was not saved: the server could not be reached. Try again.", "error");
  }
});

async function postDismissed(keys, isDismissed) {
  const response = await fetch(root.dataset.dismissUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken, Accept: "application/json" },
    body: JSON.stringify({ keys, dismissed: isDismissed }),
  });
  if (!response.ok) throw new Error(`dismissal not stored (${response.status})`);
  dismissed = new Set((await response.json()).dismissed);
}

function renderSuggestions() {
  const list = document.getElementById("suggestions");
  const template = document.getElementById("suggestion-template");
  list.replaceChildren(...suggestions.map((suggestion) => {
    const element = template.content.firstElementChild.cloneNode(true);
    const badge = element.querySelector(".badge");
    const category = categoryIndex.has(suggestion.category) ? suggestion.category : data.categories[0].id;
    badge.textContent = categoryName.get(category);
    badge.classList.add(`cat-${slot(category)}`);
    const quote = element.querySelector(".flag-quote");
    quote.textContent = quoted(suggestion.quote);
    quote.addEventListener("click", () => show(suggestion));
    element.querySelector(".flag-where").textContent =
      `${suggestion.reason} · in ${titles.get(suggestion.article)}` + (suggestion.group ? ` · proposed group ${suggestion.group}` : "");
    element.querySelector(".suggestion-accept").addEventListener("click", () => {
      if (suggestion.group && groupedCategories.has(category) && !(suggestion.group in groups)) {
        groups[suggestion.group] = suggestion.group.replace(/[-_]/g, " ");
      }
      suggestions = suggestions.filter((other) => other !== suggestion);
      addItem(suggestion, category, { group: suggestion.group });
    });
    element.querySelector(".suggestion-dismiss").addEventListener("click", async () => {
      suggestions = suggestions.filter((other) => other !== suggestion);
      render();
      try {
        await postDismissed([suggestionKey(suggestion)], true);
      } catch (error) {
        setStatus("The dismissal was not stored; it will be suggested again.", "error");
      }
      renderDismissed();
    });
    return element;
  }));
  const status = document.getElementById("suggestions-status");
  if (status.dataset.loaded) status.textContent = suggestions.length ? "" : "No more suggestions.";
}

function renderDismissed() {
  const restore = document.getElementById("restore-suggestions");
  restore.hidden = dismissed.size === 0;
  restore.textContent = `Bring back ${dismissed.size} dismissed`;
}

async function loadSuggestions() {
  const status = document.getElementById("suggestions-status");
  status.textContent = "Looking…";
  const response = await fetch(root.dataset.suggestUrl, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    status.textContent = "Suggestions could not be loaded.";
    return;
  }
  const body = await response.json();
  const keyed = (s) => items.some((item) => item.article === s.article && item.start < s.end && s.start < item.end && item.category === s.category);
  suggestions = body.suggestions.filter((s) => !keyed(s) && !dismissed.has(suggestionKey(s)));
  status.dataset.loaded = "yes";
  render();
  renderDismissed();
}

document.getElementById("load-suggestions").addEventListener("click", loadSuggestions);
document.getElementById("restore-suggestions").addEventListener("click", async () => {
  try {
    await postDismissed([...dismissed], false);
  } catch (error) {
    setStatus("The dismissed suggestions could not be brought back.", "error");
    return;
  }
  await loadSuggestions();
});

renderDismissed();
render();
root.dataset.ready = "yes";
