/* The safety map and the grid boundary editor, on Leaflet (served from /static/vendor/leaflet).
   No inline script (the CSP forbids it): the pages declare what they need in data attributes.

   #map[data-src]       a community's grids and buildings (GeoJSON from data-src), buildings as
                        circles coloured by their safety class, grid boundaries as outlines;
                        data-tiles is the tile URL template, empty = no background (intranet).
   #boundary-map        one grid's boundary, every part and every ring (outer and holes): pick a
                        ring, click the map to add a vertex (on the nearest edge), drag a vertex
                        to move it, click a vertex to remove it; add a part or a hole, remove a
                        ring; the GeoJSON goes into the form's textarea (#id_boundary), which
                        also edits the map. */
(function () {
  "use strict";

  var COLOURS = { red: "#b71c1c", yellow: "#b8860b", green: "#2e7d32", unrated: "#5f6b76" };
  var FALLBACK = [25.05, 102.7];

  function baseMap(el) {
    var map = L.map(el, { attributionControl: Boolean(el.dataset.tiles), zoomSnap: 0.5 });
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, {
        maxZoom: 19,
        attribution: el.dataset.attribution || "",
      }).addTo(map);
    }
    return map;
  }

  function centre(el) {
    var lat = parseFloat(el.dataset.lat);
    var lon = parseFloat(el.dataset.lon);
    return isNaN(lat) || isNaN(lon) ? FALLBACK : [lat, lon];
  }

  // --- the safety map ------------------------------------------------------------------------

  function safetyMap(el) {
    var map = baseMap(el);
    map.setView(centre(el), 15);
    var status = document.getElementById("map-status");
    fetch(el.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.detail || response.statusText);
          return body;
        });
      })
      .then(function (data) {
        var counts = { red: 0, yellow: 0, green: 0, unrated: 0 };
        var grids = L.geoJSON(
          { type: "FeatureCollection", features: data.features.filter(isGrid) },
          {
            style: function () {
              // every part and ring of a grid (holes too) is one outline: one <path class="grid">
              return {
                color: "#8e1414",
                weight: 2,
                fillColor: "#b71c1c",
                fillOpacity: 0.04,
                className: "grid",
              };
            },
            onEachFeature: function (feature, layer) {
              layer.bindTooltip(feature.properties.name, { sticky: true });
            },
          }
        ).addTo(map);
        var buildings = L.geoJSON(
          { type: "FeatureCollection", features: data.features.filter(not(isGrid)) },
          {
            pointToLayer: function (feature, latlng) {
              var colour = feature.properties.colour;
              counts[colour] = (counts[colour] || 0) + 1;
              return L.circleMarker(latlng, {
                radius: 6,
                color: "#fff",
                weight: 1.5,
                fillColor: COLOURS[colour] || COLOURS.unrated,
                fillOpacity: 0.95,
                className: "building " + colour,
              });
            },
            onEachFeature: function (feature, layer) {
              var p = feature.properties;
              layer.bindTooltip(p.name + " · " + p.colour_label);
              layer.on("click", function () {
                window.location.href = el.dataset.buildingUrl.replace("0", String(p.id));
              });
            },
          }
        ).addTo(map);
        var bounds = grids.getBounds();
        if (buildings.getLayers().length) bounds.extend(buildings.getBounds());
        if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16] });
        Object.keys(counts).forEach(function (colour) {
          var cell = document.querySelector("#map-legend [data-count=" + colour + "]");
          if (cell) cell.textContent = String(counts[colour]);
        });
        el.dataset.loaded = String(data.features.length);
        if (status) {
          status.textContent = data.truncated ? status.dataset.truncated : status.dataset.done;
        }
      })
      .catch(function (error) {
        if (status) status.textContent = status.dataset.failed + " " + error.message;
        el.dataset.loaded = "error";
      });
  }

  function isGrid(feature) {
    return feature.properties.kind === "grid";
  }

  function not(test) {
    return function (x) {
      return !test(x);
    };
  }

  // --- the boundary editor -------------------------------------------------------------------
  // The boundary is a list of parts (the polygons of a MultiPolygon, or the one Polygon), each a
  // list of rings: the outer ring first, then its holes. Every ring can be chosen in the ring
  // picker and edited; the others stay drawn. Rings are kept open here ([lng, lat] pairs without
  // the closing point) and closed when written to the form.

  function boundaryEditor(el) {
    var text = document.getElementById("id_boundary");
    var picker = document.getElementById("boundary-ring");
    var status = document.getElementById("boundary-status");
    var map = baseMap(el);
    var parts = [];
    var active = { p: 0, r: 0 };
    var shapes = L.layerGroup().addTo(map);
    var current = L.polyline([], {
      color: "#0b5394",
      weight: 3,
      dashArray: "6 4",
      interactive: false,
    }).addTo(map);
    var vertices = L.layerGroup().addTo(map);
    var context = L.layerGroup().addTo(map);

    JSON.parse(document.getElementById("grid-buildings").textContent).forEach(function (b) {
      L.circleMarker([b[1], b[0]], {
        radius: 4,
        color: "#5f6b76",
        weight: 1,
        fillOpacity: 0.6,
        interactive: false,
      }).addTo(context);
    });

    function say(template, values) {
      return template.replace(/\{(\w+)\}/g, function (_, key) {
        return String(values[key]);
      });
    }

    function ringName(p, r, n) {
      if (r === 0) return say(el.dataset.textOuter, { part: p + 1, n: n });
      return say(el.dataset.textHole, { part: p + 1, hole: r, n: n });
    }

    function ring() {
      var part = parts[active.p];
      return part && part[active.r] ? part[active.r].slice() : [];
    }

    function setRing(points) {
      if (!parts.length) {
        parts = [[[]]];
        active = { p: 0, r: 0 };
      }
      parts[active.p][active.r] = points;
      write();
      draw();
    }

    function close(points) {
      return points.concat([points[0]]);
    }

    function write() {
      // Empty rings are dropped (an outer ring with nothing drops its part); a ring of one or two
      // vertices is written as it is, so that the server refuses it in words rather than losing it.
      var kept = [];
      parts.forEach(function (rings) {
        if (!rings[0].length) return;
        kept.push(
          rings
            .filter(function (r) {
              return r.length > 0;
            })
            .map(close)
        );
      });
      if (!kept.length) text.value = "";
      else if (kept.length === 1) text.value = JSON.stringify({ type: "Polygon", coordinates: kept[0] });
      else text.value = JSON.stringify({ type: "MultiPolygon", coordinates: kept });
    }

    function round(x) {
      return Math.round(x * 1e6) / 1e6;
    }

    function latlngs(points) {
      return points.map(function (p) {
        return [p[1], p[0]];
      });
    }

    function draw() {
      shapes.clearLayers();
      var rings = 0;
      var short = null;
      parts.forEach(function (part, p) {
        L.polygon(
          part.filter(function (r) {
            return r.length;
          }).map(latlngs),
          { color: "#8e1414", weight: 2, fillOpacity: 0.08, interactive: false }
        ).addTo(shapes);
        part.forEach(function (r, i) {
          rings += 1;
          if (r.length && r.length < 3 && !short) short = ringName(p, i, r.length);
        });
      });
      var points = ring();
      current.setLatLngs(latlngs(points.length > 2 ? close(points) : points));
      vertices.clearLayers();
      points.forEach(function (p, i) {
        var marker = L.marker([p[1], p[0]], {
          draggable: true,
          keyboard: false,
          icon: L.divIcon({ className: "vertex", iconSize: [14, 14] }),
        });
        marker.on("dragend", function () {
          var at = marker.getLatLng();
          var next = ring();
          next[i] = [round(at.lng), round(at.lat)];
          setRing(next);
        });
        marker.on("click", function () {
          var next = ring();
          next.splice(i, 1);
          setRing(next);
        });
        vertices.addLayer(marker);
      });
      fillPicker();
      el.dataset.vertices = String(points.length);
      el.dataset.rings = String(rings);
      el.dataset.parts = String(parts.length);
      if (status) status.textContent = short ? say(status.dataset.short, { ring: short }) : "";
    }

    function fillPicker() {
      if (!picker) return;
      picker.textContent = "";
      parts.forEach(function (part, p) {
        part.forEach(function (r, i) {
          var option = document.createElement("option");
          option.value = p + ":" + i;
          option.textContent = ringName(p, i, r.length);
          option.selected = p === active.p && i === active.r;
          picker.appendChild(option);
        });
      });
      if (!parts.length) {
        var empty = document.createElement("option");
        empty.value = "0:0";
        empty.textContent = el.dataset.textEmpty;
        picker.appendChild(empty);
      }
      picker.disabled = !parts.length;
    }

    function insertAt(latlng) {
      var points = ring();
      var point = [round(latlng.lng), round(latlng.lat)];
      if (points.length < 3) {
        points.push(point);
        setRing(points);
        return;
      }
      // after the start of the nearest edge, measured on the screen
      var target = map.latLngToLayerPoint(latlng);
      var best = 0;
      var bestDistance = Infinity;
      for (var i = 0; i < points.length; i++) {
        var a = map.latLngToLayerPoint([points[i][1], points[i][0]]);
        var b = points[(i + 1) % points.length];
        b = map.latLngToLayerPoint([b[1], b[0]]);
        var d = L.LineUtil.pointToSegmentDistance(target, a, b);
        if (d < bestDistance) {
          bestDistance = d;
          best = i;
        }
      }
      points.splice(best + 1, 0, point);
      setRing(points);
    }

    function open(r) {
      if (!Array.isArray(r)) return [];
      var points = r.map(function (p) {
        return [p[0], p[1]];
      });
      var first = points[0];
      var last = points[points.length - 1];
      if (points.length > 1 && first[0] === last[0] && first[1] === last[1]) points.pop();
      return points;
    }

    function load() {
      var value = text.value.trim();
      parts = [];
      if (value) {
        try {
          var parsed = JSON.parse(value);
          if (parsed && parsed.type === "Feature") parsed = parsed.geometry;
          if (parsed && parsed.type === "Polygon") parsed = [parsed.coordinates];
          else if (parsed && parsed.type === "MultiPolygon") parsed = parsed.coordinates;
          else parsed = [];
          parts = parsed.map(function (rings) {
            return rings.map(open);
          });
        } catch (e) {
          parts = []; // the server says what is wrong with the text
        }
      }
      if (active.p >= parts.length || active.r >= (parts[active.p] || []).length) {
        active = { p: 0, r: 0 };
      }
      draw();
    }

    function bind(id, handler) {
      var button = document.getElementById(id);
      if (button) button.addEventListener("click", handler);
    }

    map.on("click", function (event) {
      insertAt(event.latlng);
    });
    map.on("zoomend", function () {
      el.dataset.zoom = String(map.getZoom()); // for the browser test: the zoom has settled
    });
    text.addEventListener("change", load);
    if (picker) {
      picker.addEventListener("change", function () {
        var at = picker.value.split(":");
        active = { p: Number(at[0]), r: Number(at[1]) };
        draw();
      });
    }
    bind("boundary-add-part", function () {
      parts.push([[]]);
      active = { p: parts.length - 1, r: 0 };
      draw();
    });
    bind("boundary-add-hole", function () {
      if (!parts.length) return;
      parts[active.p].push([]);
      active = { p: active.p, r: parts[active.p].length - 1 };
      draw();
    });
    bind("boundary-remove-ring", function () {
      if (!parts.length) return;
      // an outer ring goes with its holes: a hole cannot stand alone
      if (active.r === 0) parts.splice(active.p, 1);
      else parts[active.p].splice(active.r, 1);
      active = { p: Math.min(active.p, Math.max(parts.length - 1, 0)), r: 0 };
      write();
      draw();
    });
    bind("boundary-clear", function () {
      parts = [];
      active = { p: 0, r: 0 };
      write();
      draw();
    });
    // A view first: Leaflet cannot draw paths on a map that has none.
    map.setView(centre(el), 16);
    load();
    var bounds = L.latLngBounds([]);
    parts.forEach(function (part) {
      part.forEach(function (r) {
        r.forEach(function (p) {
          bounds.extend([p[1], p[0]]);
        });
      });
    });
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [24, 24], animate: false });
    } else if (context.getLayers().length) {
      map.fitBounds(L.featureGroup(context.getLayers()).getBounds(), {
        padding: [24, 24],
        animate: false,
      });
    }
    el.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("map");
    if (el && el.dataset.src) safetyMap(el);
    var editor = document.getElementById("boundary-map");
    if (editor) boundaryEditor(editor);
  });
})();
