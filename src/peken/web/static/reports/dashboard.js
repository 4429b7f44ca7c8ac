// The city dashboard's charts, drawn with the vendored Chart.js from the figures the page
// embeds (json_script #grafik-data). Every chart has its numbers in a table on the page too.
(function () {
  "use strict";
  var GREEN = "#0b6e4f", AMBER = "#d08c00", GREY = "#8a8a8a";
  var rupiah = new Intl.NumberFormat("id-ID");
  var compact = new Intl.NumberFormat("id-ID", { notation: "compact", maximumFractionDigits: 1 });

  function money(value) { return "Rp " + rupiah.format(value); }
  function moneyTick(value) { return "Rp " + compact.format(value); }
  function percent(value) { return Math.round(value * 100) + "%"; }

  function common(extra) {
    // No animation: the charts are there at once, for the print dialog and the screenshots.
    var options = {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { position: "bottom" } }
    };
    return Object.assign(options, extra || {});
  }

  function daily(canvas, data, labels) {
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: labels.turnover, data: data.turnover, backgroundColor: GREEN, yAxisID: "y" },
          { label: labels.orders, data: data.orders, type: "line", borderColor: AMBER,
            backgroundColor: AMBER, pointRadius: 2, yAxisID: "orders" }
        ]
      },
      options: common({
        scales: {
          y: { beginAtZero: true, ticks: { callback: moneyTick } },
          orders: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } }
        },
        plugins: { legend: { position: "bottom" }, tooltip: { callbacks: {
          label: function (item) {
            return item.dataset.yAxisID === "y" ? item.dataset.label + ": " + money(item.raw)
              : item.dataset.label + ": " + rupiah.format(item.raw);
          }
        } } }
      })
    });
  }

  function monthly(canvas, data, labels) {
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: labels.turnover, data: data.turnover, backgroundColor: GREEN },
          { label: labels.asn, data: data.asn, backgroundColor: AMBER }
        ]
      },
      options: common({
        scales: { y: { beginAtZero: true, ticks: { callback: moneyTick } } },
        plugins: { legend: { position: "bottom" }, tooltip: { callbacks: {
          label: function (item) { return item.dataset.label + ": " + money(item.raw); }
        } } }
      })
    });
  }

  function lorenz(canvas, points, labels) {
    return new Chart(canvas, {
      type: "line",
      data: {
        datasets: [
          { label: labels.lorenz, data: points, borderColor: GREEN, backgroundColor: "rgba(11,110,79,.15)",
            fill: "origin", pointRadius: 0, tension: 0 },
          { label: labels.equality, data: [{ x: 0, y: 0 }, { x: 1, y: 1 }], borderColor: GREY,
            borderDash: [6, 4], pointRadius: 0 }
        ]
      },
      options: common({
        interaction: { mode: "nearest", intersect: false },
        scales: {
          x: { type: "linear", min: 0, max: 1, title: { display: true, text: labels.shops },
               ticks: { callback: percent } },
          y: { min: 0, max: 1, title: { display: true, text: labels.money },
               ticks: { callback: percent } }
        }
      })
    });
  }

  function draw() {
    var source = document.getElementById("grafik-data");
    if (!source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var charts = [
      ["grafik-harian", function (el) { return daily(el, data.days, data.labels); }],
      ["grafik-bulanan", function (el) { return monthly(el, data.months, data.labels); }],
      ["grafik-lorenz", function (el) { return lorenz(el, data.lorenz, data.labels); }]
    ];
    charts.forEach(function (pair) {
      var canvas = document.getElementById(pair[0]);
      if (canvas) { canvas.dataset.drawn = pair[1](canvas) ? "1" : ""; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw();
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
