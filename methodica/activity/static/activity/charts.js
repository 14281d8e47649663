// The reach page's bar charts, drawn with Chart.js from the figures that the page
// also shows in a table beside each chart (for those who do not see the chart).
(function () {
  "use strict";
  if (!window.Chart) { return; }
  var lang = document.documentElement.lang || "bg";
  document.querySelectorAll("canvas.activity-chart").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.source);
    if (!source) { return; }
    var rows = JSON.parse(source.textContent);
    if (!rows.length) { canvas.hidden = true; return; }
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: rows.map(function (r) { return r[0]; }),
        datasets: [{ data: rows.map(function (r) { return r[1]; }),
                     backgroundColor: "#1f4e79" }]
      },
      options: { animation: false, locale: lang, indexAxis: "y",
                 plugins: { legend: { display: false } },
                 scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  });
})();
