// The register map: markers from the GeoJSON endpoint, tiles from the configured URL.
// With no tile URL configured (offline installations, tests) the markers stand alone.
(function () {
  "use strict";
  var element = document.getElementById("register-map");
  if (!element || !window.L) { return; }
  var map = L.map(element).setView([42.42, 25.6], 9);
  var tiles = element.dataset.tiles;
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 18, attribution: element.dataset.attribution }).addTo(map);
  }
  var colours = { active: "#146c43", suspended: "#9a6700", closed: "#495057" };
  fetch(element.dataset.geojson, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, {
            radius: 7, weight: 2, color: "#fff", fillOpacity: 0.9,
            fillColor: colours[feature.properties.status] || "#1f4e79"
          });
        },
        onEachFeature: function (feature, marker) {
          var box = document.createElement("div");
          var link = document.createElement("a");
          link.href = feature.properties.url;
          link.textContent = feature.properties.name;
          box.appendChild(link);
          box.appendChild(document.createElement("br"));
          box.appendChild(document.createTextNode(feature.properties.status_label));
          marker.bindPopup(box);
        }
      }).addTo(map);
      if (data.features.length) { map.fitBounds(layer.getBounds(), { padding: [20, 20] }); }
      document.getElementById("map-summary").textContent = String(data.features.length);
      element.dataset.loaded = String(data.features.length);
    });
})();
