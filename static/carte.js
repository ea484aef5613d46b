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
    focusable(group, d.n);
  }

  /* `show(map)` while `group` is on a map; what it returns is called when the group leaves it. */
  function whileOnMap(group, show) {
    var hide = null;
    function add() { if (!hide && group._map) hide = show(group._map); }
    group.on("add", add);
    group.on("remove", function () { if (hide) { hide(); hide = null; } });
    add();
  }

  function plainText(html) {
    var box = document.createElement("div");
    box.innerHTML = html;  // the server's escaped text: entities only, no markup
    return box.textContent;
  }

  /* Keyboard reach of the shapes: one shape per group is in the Tab order (one stop, so Tab still leaves the
     map); arrows go to the next or previous shape and Enter or Space selects it like a click (which
     streamlit-folium reports). Each shape is named by its QPV or régie. */
  function focusable(group, names) {
    whileOnMap(group, function () {
      var shapes = group.getLayers().filter(function (l) { return l.getElement && l.getElement(); });
      shapes.forEach(function (layer, k) {
        var el = layer.getElement();
        el.setAttribute("tabindex", k === 0 ? "0" : "-1");
        el.setAttribute("role", "button");
        el.setAttribute("aria-label", plainText(names[k]));
        el.addEventListener("keydown", function (e) {
          var step = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1}[e.key];
          if (step) {
            var next = shapes[(k + step + shapes.length) % shapes.length].getElement();
            el.setAttribute("tabindex", "-1");
            next.setAttribute("tabindex", "0");
            next.focus();
          } else if (e.key === "Enter" || e.key === " ") {
            layer.fire("click", {latlng: layer.getLatLng ? layer.getLatLng() : layer.getCenter()}, true);
          } else {
            return;
          }
          e.preventDefault();
          e.stopPropagation();
        });
      });
      return function () {};
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
    focusable(group, d.n);
  }

  /* Areas under the QPV, each filled in its colour (the régions by declination status): not interactive, so
     that clicks reach the QPV and régies above them. */
  function areas(group, d) {
    d.geometry.forEach(function (geometry, i) {
      L.geoJSON(geometry, {interactive: false, style: {fillColor: d.color[i], color: d.color[i], weight: 1,
        fillOpacity: d.opacity}}).addTo(group);
    });
  }

  /* National view: the overseas régions as a strip of small maps (each its own Leaflet map, not interactive)
     with their QPV as dots in the main map's colours. A click, Enter or Space on one opens its région: the
     group reports it like a click on a shape ({region, t}: `t` tells two clicks on the same inset apart). */
  function insets(group, d) {
    whileOnMap(group, function (map) {
      var control = L.control({position: "bottomleft"});
      control.onAdd = function () {
        var strip = L.DomUtil.create("div", "carte-encarts");
        L.DomEvent.disableClickPropagation(strip);
        L.DomEvent.disableScrollPropagation(strip);
        return strip;
      };
      control.addTo(map);
      var minis = d.region.map(function (code, k) {
        var box = L.DomUtil.create("div", "carte-encart", control.getContainer());
        var frame = L.DomUtil.create("div", "carte-encart-carte", box);
        var label = L.DomUtil.create("div", "carte-encart-nom", box);
        label.innerHTML = d.n[k];
        box.setAttribute("data-region", plainText(code));
        function open(e) {
          if (e.type === "keydown" && e.key !== "Enter" && e.key !== " ") return;
          e.preventDefault();
          var feature = {type: "Feature", properties: {region: code, t: Date.now()}, geometry: null};
          group.fire("click", {layer: {toGeoJSON: function () { return feature; }}});
        }
        if (d.title) {  // without a title a click does nothing (a map that reports no click): not a button
          box.setAttribute("role", "button");
          box.setAttribute("tabindex", "0");
          box.setAttribute("aria-label", d.title + " : " + label.textContent);
          box.title = d.title;
          box.addEventListener("click", open);
          box.addEventListener("keydown", open);
        }
        var mini = L.map(frame, {zoomControl: false, attributionControl: false, dragging: false, touchZoom: false,
          scrollWheelZoom: false, doubleClickZoom: false, boxZoom: false, keyboard: false, zoomSnap: 0,
          fadeAnimation: false, zoomAnimation: false});
        // Not a `.leaflet-container`: that names the main map alone (keyboard help, tests, screenshots).
        L.DomUtil.removeClass(frame, "leaflet-container");
        mini.fitBounds(d.bounds[k], {padding: [3, 3], animate: false});
        mini.createPane("points").style.zIndex = 450;
        if (outlinesData) {
          outlinesData.then(function (data) {
            L.geoJSON(data.departements, {interactive: false, style: {color: "#6b7280", weight: 0.6,
              fillColor: "#ffffff", fillOpacity: 0.85}}).addTo(mini);
          });
        }
        for (var i = 0; i < d.lat[k].length; i++) {
          var color = d.palette[d.f[k][i]];
          L.circleMarker([d.lat[k][i], d.lon[k][i]], {pane: "points", interactive: false, radius: d.radius,
            weight: 1, color: color, fillColor: color, fillOpacity: 0.9}).addTo(mini);
        }
        return mini;
      });
      return function () {
        minis.forEach(function (mini) { mini.remove(); });
        control.remove();
      };
    });
  }

  /* Regional and local views: the names of the communes with QPV, from zoom `from`, thinned (`thin`: the
     communes with most QPV come first). */
  function communeNames(group, d) {
    var level = labelGroup({n: d.n, lat: d.lat, lon: d.lon}, "carte-nom-com");
    whileOnMap(group, function (map) {
      function show() {
        var wanted = map.getZoom() >= d.from;
        if (wanted !== group.hasLayer(level.group)) { wanted ? group.addLayer(level.group) : group.removeLayer(level.group); }
        if (wanted) thin(level.group);
      }
      map.on("zoomend moveend resize", show);
      if (document.fonts) { document.fonts.addEventListener("loadingdone", show); document.fonts.ready.then(show); }
      show();
      return function () {
        map.off("zoomend moveend resize", show);
        if (document.fonts) document.fonts.removeEventListener("loadingdone", show);
        group.removeLayer(level.group);
      };
    });
  }

  /* Région and département outlines, fetched once (the browser caches them) into a pane under the overlays, and
     their names in a pane above them, each at the zooms where it helps: régions on the national view,
     départements on a région's; the larger shapes' names first where they would overlap (`thin`). */
  var outlinesData = null;  // the outlines' file, fetched once and shared with the insets

  function outlines(map, url) {
    var pane = map.createPane("contours");
    pane.style.zIndex = 350;
    pane.style.pointerEvents = "none";
    var names = map.createPane("noms");
    names.style.zIndex = 450;
    names.style.pointerEvents = "none";
    outlinesData = fetch(url).then(function (r) { return r.json(); });
    outlinesData.then(function (data) {
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
          if (wanted) thin(level.group);
        });
      }
      map.on("zoomend moveend resize", show);
      // measured again once the web font is in: its taller lines make names overlap that did not before (`ready`
      // also when it came in before this listener was set)
      if (document.fonts) { document.fonts.addEventListener("loadingdone", show); document.fonts.ready.then(show); }
      show();
    });
  }

  /* The one placement rule for names (run again after every zoom, move and resize, and once the web font is in:
     a name measured before the view settled kept overlapping its neighbour): in the group's order (the weightiest first), a name that would overlap
     one already shown, or come within 4 px of it sideways, is hidden. */
  function thin(group) {
    var kept = [];
    group.eachLayer(function (marker) {
      var span = marker.getElement() && marker.getElement().firstChild;
      if (!span) return;
      span.style.visibility = "";
      var r = span.getBoundingClientRect();
      var clash = kept.some(function (k) {
        return r.left < k.right + 4 && k.left < r.right + 4 && r.top < k.bottom && k.top < r.bottom;
      });
      if (clash) { span.style.visibility = "hidden"; } else { kept.push(r); }
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
     the Tab order: they are taken out of it, and `focusable` puts back one per layer (the zoom and full-screen
     buttons, attribution and popup links stay in the Tab order). */
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

  /* The main map fills the window below its top, down to the first screen's bottom (at least `min` px): its
     frame (the component's iframe, same origin) and the map take that height, again when the window is resized
     and whenever the page's content changes size (what is above the map may be drawn after it, later on a busy
     machine: a fixed delay missed it). The server learns the size from the map's reported bounds and frames the
     selection for it. */
  function fitWindow(map, min) {
    var frame = window.frameElement;
    var host = window.parent;
    if (!frame) return;
    function fit() {
      if (!map.getContainer().isConnected || !frame.isConnected) return;
      var top = frame.getBoundingClientRect().top + host.scrollY;
      var height = Math.max(min, Math.floor(host.innerHeight - top - 12));
      if (Math.abs(frame.getBoundingClientRect().height - height) < 2) return;
      frame.style.height = height + "px";
      for (var el = map.getContainer(); el && el !== document.documentElement; el = el.parentElement) {
        el.style.height = height + "px";
      }
      map.invalidateSize({animate: false});  // the centre stays; its moveend reports the new bounds
    }
    try {
      if (host.__carteFit) host.removeEventListener("resize", host.__carteFit);
      if (host.__carteFitObserver) host.__carteFitObserver.disconnect();
      host.__carteFit = fit;
      host.addEventListener("resize", fit);
      var page = host.document.querySelector('[data-testid="stMainBlockContainer"]') || host.document.body;
      host.__carteFitObserver = new host.ResizeObserver(fit);  // runs once at the start, then on each change
      host.__carteFitObserver.observe(page);
    } catch (err) { return; }
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
      // Reset, not fitBounds: at an unchanged zoom that pans by whole pixels, so a view would differ a little
      // from one visit to the next.
      var bounds = L.latLngBounds(views[index]);
      map.setView(bounds.getCenter(), map.getBoundsZoom(bounds), {reset: true});
      e.preventDefault();
    }
    try {
      if (host.__carteSteps) host.removeEventListener("keydown", host.__carteSteps);
      host.__carteSteps = onKey;
      host.addEventListener("keydown", onKey);
    } catch (err) { /* another origin: no stepping (never the case when the app serves the map) */ }
  }

  return {qpvDots: qpvDots, qpvOutlines: qpvOutlines, regies: regies, insets: insets, communeNames: communeNames,
    areas: areas, outlines: outlines, keyboard: keyboard, steps: steps, fitWindow: fitWindow};
})();
