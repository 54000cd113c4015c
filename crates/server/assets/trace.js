// Draws the trace graph from the JSON embedded in the page; the tables below it hold the same facts. Nodes are
// keyed by identifier (labels repeat: an organization's party and location share a name).
(function () {
  var data = JSON.parse(document.getElementById('trace-data').textContent);
  var el = document.getElementById('trace-graph');
  if (!el || !data.nodes.length) return;
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { formatter: function (p) { return p.dataType === 'edge' ? (p.data.relation || '') : p.data.text; } },
    legend: { data: data.categories, top: 0 },
    series: [{
      type: 'graph', layout: 'force', roam: true, draggable: true,
      force: { repulsion: 260, edgeLength: [50, 130] },
      categories: data.categories.map(function (name) { return { name: name }; }),
      data: data.nodes.map(function (n) {
        return { name: n.id, text: n.name, category: n.category, symbolSize: n.category === 0 ? 30 : 18 };
      }),
      links: data.links.map(function (l) { return { source: l.source, target: l.target, relation: l.label }; }),
      edgeSymbol: ['none', 'arrow'], edgeSymbolSize: 7,
      label: { show: true, position: 'right', fontSize: 11, formatter: function (p) { return p.data.text; } },
      lineStyle: { color: 'source', curveness: 0.1 }
    }]
  });
  window.addEventListener('resize', function () { chart.resize(); });
})();
