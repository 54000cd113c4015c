// Draws the yearly national injury estimates with their 95% intervals; the table on the page holds the figures.
(function () {
  var data = JSON.parse(document.getElementById('injury-data').textContent);
  var el = document.getElementById('injury-trend');
  if (!el || !data.estimates) return;
  var rows = data.estimates.slice().sort(function (a, b) { return String(a.group.year).localeCompare(String(b.group.year)); });
  var years = rows.map(function (e) { return String(e.group.year); });
  var lower = rows.map(function (e) { return e.lower; });
  var band = rows.map(function (e) { return e.upper - e.lower; });
  echarts.init(el).setOption({
    tooltip: { trigger: 'axis' },
    legend: { data: [data.estimate, data.interval], bottom: 0 },
    grid: { left: 60, right: 20, top: 20, bottom: 50 },
    xAxis: { type: 'category', data: years },
    yAxis: { type: 'value' },
    series: [
      { name: data.interval, type: 'line', stack: 'band', data: lower, symbol: 'none', lineStyle: { opacity: 0 } },
      { name: data.interval, type: 'line', stack: 'band', data: band, symbol: 'none', lineStyle: { opacity: 0 },
        areaStyle: { color: 'rgba(84,112,198,0.2)' } },
      { name: data.estimate, type: 'line', data: rows.map(function (e) { return e.estimate; }) }
    ]
  });
})();
