// The consolidation's map: each municipality of the set shaded by the chosen measure,
// from the GeoJSON endpoint (the server computes the values and their colour classes,
// so the map, its legend and its table agree). No tile layer: the outlines alone.
// Each municipality can be reached with Tab; focus tells its figure in the status
// line under the map, Enter or Space opens its popup.
(function () {
  "use strict";
  var element = document.getElementById("consolidation-map");
  if (!element || !window.L) { return; }
  var info = document.getElementById("map-info");
  var map = L.map(element, { zoomSnap: 0.25, attributionControl: false });
  map.setView([42.42, 25.6], 9);
  var reports = element.dataset.reports;

  function describe(p) {
    return p.name + ": " + p.value_text + " (" + p.reported + "/" + p.expected + " " + reports + ")";
  }
  function style(feature) {
    var colour = feature.properties.colour;
    return {
      color: "#343a40", weight: 1.5, fillOpacity: colour ? 0.85 : 0.6,
      fillColor: colour || "#dee2e6", dashArray: colour ? null : "4 3"
    };
  }
  function popup(p) {
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = p.name;
    box.appendChild(name);
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(p.value_text + " (" + p.reported + "/" + p.expected + " " + reports + ")"));
    return box;
  }
  fetch(element.dataset.geojson, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        style: style,
        onEachFeature: function (feature, shape) {
          shape.bindPopup(popup(feature.properties));
          // An element, not a string: Leaflet would set a string as HTML.
          var tip = document.createElement("span");
          tip.textContent = feature.properties.name + ": " + feature.properties.value_text;
          shape.bindTooltip(tip, { sticky: true });
        }
      }).addTo(map);
      layer.eachLayer(function (shape) {
        var path = shape.getElement();
        var p = shape.feature.properties;
        if (!path) { return; }
        path.setAttribute("tabindex", "0");
        path.setAttribute("role", "button");
        path.setAttribute("aria-label", describe(p));
        path.addEventListener("focus", function () {
          shape.bringToFront();
          info.textContent = describe(p);
        });
        path.addEventListener("keydown", function (event) {
          if (event.key === "Enter" || event.key === " ") {
            event.preventDefault();
            shape.openPopup(shape.getBounds().getCenter());
          }
        });
      });
      if (data.features.length) {
        map.fitBounds(layer.getBounds(), { padding: [10, 10] });
      } else {
        info.textContent = element.dataset.empty;
      }
      element.dataset.loaded = String(data.features.length);
    });
})();
