// Instructor dashboard: draws the score histogram and lists the flags at a chosen hot spot.
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

  function watchHeatmaps() {
    document.querySelectorAll(".heatmap").forEach(function (heatmap) {
      heatmap.addEventListener("click", function (event) {
        var segment = event.target.closest("[data-at]");
        if (segment) { choose(segment); }
      });
      heatmap.addEventListener("keydown", function (event) {
        var segment = event.target.closest("[data-at]");
        if (segment && (event.key === "Enter" || event.key === " ")) {
          event.preventDefault();
          choose(segment);
        }
      });
    });
  }

  drawHistogram(readData());
  watchHeatmaps();
}());
