// The consolidation's ranking: libraries of the chosen set as horizontal bars, highest
// first, drawn with Chart.js. The same figures are in the table under the chart.
(function () {
  "use strict";
  var source = document.getElementById("ranking-data");
  var canvas = document.getElementById("ranking-chart");
  if (!source || !canvas || !window.Chart) { return; }
  var data = JSON.parse(source.textContent);
  var lang = document.documentElement.lang || "bg";
  var format = new Intl.NumberFormat(lang, { maximumFractionDigits: 3 });
  function short(text) { return text.length > 42 ? text.slice(0, 40) + "…" : text; }
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels.map(short),
      datasets: [{ label: data.label, data: data.values, backgroundColor: "#1f4e79" }]
    },
    options: {
      indexAxis: "y", animation: false, maintainAspectRatio: false, locale: lang,
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: {
          title: function (items) { return data.labels[items[0].dataIndex]; },
          label: function (item) { return format.format(item.parsed.x); }
        } }
      },
      scales: { x: { beginAtZero: true }, y: { ticks: { autoSkip: false } } }
    }
  });
  canvas.dataset.bars = String(data.values.length);
})();
