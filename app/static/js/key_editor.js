// The key editor: select words in an article to add a key item, edit its fields, accept or
// dismiss suggestions, save the whole key as JSON. Spans are read and converted by the trainee
// workspace's offsets module, so the editor and the workspace count offsets the same way.
import { describeSpan, unitOffsets, unitsFromRange } from "./offsets.js";

const root = document.getElementById("key-editor");
const data = JSON.parse(document.getElementById("editor-data").textContent);
const csrfToken = document.querySelector('meta[name="csrf-token"]').content;

const texts = new Map();     // article ref -> its text node
const units = new Map();     // article ref -> code point -> UTF-16 offset
const titles = new Map(data.articles.map((a) => [a.ref, a.title]));
const categoryIndex = new Map(data.categories.map((c, index) => [c.id, index]));
const categoryName = new Map(data.categories.map((c) => [c.id, c.name]));
const groupedCategories = new Set(data.categories.filter((c) => c.grouped).map((c) => c.id));

let items = data.items.map((item) => ({ ...item, also: [...(item.also || [])] }));
let groups = { ...data.groups };
let suggestions = [];
let selection = null; // the span selected in an article, as describeSpan returns it plus the article

for (const element of root.querySelectorAll(".article-text")) {
  const ref = element.dataset.article;
  const node = element.firstChild || element.appendChild(document.createTextNode(""));
  texts.set(ref, node);
  units.set(ref, unitOffsets(node.data));
}

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
  for (let index = 0; index < 6; index += 1) CSS.highlights.delete(`key-cat-${index}`);
  const byCategory = new Map();
  for (const item of items) {
    const range = rangeFor(item.article, item.start, item.end);
    if (!range) continue;
    const name = `key-cat-${Math.min(categoryIndex.get(item.category) ?? 0, 5)}`;
    if (!byCategory.has(name)) byCategory.set(name, []);
    byCategory.get(name).push(range);
  }
  for (const [name, ranges] of byCategory) CSS.highlights.set(name, new Highlight(...ranges));
  const pending = suggestions.map((s) => rangeFor(s.article, s.start, s.end)).filter(Boolean);
  CSS.highlights.set("key-suggestion", new Highlight(...pending));
}

function show(item) {
  if (!("highlights" in CSS)) return;
  const range = rangeFor(item.article, item.start, item.end);
  if (range) {
    CSS.highlights.set("key-active", new Highlight(range));
    range.startContainer.parentElement.scrollIntoView({ block: "nearest" });
  }
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

document.addEventListener("selectionchange", () => {
  const found = readSelection();
  if (found) selection = found;
  const bar = document.getElementById("selection-bar");
  bar.hidden = !found;
  if (found) document.getElementById("selection-quote").textContent = found.quote;
});

function uniqueId(base) {
  const taken = new Set(items.map((item) => item.id));
  let id = base.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "item";
  if (!/^[a-z0-9]/.test(id)) id = `item-${id}`;
  let candidate = id;
  for (let number = 2; taken.has(candidate); number += 1) candidate = `${id}-${number}`;
  return candidate;
}

function addItem(span, category, extra = {}) {
  const item = {
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
  };
  items.push(item);
  render();
  return item;
}

for (const button of root.querySelectorAll("#selection-bar [data-category]")) {
  button.addEventListener("click", () => {
    if (!selection) return;
    const item = addItem(selection, button.dataset.category);
    document.getSelection().removeAllRanges();
    const element = document.querySelector(`[data-item-id="${CSS.escape(item.id)}"] details`);
    if (element) element.open = true;
  });
}

function option(select, value, label, selected) {
  const element = document.createElement("option");
  element.value = value;
  element.textContent = label;
  element.selected = selected;
  select.append(element);
}

function renderItem(item, template) {
  const element = template.content.firstElementChild.cloneNode(true);
  element.dataset.itemId = item.id;
  element.classList.toggle("decoy", Boolean(item.decoy));
  const badge = element.querySelector(".badge");
  badge.textContent = (item.decoy ? "Decoy: " : "") + (categoryName.get(item.category) || item.category);
  badge.classList.add(`cat-${Math.min(categoryIndex.get(item.category) ?? 0, 5)}`);
  element.querySelector(".flag-quote").textContent = item.quote;
  element.querySelector(".flag-where").textContent =
    `${item.id} · in ${titles.get(item.article) || item.article}` + (item.group ? ` · group ${item.group}` : "");
  element.querySelector(".flag-quote").addEventListener("click", () => show(item));

  const id = element.querySelector(".item-id");
  id.value = item.id;
  id.addEventListener("change", () => { item.id = id.value.trim(); render(); });

  const category = element.querySelector(".item-category");
  for (const c of data.categories) option(category, c.id, c.name, c.id === item.category);
  category.addEventListener("change", () => { item.category = category.value; render(); });

  const also = element.querySelector(".item-also");
  for (const c of data.categories) {
    if (c.id === item.category) continue;
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = item.also.includes(c.id);
    box.addEventListener("change", () => {
      item.also = box.checked ? [...item.also, c.id] : item.also.filter((value) => value !== c.id);
      render();
    });
    label.append(box, ` ${c.name}`);
    also.append(label);
  }

  const points = element.querySelector(".item-points");
  points.value = item.points;
  points.addEventListener("change", () => { item.points = Number(points.value); });

  const group = element.querySelector(".item-group");
  option(group, "", "none", !item.group);
  for (const [groupId, description] of Object.entries(groups)) option(group, groupId, `${groupId}: ${description}`, groupId === item.group);
  if (item.group && !(item.group in groups)) option(group, item.group, `${item.group} (not declared)`, true);
  group.addEventListener("change", () => { item.group = group.value || null; render(); });

  const decoy = element.querySelector(".item-decoy");
  decoy.checked = Boolean(item.decoy);
  decoy.addEventListener("change", () => { item.decoy = decoy.checked; if (item.decoy) item.group = null; render(); });

  const explanation = element.querySelector(".item-explanation");
  explanation.value = item.explanation || "";
  explanation.addEventListener("input", () => { item.explanation = explanation.value; });

  element.querySelector(".item-span").addEventListener("click", () => {
    if (!selection) return;
    Object.assign(item, { article: selection.article, start: selection.start, end: selection.end,
      quote: selection.quote, prefix: selection.prefix, suffix: selection.suffix });
    render();
  });
  element.querySelector(".item-delete").addEventListener("click", () => {
    items = items.filter((other) => other !== item);
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
    input.addEventListener("change", () => { groups[groupId] = input.value; });
    const members = items.filter((item) => item.group === groupId).length;
    const count = document.createElement("span");
    count.className = "muted";
    count.textContent = `${members} member(s)`;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "small link-button";
    remove.textContent = "Remove";
    remove.addEventListener("click", () => {
      delete groups[groupId];
      for (const item of items) if (item.group === groupId) item.group = null;
      render();
    });
    row.append(name, input, count, remove);
    list.append(row);
  }
}

function render() {
  const list = document.getElementById("items");
  const template = document.getElementById("item-template");
  const open = new Set([...list.querySelectorAll("details[open]")].map((d) => d.closest("[data-item-id]").dataset.itemId));
  list.replaceChildren(...items.map((item) => {
    const element = renderItem(item, template);
    if (open.has(item.id)) element.querySelector("details").open = true;
    return element;
  }));
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
  render();
});

function showProblems(problems) {
  const general = document.getElementById("general-problems");
  general.replaceChildren();
  for (const element of document.querySelectorAll(".key-item")) element.classList.remove("has-problem");
  for (const problem of problems) {
    const line = document.createElement("li");
    line.textContent = problem.field ? `${problem.field}: ${problem.message}` : problem.message;
    const element = problem.item && document.querySelector(`.key-item[data-item-id="${CSS.escape(problem.item)}"]`);
    if (element) {
      element.classList.add("has-problem");
      element.querySelector(".item-problems").append(line);
    } else {
      line.textContent = problem.text;
      general.append(line);
    }
  }
}

document.getElementById("save-key").addEventListener("click", async () => {
  const message = document.getElementById("save-message");
  message.classList.remove("error");
  message.textContent = "Saving…";
  render();
  try {
    const response = await fetch(root.dataset.saveUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken, Accept: "application/json" },
      body: JSON.stringify({ items, groups, note: document.getElementById("save-note").value }),
    });
    const body = await response.json();
    if (response.ok) {
      items = body.items.map((item) => ({ ...item, also: [...(item.also || [])] }));
      render();
      showProblems([]);
      message.textContent = body.message;
    } else {
      message.classList.add("error");
      message.textContent = body.error || "The key was not saved.";
      showProblems(body.problems || []);
    }
  } catch (error) {
    message.classList.add("error");
    message.textContent = "The key was not saved: the server could not be reached. Try again.";
  }
});

function renderSuggestions() {
  const list = document.getElementById("suggestions");
  const template = document.getElementById("suggestion-template");
  list.replaceChildren(...suggestions.map((suggestion) => {
    const element = template.content.firstElementChild.cloneNode(true);
    const badge = element.querySelector(".badge");
    const category = categoryIndex.has(suggestion.category) ? suggestion.category : data.categories[0].id;
    badge.textContent = categoryName.get(category);
    badge.classList.add(`cat-${Math.min(categoryIndex.get(category) ?? 0, 5)}`);
    element.querySelector(".flag-quote").textContent = suggestion.quote;
    element.querySelector(".flag-where").textContent =
      `${suggestion.reason} · in ${titles.get(suggestion.article)}` + (suggestion.group ? ` · proposed group ${suggestion.group}` : "");
    element.querySelector(".flag-quote").addEventListener("click", () => show(suggestion));
    element.querySelector(".suggestion-accept").addEventListener("click", () => {
      if (suggestion.group && groupedCategories.has(category) && !(suggestion.group in groups)) {
        groups[suggestion.group] = suggestion.group.replace(/[-_]/g, " ");
      }
      suggestions = suggestions.filter((other) => other !== suggestion);
      addItem(suggestion, category, { group: suggestion.group });
    });
    element.querySelector(".suggestion-dismiss").addEventListener("click", () => {
      suggestions = suggestions.filter((other) => other !== suggestion);
      render();
    });
    return element;
  }));
}

document.getElementById("load-suggestions").addEventListener("click", async () => {
  const response = await fetch(root.dataset.suggestUrl, { headers: { Accept: "application/json" } });
  if (!response.ok) return;
  const body = await response.json();
  const keyed = (s) => items.some((item) => item.article === s.article && item.start < s.end && s.start < item.end && item.category === s.category);
  suggestions = body.suggestions.filter((s) => !keyed(s));
  render();
});

render();
