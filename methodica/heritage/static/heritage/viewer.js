/* The public item page's deep-zoom viewer: OpenSeadragon over the IIIF image service.
 *
 * Pages in sequence mode; the hits of ?q= drawn as overlays on the page that was
 * asked for; turning the page reloads the page so that its text (beside the image)
 * follows. Keyboard: OpenSeadragon's own keys once the viewer has the focus.
 */
(function () {
  "use strict";
  var element = document.getElementById("viewer");
  var config = document.getElementById("viewer-config");
  if (!element || !config || typeof OpenSeadragon === "undefined") {
    return;
  }
  var options = JSON.parse(config.textContent);
  var viewer = OpenSeadragon({
    element: element,
    prefixUrl: element.dataset.prefix,
    tileSources: options.tileSources,
    sequenceMode: options.tileSources.length > 1,
    initialPage: options.initialPage,
    showNavigator: false,
    showRotationControl: true,
    preserveViewport: false,
    crossOriginPolicy: false,
    gestureSettingsMouse: { clickToZoom: false }
  });
  var initial = options.initialPage;

  function drawHits() {
    viewer.clearOverlays();
    if (viewer.currentPage() !== initial) {
      return;
    }
    var item = viewer.world.getItemAt(0);
    if (!item) {
      return;
    }
    options.hits.forEach(function (hit) {
      var box = document.createElement("div");
      box.className = "hit";
      box.setAttribute("aria-hidden", "true");
      viewer.addOverlay({
        element: box,
        location: item.imageToViewportRectangle(hit.x, hit.y, hit.w, hit.h)
      });
    });
  }

  viewer.addHandler("open", function () {
    element.dataset.ready = "true";
    drawHits();
  });
  viewer.addHandler("page", function (event) {
    if (event.page === initial) {
      return;
    }
    var params = new URLSearchParams(window.location.search);
    params.set("page", String(event.page + 1));
    window.location.search = params.toString();
  });
})();
