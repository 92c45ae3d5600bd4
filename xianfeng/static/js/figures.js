/* The safety figures page: ECharts (served from /static/vendor) draws the figures that the page
   carries as JSON (#figures-data, the same as GET /api/v1/safety/figures); the tables under
   each chart hold the same numbers for screen readers and print. No inline script (CSP). */
(function () {
  "use strict";

  var COLOURS = { red: "#b71c1c", yellow: "#b8860b", green: "#2e7d32", unrated: "#5f6b76" };
  var FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';

  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var c = echarts.init(el, null, { renderer: "svg" });
    option.animation = false;
    option.textStyle = { fontFamily: FONT };
    c.setOption(option);
    window.addEventListener("resize", function () {
      c.resize();
    });
    el.dataset.drawn = "1";
  }

  function pick(rows, key) {
    return rows.map(function (r) {
      return r[key];
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var data = document.getElementById("figures-data");
    if (!data || typeof echarts === "undefined") return;
    var f = JSON.parse(data.textContent);
    var found = "发现";
    var removed = "消除";
    chart("chart-colours", {
      tooltip: { trigger: "item" },
      series: [
        {
          type: "pie",
          radius: ["40%", "70%"],
          label: { formatter: "{b}\n{c}" },
          data: f.buildings.by_colour.map(function (c) {
            return { name: c.label, value: c.count, itemStyle: { color: COLOURS[c.colour] } };
          }),
        },
      ],
    });
    chart("chart-months", {
      tooltip: { trigger: "axis" },
      legend: { data: [found, removed], top: 0 },
      grid: { left: 40, right: 16, bottom: 30, top: 40 },
      xAxis: { type: "category", data: pick(f.months, "month") },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: found, type: "line", data: pick(f.months, "found"), color: "#b71c1c" },
        { name: removed, type: "line", data: pick(f.months, "removed"), color: "#2e7d32" },
      ],
    });
    var cats = f.hazards.by_category;
    chart("chart-categories", {
      tooltip: { trigger: "axis" },
      legend: { data: [found, removed, "未消除", "逾期"], top: 0 },
      grid: { left: 130, right: 16, bottom: 24, top: 40 },
      yAxis: { type: "category", data: pick(cats, "label"), inverse: true },
      xAxis: { type: "value", minInterval: 1 },
      series: [
        { name: found, type: "bar", data: pick(cats, "found"), color: "#b71c1c" },
        { name: removed, type: "bar", data: pick(cats, "removed"), color: "#2e7d32" },
        { name: "未消除", type: "bar", data: pick(cats, "open"), color: "#b8860b" },
        { name: "逾期", type: "bar", data: pick(cats, "overdue"), color: "#5f6b76" },
      ],
    });
    var states = f.hazards.by_state;
    chart("chart-states", {
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 16, bottom: 50, top: 20 },
      xAxis: { type: "category", data: pick(states, "label"), axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: pick(states, "count"), color: "#8e1414" }],
    });
  });
})();
