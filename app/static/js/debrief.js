// The debrief: each numbered marker opens its explanation beside its span (a card in the margin
// on wide screens, below the paragraph on narrow ones), and the filter row shows my flags, what
// I missed, false positives or decoys. Without this script every note is listed under its article
// and each marker links to its note.
(function () {
  "use strict";

  const WIDE = window.matchMedia("(min-width: 62rem)");
  const WANTED = {
    default: ["mine", "missed"],
    all: ["mine", "missed", "false", "decoys"],
  };

  function shown(tags, choice) {
    const wanted = WANTED[choice] || [choice];
    return (tags || "").split(" ").some((tag) => wanted.includes(tag));
  }

  function setUp(debrief) {
    if (debrief.dataset.ready) return;
    debrief.dataset.ready = "1";
    const articles = Array.from(debrief.querySelectorAll(".debrief-article"));
    const filter = debrief.querySelector("[data-filter]");
    let open = null; // { article, card, marker, number }

    function noteOf(article, number) {
      return article.querySelector(`.note[data-note="${number}"]`);
    }

    function markerOf(article, number) {
      return article.querySelector(`.marker[data-note="${number}"]`);
    }

    function place(card, marker, body) {
      if (WIDE.matches) {
        if (card.parentElement !== body) body.appendChild(card);
        const top = marker.getBoundingClientRect().top - body.getBoundingClientRect().top - 8;
        card.style.top = `${Math.max(0, top)}px`;
        body.style.minHeight = `${Math.max(0, top) + card.offsetHeight}px`;
      } else {
        card.style.top = "";
        body.style.minHeight = "";
        marker.closest("p").after(card);
      }
    }

    function close(returnFocus) {
      if (!open) return;
      const { card, marker, article } = open;
      card.hidden = true;
      card.replaceChildren();
      card.style.top = "";
      article.querySelector(".debrief-body").style.minHeight = "";
      marker.setAttribute("aria-expanded", "false");
      article.querySelectorAll("mark.current").forEach((mark) => mark.classList.remove("current"));
      article.querySelectorAll(".note.active").forEach((note) => note.classList.remove("active"));
      open = null;
      if (returnFocus) marker.focus();
    }

    function show(article, number) {
      const marker = markerOf(article, number);
      const note = noteOf(article, number);
      if (!marker || !note) return;
      if (open && open.article === article && open.number === number) return;
      close(false);
      const card = article.querySelector(".note-card");
      const head = document.createElement("p");
      head.className = "card-head";
      const title = document.createElement("strong");
      title.textContent = `Note ${number}`;
      const shut = document.createElement("button");
      shut.type = "button";
      shut.className = "card-close";
      shut.textContent = "Close";
      shut.setAttribute("aria-label", `Close note ${number}`);
      shut.addEventListener("click", () => close(true));
      head.append(title, shut);
      const body = document.createElement("div");
      Array.from(note.childNodes).forEach((child) => body.appendChild(child.cloneNode(true)));
      card.replaceChildren(head, body);
      card.setAttribute("aria-label", `Explanation of note ${number}`);
      card.hidden = false;
      marker.setAttribute("aria-expanded", "true");
      note.classList.add("active");
      article.querySelectorAll("mark[data-notes]").forEach((mark) => {
        if (mark.dataset.notes.split(" ").includes(String(number))) mark.classList.add("current");
      });
      open = { article, card, marker, number };
      place(card, marker, article.querySelector(".debrief-body"));
    }

    articles.forEach((article) => {
      const card = article.querySelector(".note-card");
      article.querySelectorAll(".marker").forEach((marker) => {
        marker.setAttribute("role", "button");
        marker.setAttribute("aria-expanded", "false");
        marker.setAttribute("aria-controls", card.id);
        const number = Number(marker.dataset.note);
        marker.addEventListener("click", (event) => {
          event.preventDefault();
          show(article, number);
        });
        marker.addEventListener("focus", () => show(article, number));
        marker.addEventListener("keydown", (event) => {
          if (event.key === " ") {
            event.preventDefault();
            show(article, number);
          }
        });
      });
      article.querySelectorAll("mark[data-notes]").forEach((mark) => {
        if (!mark.dataset.notes) {
          mark.removeAttribute("data-notes");
          return;
        }
        mark.addEventListener("click", () => {
          const number = mark.dataset.notes
            .split(" ")
            .map(Number)
            .find((n) => !noteOf(article, n).classList.contains("filtered"));
          if (number) show(article, number);
        });
      });
    });

    debrief.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || !open) return;
      const inside = open.card.contains(document.activeElement) || document.activeElement === open.marker;
      close(inside);
    });

    WIDE.addEventListener("change", () => {
      if (open) place(open.card, open.marker, open.article.querySelector(".debrief-body"));
    });
    window.addEventListener("resize", () => {
      if (open && WIDE.matches) place(open.card, open.marker, open.article.querySelector(".debrief-body"));
    });

    function applyFilter(choice) {
      debrief.querySelectorAll(".note[data-shows], .marker[data-shows], mark[data-shows]").forEach((element) => {
        element.classList.toggle("filtered", !shown(element.dataset.shows, choice));
      });
      if (open && open.marker.classList.contains("filtered")) close(false);
    }

    if (filter) {
      filter.hidden = false;
      filter.addEventListener("change", (event) => {
        if (event.target.name && event.target.checked) applyFilter(event.target.value);
      });
      const checked = filter.querySelector("input:checked");
      applyFilter(checked ? checked.value : "default");
    }
  }

  function start() {
    document.querySelectorAll("[data-debrief]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
