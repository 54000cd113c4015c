// Draws the trace graph from the JSON embedded in the page; the tables below it hold the same facts.
(function () {
  var data = JSON.parse(document.getElementById('trace-data').textContent);
  var el = document.getElementById('trace-graph');
  if (!el || !data.nodes.length) return;
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { formatter: function (p) { return p.dataType === 'edge' ? (p.data.label || '') : p.data.name; } },
    legend: { data: data.categories, top: 0 },
    series: [{
      type: 'graph', layout: 'force', roam: true, draggable: true,
      force: { repulsion: 220, edgeLength: [60, 140] },
      categories: data.categories.map(function (name) { return { name: name }; }),
      data: data.nodes.map(function (n) { return { id: n.id, name: n.name, category: n.category, symbolSize: n.category === 0 ? 28 : 18 }; }),
      links: data.links.map(function (l) { return { source: l.source, target: l.target, label: l.label }; }),
      edgeSymbol: ['none', 'arrow'], edgeSymbolSize: 7,
      label: { show: true, position: 'right', fontSize: 11 },
      lineStyle: { color: 'source', curveness: 0.1 }
    }]
  });
  window.addEventListener('resize', function () { chart.resize(); });
})();
