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

  /* Région and département outlines, fetched once (the browser caches them) into a pane under the overlays, and
     their names in a pane above them, each at the zooms where it helps: régions on the national view,
     départements on a région's. */
  function outlines(map, url) {
    var pane = map.createPane("contours");
    pane.style.zIndex = 350;
    pane.style.pointerEvents = "none";
    var names = map.createPane("noms");
    names.style.zIndex = 450;
    names.style.pointerEvents = "none";
    fetch(url).then(function (r) { return r.json(); }).then(function (data) {
      L.geoJSON(data.departements, {pane: "contours", interactive: false, style: {color: "#6b7280", weight: 0.5,
        fillColor: "#ffffff", fillOpacity: 0.85}}).addTo(map);
      L.geoJSON(data.regions, {pane: "contours", interactive: false, style: {color: "#6b7280", weight: 1.4,
        fill: false}}).addTo(map);
      var levels = [labelGroup(data.labels.regions, "carte-nom-region", 3, 7),
        labelGroup(data.labels.departements, "carte-nom-dep", 7, 9.5)];
      function show() {
        var zoom = map.getZoom();
        levels.forEach(function (level) {
          var wanted = zoom >= level.from && zoom < level.to;
          if (wanted !== map.hasLayer(level.group)) { wanted ? level.group.addTo(map) : map.removeLayer(level.group); }
        });
      }
      map.on("zoomend", show);
      show();
    });
  }

  /* Names as text markers: never focusable nor clickable (Tab must not stop on them). */
  function labelGroup(names, css, from, to) {
    var group = L.layerGroup();
    for (var i = 0; i < names.n.length; i++) {
      if (!names.n[i]) continue;
      L.marker([names.lat[i], names.lon[i]], {pane: "noms", interactive: false, keyboard: false,
        icon: L.divIcon({className: "carte-nom " + css, html: "<span>" + names.n[i] + "</span>", iconSize: null})})
        .addTo(group);
    }
    var level = {group: group, from: from, to: to};
    return level;
  }

  /* Keyboard: the map takes focus once (arrows pan, +/- zoom) and the next Tab leaves it. Leaflet listens to
     focus on every shape with a tooltip, which makes Chromium put each of them (1 600 on the national view) in
     the Tab order: they are taken out of it (still reachable with the mouse; the zoom and full-screen buttons,
     attribution and popup links stay in the Tab order). */
  function keyboard(map) {
    var container = map.getContainer();
    container.setAttribute("aria-label", "Carte : flèches pour déplacer, + et - pour zoomer, Tab pour passer à la "
      + "suite");
    [["in", "Zoomer"], ["out", "Dézoomer"]].forEach(function (pair) {
      var button = container.querySelector(".leaflet-control-zoom-" + pair[0]);
      if (button) { button.title = pair[1]; button.setAttribute("aria-label", pair[1]); }
    });
    map.on("layeradd", function (e) {
      var el = typeof e.layer.getElement === "function" && e.layer.getElement();
      if (el && el.tagName.toLowerCase() === "path") el.setAttribute("tabindex", "-1");
    });
  }

  /* Presentation mode: the left and right arrows (outside a form field) step through framed views. The listener
     sits on the page around the map's frame and is replaced when the map is drawn again. */
  function steps(map, views) {
    var index = 0;
    var host = window.parent;
    function onKey(e) {
      var target = e.target || {};
      var tag = (target.tagName || "").toLowerCase();
      var role = target.getAttribute ? target.getAttribute("role") : null;
      if (tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable
        || ["slider", "combobox", "listbox", "option", "tab", "application"].indexOf(role) >= 0) return;
      if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
      if (!document.body || !map.getContainer().isConnected) return;
      index = (index + (e.key === "ArrowRight" ? 1 : views.length - 1)) % views.length;
      map.fitBounds(views[index], {animate: false});
      e.preventDefault();
    }
    try {
      if (host.__carteSteps) host.removeEventListener("keydown", host.__carteSteps);
      host.__carteSteps = onKey;
      host.addEventListener("keydown", onKey);
    } catch (err) { /* another origin: no stepping (never the case when the app serves the map) */ }
  }

  return {qpvDots: qpvDots, qpvOutlines: qpvOutlines, regies: regies, outlines: outlines, keyboard: keyboard,
    steps: steps};
})();
