// keepline console: progressive enhancement only; every page works without it.
// Charts: a <div class="chart" data-chart="ID"> reads its ECharts option from the
// <script type="application/json" id="ID"> beside it (no inline script: the CSP allows none).
(function () {
  function drawCharts(root) {
    if (typeof echarts === "undefined") return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var src = document.getElementById(el.getAttribute("data-chart"));
      if (!src || el.getAttribute("data-drawn")) return;
      var option = JSON.parse(src.textContent);
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option);
      el.setAttribute("data-drawn", "1");
      if (option.links) {
        chart.on("click", function (p) {
          var href = option.links[p.dataIndex];
          if (href) window.location.href = href;
        });
      }
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSwap", function (e) { drawCharts(e.target); });
})();
