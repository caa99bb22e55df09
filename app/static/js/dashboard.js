// Instructor dashboard: draws the score histogram, lists the flags at a chosen hot spot and loads
// a large exercise's heatmaps one article at a time.
// Data comes from the page's <script type="application/json" id="dashboard-data">.
(function () {
  "use strict";

  function readData() {
    var element = document.getElementById("dashboard-data");
    return element ? JSON.parse(element.textContent) : null;
  }

  function drawHistogram(data) {
    var canvas = document.getElementById("score-histogram");
    if (!canvas || !data || typeof window.Chart !== "function") {
      return;
    }
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.histogram.labels,
        datasets: [{ label: "Submissions", data: data.histogram.counts, backgroundColor: "#1f5fa8" }]
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: {
          x: { title: { display: true, text: "Score" } },
          y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Submissions" } }
        }
      }
    });
  }

  function item(text, className) {
    var element = document.createElement("span");
    element.className = className;
    element.textContent = text;
    return element;
  }

  function showFlags(payload) {
    var status = document.getElementById("hotspot-status");
    var list = document.getElementById("hotspot-flags");
    list.replaceChildren();
    var shown = payload.flags.length;
    status.textContent = payload.total === 0 ? "No flags here."
      : payload.total + " flag" + (payload.total === 1 ? "" : "s") + " cover this spot" +
        (shown < payload.total ? "; the first " + shown + " (notes first):" : ":");
    payload.flags.forEach(function (flag) {
      var entry = document.createElement("li");
      entry.appendChild(item("\u201c" + flag.quote + "\u201d", "flag-quote"));
      entry.appendChild(item(flag.category + " \u00b7 " + flag.trainee, "muted small"));
      if (flag.note) {
        entry.appendChild(item(flag.note, "flag-note"));
      }
      list.appendChild(entry);
    });
  }

  function choose(segment) {
    var panel = document.getElementById("hotspot");
    var article = segment.closest(".heatmap").getAttribute("data-article");
    var url = panel.getAttribute("data-url") + "?article=" + encodeURIComponent(article) +
      "&at=" + encodeURIComponent(segment.getAttribute("data-at"));
    document.querySelectorAll(".heatmap .chosen").forEach(function (other) { other.classList.remove("chosen"); });
    segment.classList.add("chosen");
    document.getElementById("hotspot-status").textContent = "Loading\u2026";
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (payload) { showFlags(payload); })
      .catch(function () {
        document.getElementById("hotspot-status").textContent = "The flags could not be loaded. Reload the page and try again.";
      });
  }

  // Each heatmap is one Tab stop (roving tabindex): the arrow keys, Home and End move between
  // its flagged stretches, Enter or Space lists their flags.
  function rove(heatmap, from, to) {
    from.setAttribute("tabindex", "-1");
    to.setAttribute("tabindex", "0");
    to.focus();
  }

  function watchHeatmaps(root) {
    root.querySelectorAll(".heatmap").forEach(function (heatmap) {
      heatmap.addEventListener("click", function (event) {
        var segment = event.target.closest("[data-at]");
        if (segment) {
          var current = heatmap.querySelector("[data-at][tabindex='0']");
          if (current && current !== segment) { rove(heatmap, current, segment); }
          choose(segment);
        }
      });
      heatmap.addEventListener("keydown", function (event) {
        var segment = event.target.closest("[data-at]");
        if (!segment) { return; }
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          choose(segment);
          return;
        }
        var all = Array.prototype.slice.call(heatmap.querySelectorAll("[data-at]"));
        var index = all.indexOf(segment);
        var next = null;
        if (event.key === "ArrowRight" || event.key === "ArrowDown") { next = all[Math.min(index + 1, all.length - 1)]; }
        else if (event.key === "ArrowLeft" || event.key === "ArrowUp") { next = all[Math.max(index - 1, 0)]; }
        else if (event.key === "Home") { next = all[0]; }
        else if (event.key === "End") { next = all[all.length - 1]; }
        if (next) {
          event.preventDefault();
          if (next !== segment) { rove(heatmap, segment, next); }
        }
      });
    });
  }

  // A large exercise's dashboard lists its articles in <details>, each holding a link to the
  // article's heatmap page; opening one the first time fetches the heatmap and puts it in place
  // of the link (which stays if the fetch fails).
  function loadHeatmap(details) {
    var slot = details.querySelector(".heat-slot");
    var status = slot.querySelector("[role=status]");
    if (!status) {
      status = document.createElement("p");
      status.className = "muted";
      status.setAttribute("role", "status");
      slot.appendChild(status);
    }
    status.textContent = "Loading the heatmap\u2026";
    slot.setAttribute("aria-busy", "true");
    fetch(details.getAttribute("data-fragment"), { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.text();
      })
      .then(function (html) {
        var template = document.createElement("template");
        template.innerHTML = html;
        slot.replaceChildren(template.content);
        watchHeatmaps(slot);
      })
      .catch(function () {
        status.textContent = "The heatmap could not be loaded; follow the link to open it on its own page.";
        details.removeAttribute("data-loading");
      })
      .finally(function () { slot.removeAttribute("aria-busy"); });
  }

  function watchDisclosures() {
    document.querySelectorAll("details[data-fragment]").forEach(function (details) {
      details.addEventListener("toggle", function () {
        if (details.open && !details.hasAttribute("data-loading")) {
          details.setAttribute("data-loading", "");
          loadHeatmap(details);
        }
      });
    });
  }

  // The trainee table: sorted by name on the server; header buttons sort it, a text box filters it.
  function cellValue(row, column, kind) {
    var cell = row.cells[column];
    var value = cell ? cell.getAttribute("data-value") : "";
    if (kind === "number") {
      return value === "" || value === null || value === "None" ? null : parseFloat(value);
    }
    return (value || "").toLowerCase();
  }

  function sortTable(table, header) {
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var column = headers.indexOf(header);
    var kind = header.getAttribute("data-sort");
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, column, kind);
      var y = cellValue(b, column, kind);
      if (x === y) { return 0; }
      if (x === null) { return 1; }  // empty cells last, either way
      if (y === null) { return -1; }
      var order = x < y ? -1 : 1;
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    var caption = table.querySelector("caption");
    if (caption) {
      caption.textContent = "Trainees, sorted by " + header.textContent.trim() + (ascending ? ", ascending" : ", descending");
    }
  }

  function filterTable(table, text, count) {
    var words = text.trim().toLowerCase();
    var shown = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var match = !words || row.textContent.toLowerCase().indexOf(words) !== -1;
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    count.textContent = words ? shown + " of " + table.tBodies[0].rows.length + " trainees shown" : "";
  }

  function enhanceTraineeTable() {
    var table = document.getElementById("trainees");
    if (!table || !table.tHead) { return; }
    table.tHead.querySelectorAll("th[data-sort]").forEach(function (header) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = header.textContent;
      header.replaceChildren(button);
      button.addEventListener("click", function () { sortTable(table, header); });
    });
    var tools = document.getElementById("trainee-tools");
    var input = document.getElementById("trainee-filter");
    var count = document.getElementById("trainee-count");
    if (tools && input && count) {
      tools.hidden = false;
      input.addEventListener("input", function () { filterTable(table, input.value, count); });
    }
  }

  drawHistogram(readData());
  watchHeatmaps(document);
  watchDisclosures();
  enhanceTraineeTable();
}());
