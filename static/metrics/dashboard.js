// Trend charts with error bars, and sortable tables. No dependencies but Chart.js.
(function () {
  "use strict";

  // Draws a vertical error bar (low..high) on every point of datasets that carry `errorBars`.
  const errorBars = {
    id: "errorBars",
    afterDatasetsDraw(chart) {
      const { ctx, scales } = chart;
      chart.data.datasets.forEach((dataset, i) => {
        if (!dataset.errorBars) return;
        chart.getDatasetMeta(i).data.forEach((point, j) => {
          const range = dataset.errorBars[j];
          if (!range || range[0] === null || range[1] === null) return;
          const top = scales.y.getPixelForValue(range[1]);
          const bottom = scales.y.getPixelForValue(range[0]);
          ctx.save();
          ctx.strokeStyle = dataset.borderColor;
          ctx.lineWidth = 1.5;
          ctx.beginPath();
          ctx.moveTo(point.x, top); ctx.lineTo(point.x, bottom);
          ctx.moveTo(point.x - 4, top); ctx.lineTo(point.x + 4, top);
          ctx.moveTo(point.x - 4, bottom); ctx.lineTo(point.x + 4, bottom);
          ctx.stroke();
          ctx.restore();
        });
      });
    },
  };

  // Numbers on the axes and in tooltips in the page's language (Finnish: decimal comma),
  // not the browser's: Chart.js formats with Intl.NumberFormat(options.locale).
  const locale = document.documentElement.lang || undefined;

  function lineChart(id, labels, datasets, yOptions) {
    const canvas = document.getElementById(id);
    if (!canvas || !window.Chart) return;
    new Chart(canvas, {
      type: "line",
      data: { labels, datasets },
      options: { animation: false, responsive: true, locale, scales: { y: yOptions },
                 plugins: { legend: { display: datasets.length > 1 } } },
      plugins: [errorBars],
    });
  }

  const source = document.getElementById("metrics-trend");
  if (source) {
    const data = JSON.parse(source.textContent);
    // Points under the minimum n are drawn hollow and grey: shown, never hidden.
    const style = (flags, colour) => flags.map((few) => (few ? "#bbbbbb" : colour));
    lineChart("chart-nps", data.labels, [{
      label: data.names.nps, data: data.nps, borderColor: "#1f4e79",
      pointBackgroundColor: style(data.nps_too_few, "#1f4e79"), errorBars: data.nps_range,
    }], { min: -100, max: 100 });
    lineChart("chart-csat", data.labels, [{
      label: data.names.csat, data: data.csat, borderColor: "#2e7d32",
      pointBackgroundColor: style(data.csat_too_few, "#2e7d32"), errorBars: data.csat_range,
    }], { min: 0, max: 100 });
    lineChart("chart-csat-mean", data.labels, [{
      label: data.names.csat_mean, data: data.csat_mean, borderColor: "#6a1b9a",
      pointBackgroundColor: style(data.csat_too_few, "#6a1b9a"),
    }], { min: 1, max: 5 });
    lineChart("chart-times", data.labels, [
      { label: data.names.first_response, data: data.first_response, borderColor: "#ef6c00" },
      { label: data.names.resolution, data: data.resolution, borderColor: "#455a64" },
    ], { min: 0 });
  }

  document.querySelectorAll("table.sortable thead th").forEach((th, column) => {
    th.addEventListener("click", () => {
      const table = th.closest("table");
      const body = table.tBodies[0];
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("thead th").forEach((other) => other.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const key = (row) => {
        const cell = row.cells[column];
        const value = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim();
        return th.dataset.type === "number" ? (value === "" ? null : parseFloat(value)) : value.toLowerCase();
      };
      const rows = Array.from(body.rows).filter((row) => row.cells.length > 1);
      rows.sort((a, b) => {
        const x = key(a), y = key(b);
        if (x === y) return 0;
        if (x === null) return 1;   // empty figures last either way
        if (y === null) return -1;
        return (x < y ? -1 : 1) * (ascending ? 1 : -1);
      });
      rows.forEach((row) => body.appendChild(row));
    });
  });
})();
