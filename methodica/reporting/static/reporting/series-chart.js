// The consolidation's time series: one indicator's district total per year, drawn with
// Chart.js and written out in a table for those who do not see the chart.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("series-data").textContent);
  var select = document.getElementById("series-indicator");
  var canvas = document.getElementById("series-chart");
  var body = document.querySelector("#series-table tbody");
  if (!select || !canvas || !window.Chart) { return; }
  var format = new Intl.NumberFormat(document.documentElement.lang || "bg");
  data.indicators.forEach(function (indicator, index) {
    var option = document.createElement("option");
    option.value = String(index);
    option.textContent = indicator.name;
    select.appendChild(option);
  });
  var chart = new Chart(canvas, {
    type: "line",
    data: { labels: [], datasets: [{ label: "", data: [], borderColor: "#1f4e79",
                                      backgroundColor: "#1f4e79", tension: 0.2 }] },
    options: { animation: false, locale: document.documentElement.lang || "bg",
               plugins: { legend: { display: false } },
               scales: { y: { beginAtZero: true } } }
  });
  function show(index) {
    var indicator = data.indicators[index];
    chart.data.labels = indicator.points.map(function (p) { return p[0]; });
    chart.data.datasets[0].data = indicator.points.map(function (p) { return p[1]; });
    chart.data.datasets[0].label = indicator.name;
    chart.update();
    body.textContent = "";
    indicator.points.forEach(function (p) {
      var row = body.insertRow();
      row.insertCell().textContent = p[0];
      row.insertCell().textContent = format.format(p[1]);
    });
    canvas.dataset.points = String(indicator.points.length);
  }
  select.addEventListener("change", function () { show(Number(select.value)); });
  if (data.indicators.length) { show(0); }
})();
