/* The safety map and the grid boundary editor, on Leaflet (served from /static/vendor/leaflet).
   No inline script (the CSP forbids it): the pages declare what they need in data attributes.

   #map[data-src]       a community's grids and buildings (GeoJSON from data-src), buildings as
                        circles coloured by their safety class, grid boundaries as outlines;
                        data-tiles is the tile URL template, empty = no background (intranet).
   #boundary-map        one grid's boundary: click the map to add a vertex (on the nearest edge),
                        drag a vertex to move it, click a vertex to remove it; the GeoJSON goes
                        into the form's textarea (#id_boundary), which also edits the map. */
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
              return { color: "#8e1414", weight: 2, fillColor: "#b71c1c", fillOpacity: 0.04 };
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

  function boundaryEditor(el) {
    var text = document.getElementById("id_boundary");
    var map = baseMap(el);
    var geometry = null; // the GeoJSON being edited; its first outer ring is drawn as vertices
    var outline = L.polygon([], { color: "#8e1414", weight: 2, fillOpacity: 0.08 }).addTo(map);
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

    function ring() {
      // The editable ring without its closing point, as [lng, lat] pairs.
      if (!geometry) return [];
      var rings = geometry.type === "MultiPolygon" ? geometry.coordinates[0] : geometry.coordinates;
      var r = rings[0] || [];
      return r.length > 1 ? r.slice(0, -1) : r.slice();
    }

    function setRing(points) {
      var closed = points.length ? points.concat([points[0]]) : [];
      if (!geometry) geometry = { type: "Polygon", coordinates: [[]] };
      if (geometry.type === "MultiPolygon") geometry.coordinates[0][0] = closed;
      else geometry.coordinates[0] = closed;
      text.value = points.length >= 3 ? JSON.stringify(geometry) : "";
      draw();
    }

    function round(x) {
      return Math.round(x * 1e6) / 1e6;
    }

    function draw() {
      var points = ring();
      outline.setLatLngs(
        points.map(function (p) {
          return [p[1], p[0]];
        })
      );
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
      el.dataset.vertices = String(points.length);
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

    function load() {
      var value = text.value.trim();
      geometry = null;
      if (value) {
        try {
          var parsed = JSON.parse(value);
          if (parsed.type === "Feature") parsed = parsed.geometry;
          if (parsed && (parsed.type === "Polygon" || parsed.type === "MultiPolygon")) {
            geometry = parsed;
          }
        } catch (e) {
          geometry = null; // the server says what is wrong with the text
        }
      }
      draw();
    }

    map.on("click", function (event) {
      insertAt(event.latlng);
    });
    text.addEventListener("change", load);
    var clear = document.getElementById("boundary-clear");
    if (clear) {
      clear.addEventListener("click", function () {
        geometry = null;
        setRing([]);
      });
    }
    load();
    var points = ring();
    if (points.length) {
      map.fitBounds(outline.getBounds(), { padding: [24, 24] });
    } else if (context.getLayers().length) {
      map.fitBounds(L.featureGroup(context.getLayers()).getBounds(), { padding: [24, 24] });
    } else {
      map.setView(centre(el), 16);
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
