/*
 * Carte des coopérations — the map's layers, drawn in the browser from the compact columns that ui/maps.py sends.
 * The keys each function reads are declared once, in ui/maps.py (CONTRACT); a test holds this file to them.
 *
 * Loaded once with Leaflet (served by the app, like it), so that each rerun ships only data, not code. Every text
 * in the data arrives HTML-escaped by the server; labels and numbers (French, formatted) come with the data. Each shape keeps a
 * `feature` holding its identifier, so that streamlit-folium reports a click on it (last_active_drawing).
 */
window.Carte = (function () {
  "use strict";

  function qpvTooltip(d, i) {
    return "<b>" + d.n[i] + "</b> <small>(" + d.qpv[i] + ")</small><br>" + d.c[i] + "<br>"
      + d.labels[d.s[i]] + " · " + d.counts[d.p[i]];
  }

  /* One tooltip and one pair of hover handlers for the whole group (not one per shape: a national view has
     1 600 of them, and creating them all would delay the first paint). Each shape knows its row `i`. */
  function interactive(group, d) {
    group.bindTooltip(function (layer) { return qpvTooltip(d, layer.options.i); }, {sticky: true});
    group.on("mouseover", function (e) {
      var o = e.layer.options;
      e.layer.setStyle({weight: o.baseWeight + 2, color: "#111827"});
    });
    group.on("mouseout", function (e) {
      var o = e.layer.options;
      e.layer.setStyle({weight: o.baseWeight, color: o.baseColor});
    });
  }

  /* National view: one dot per QPV (it spans a pixel or two at that scale). */
  function qpvDots(group, d) {
    for (var i = 0; i < d.qpv.length; i++) {
      var color = d.palette[d.f[i]];
      var dot = L.circleMarker([d.lat[i], d.lon[i]], {radius: d.radius, weight: 1, color: color, opacity: 0.9,
        fillColor: color, fillOpacity: 0.9, i: i, baseWeight: 1, baseColor: color});
      dot.feature = {type: "Feature", properties: {qpv: d.qpv[i]}};
      dot.addTo(group);
    }
    interactive(group, d);
  }

  /* Regional and local views: outlines; `halo` draws the outline thick in the fill colour (tiny shapes). */
  function qpvOutlines(group, d) {
    for (var i = 0; i < d.qpv.length; i++) {
      var color = d.palette[d.f[i]];
      var style = d.halo ? {fillColor: color, color: color, weight: 4, opacity: 0.9, fillOpacity: 0.9}
        : {fillColor: color, color: "#374151", weight: 0.8, fillOpacity: 0.8};
      style.i = i;  // setStyle copies every key into the shape's options, where the group handlers read them
      style.baseWeight = style.weight;
      style.baseColor = style.color;
      var shape = L.geoJSON({type: "Feature", properties: {qpv: d.qpv[i]}, geometry: d.geometry[i]},
        {style: style}).getLayers()[0];
      shape.addTo(group);
    }
    interactive(group, d);
  }

  /* Régies: rings (the QPV they stand in stays visible), popup of their figures and partners. */
  function regies(group, d) {
    for (var i = 0; i < d.regie.length; i++) {
      var ring = L.circleMarker([d.lat[i], d.lon[i]], {radius: 6, weight: 2.5, color: d.color, fill: true,
        fillColor: d.color, fillOpacity: 0.12});
      ring.feature = {type: "Feature", properties: {regie: d.regie[i]}};
      var lines = [d.head[i]];
      lines.push(d.words.qpv + " : " + (d.q[i].join(", ") || "—"));
      lines.push(d.words.orgs + " : " + (d.o[i].map(function (k) { return d.orgs[k]; }).join(", ") || "—"));
      lines.push(d.words.themes + " : " + (d.t[i].map(function (k) { return d.themes[k]; }).join(", ") || "—"));
      ring.bindPopup(lines.join("<br>"), {maxWidth: 360});
      ring.bindTooltip(d.n[i]);
      ring.addTo(group);
    }
  }

  /* Région and département outlines, fetched once (the browser caches them) into a pane under the overlays. */
  function outlines(map, url) {
    var pane = map.createPane("contours");
    pane.style.zIndex = 350;
    pane.style.pointerEvents = "none";
    fetch(url).then(function (r) { return r.json(); }).then(function (data) {
      L.geoJSON(data.departements, {pane: "contours", interactive: false, style: {color: "#6b7280", weight: 0.5,
        fillColor: "#ffffff", fillOpacity: 0.85}}).addTo(map);
      L.geoJSON(data.regions, {pane: "contours", interactive: false, style: {color: "#6b7280", weight: 1.4,
        fill: false}}).addTo(map);
    });
  }

  return {qpvDots: qpvDots, qpvOutlines: qpvOutlines, regies: regies, outlines: outlines};
})();
