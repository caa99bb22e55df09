// Cohort progress: draws the means of two exercises side by side, per measure.
// Data comes from the page's <script type="application/json" id="progress-data">.
(function () {
  "use strict";

  var element = document.getElementById("progress-data");
  var canvas = document.getElementById("progress-chart");
  if (!element || !canvas || typeof window.Chart !== "function") {
    return;
  }
  var data = JSON.parse(element.textContent);
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: data.pre.label, data: data.pre.means, backgroundColor: "#8fa9c8" },
        { label: data.post.label, data: data.post.means, backgroundColor: "#1f5fa8" }
      ]
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: { y: { beginAtZero: true, max: 100, title: { display: true, text: "Mean (0–100)" } } }
    }
  });
})();
