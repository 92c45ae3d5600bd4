/* The dashboard (大屏): ECharts (served from /static/vendor) draws the figures the page carries
   as JSON (#dashboard-data); every refresh_seconds the same figures are fetched again from the
   API (data-src) and the charts and the linked numbers (data-k) are updated in place. The
   full-screen button asks the browser for full screen (a wall display). No inline script (CSP). */
(function () {
  "use strict";

  var COLOURS = { red: "#b71c1c", yellow: "#b8860b", green: "#2e7d32", unrated: "#5f6b76" };
  var FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var charts = {};

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") return;
    option.animation = false;
    option.textStyle = { fontFamily: FONT };
    if (!charts[id]) {
      charts[id] = echarts.init(el, null, { renderer: "svg" });
      window.addEventListener("resize", function () {
        charts[id].resize();
      });
    }
    charts[id].setOption(option, true);
    el.dataset.drawn = "1";
  }

  function pick(rows, key) {
    return rows.map(function (r) {
      return r[key];
    });
  }

  function bars(rows, label, value, colour, horizontal) {
    var cat = { type: "category", data: pick(rows, label), axisLabel: { interval: 0 } };
    var val = { type: "value", minInterval: 1 };
    if (horizontal) {
      cat.inverse = true;
    } else {
      cat.axisLabel.rotate = 30;
    }
    return {
      tooltip: { trigger: "axis" },
      grid: horizontal
        ? { left: 120, right: 16, bottom: 24, top: 10 }
        : { left: 40, right: 16, bottom: 60, top: 10 },
      xAxis: horizontal ? val : cat,
      yAxis: horizontal ? cat : val,
      series: [{ type: "bar", data: pick(rows, value), color: colour }],
    };
  }

  function render(d) {
    draw("chart-colours", {
      tooltip: { trigger: "item" },
      series: [
        {
          type: "pie",
          radius: ["40%", "70%"],
          label: { formatter: "{b}\n{c}" },
          data: d.safety.by_colour.map(function (c) {
            return { name: c.label, value: c.count, itemStyle: { color: COLOURS[c.colour] } };
          }),
        },
      ],
    });
    draw("chart-hazards", bars(d.safety.by_state, "label", "count", "#b71c1c"));
    draw("chart-orders", bars(d.orders.by_state, "label", "count", "#8e1414"));
    draw("chart-meetings", bars(d.meetings.by_kind, "label", "count", "#2e7d32", true));
    draw(
      "chart-points",
      bars(
        d.points.by_kind.map(function (r) {
          return { label: r.label, points: Number(r.points) };
        }),
        "label",
        "points",
        "#b8860b",
        true
      )
    );
    var stars = d.points.stars;
    draw("chart-stars", {
      tooltip: { trigger: "axis" },
      legend: { data: ["评定星级", "按先锋指数"], top: 0 },
      grid: { left: 40, right: 16, bottom: 24, top: 36 },
      xAxis: {
        type: "category",
        data: stars.map(function (s) {
          return s.stars + "★";
        }),
      },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "评定星级", type: "bar", data: pick(stars, "count"), color: "#b71c1c" },
        { name: "按先锋指数", type: "bar", data: pick(stars, "band_count"), color: "#5f6b76" },
      ],
    });
  }

  function value(d, path) {
    return path.split(".").reduce(function (o, k) {
      return o == null ? o : o[k];
    }, d);
  }

  function update(d) {
    document.querySelectorAll("[data-k]").forEach(function (el) {
      var v = value(d, el.dataset.k);
      var k = el.dataset.k;
      var text = v == null ? "—" : String(v);
      if (/share$|satisfied$/.test(k)) text += "%";
      el.textContent = text;
    });
    var stamp = document.getElementById("dash-updated");
    if (stamp) stamp.textContent = stamp.dataset.label + " " + d.generated_at.slice(11, 19);
    render(d);
  }

  function refresh(root) {
    fetch(root.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      })
      .then(update)
      .catch(function () {
        var stamp = document.getElementById("dash-updated");
        if (stamp) stamp.textContent = stamp.dataset.failed;
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("dashboard");
    var data = document.getElementById("dashboard-data");
    if (!root || !data) return;
    render(JSON.parse(data.textContent));
    var seconds = parseInt(root.dataset.refresh, 10) || 60;
    window.setInterval(function () {
      refresh(root);
    }, seconds * 1000);
    root.addEventListener("dashboard:refresh", function () {
      refresh(root);
    });
    var full = document.getElementById("dash-fullscreen");
    if (full && root.requestFullscreen) {
      full.addEventListener("click", function () {
        if (document.fullscreenElement) document.exitFullscreen();
        else root.requestFullscreen();
      });
    } else if (full) {
      full.hidden = true;
    }
  });
})();
