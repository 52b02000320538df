/* The dispatch board's map: Leaflet over the configured tiles, one colour per route, a popup
   per stop (case, customer, window, ETA). Clicking a stop selects it in the list. Stops at one
   place fan out. Until a tile loads, and for good when tiles fail, the offline SVG stays. */
(function () {
  "use strict";
  const GAP = 26; // pixels: closer stops would hide each other (markers are 24 px wide)

  function line(parent, label, value) {
    if (!value) return;
    const row = document.createElement("div");
    const strong = document.createElement("strong");
    strong.textContent = label + ": ";
    row.append(strong, document.createTextNode(value));
    parent.append(row);
  }

  function popup(stop) {
    const box = document.createElement("div");
    box.className = "plan-popup";
    const title = document.createElement("strong");
    title.textContent = (stop.seq ? stop.seq + ". " : "") + stop.kind + " · " + stop.case;
    box.append(title);
    line(box, "Cliente", stop.customer);
    line(box, "Dirección", stop.address);
    line(box, "Franja", stop.window);
    line(box, "Llegada", stop.eta);
    return box;
  }

  function icon(stop, colour) {
    const badge = document.createElement("span");
    badge.className = "plan-stop-badge";
    badge.textContent = stop.seq || "";
    badge.style.borderColor = colour; // CSSOM, not a style attribute: allowed by the CSP
    return L.divIcon({ className: "plan-stop", html: badge, iconSize: [24, 24] });
  }

  // Same rule as domain/mapping.py fan_out, in screen pixels at the current zoom.
  function fanOut(map, markers) {
    const points = markers.map((m) => map.latLngToLayerPoint(m.home));
    const groups = [];
    points.forEach((point, index) => {
      const near = groups.find((g) => g.some((j) => point.distanceTo(points[j]) < GAP));
      if (near) near.push(index); else groups.push([index]);
    });
    groups.forEach((group) => {
      if (group.length < 2) {
        markers[group[0]].setLatLng(markers[group[0]].home);
        return;
      }
      const cx = group.reduce((sum, i) => sum + points[i].x, 0) / group.length;
      const cy = group.reduce((sum, i) => sum + points[i].y, 0) / group.length;
      const radius = Math.max(GAP, GAP / (2 * Math.sin(Math.PI / group.length)));
      group.forEach((i, k) => {
        const angle = (2 * Math.PI * k) / group.length - Math.PI / 2;
        const at = L.point(cx + radius * Math.cos(angle), cy + radius * Math.sin(angle));
        markers[i].setLatLng(map.layerPointToLatLng(at));
      });
    });
  }

  function select(board, id) {
    board.querySelectorAll("[data-job-id].selected").forEach((item) => {
      item.classList.remove("selected");
      item.removeAttribute("aria-current");
    });
    const item = board.querySelector('li[data-job-id="' + id + '"]');
    if (!item) return;
    item.classList.add("selected");
    item.setAttribute("aria-current", "true");
    item.scrollIntoView({ block: "nearest" });
  }

  function setup(element) {
    if (element.dataset.ready || typeof L === "undefined") return;
    const data = JSON.parse(element.dataset.map || "{}");
    if (!data.tiles) return;
    element.dataset.ready = "1";
    const figure = element.closest("[data-plan-figure]");
    const svg = figure.querySelector("[data-plan-svg]");
    const board = element.closest("#board") || document;
    element.hidden = false;
    const map = L.map(element, { scrollWheelZoom: false });
    let loaded = 0;
    const tiles = L.tileLayer(data.tiles, { attribution: data.attribution, maxZoom: 19 });
    tiles.on("tileload", () => {
      loaded += 1;
      if (svg) svg.setAttribute("hidden", "");
      figure.dataset.mapState = "tiles";
    });
    tiles.on("tileerror", () => {
      if (loaded || figure.dataset.mapState === "fallback") return;
      figure.dataset.mapState = "fallback"; // no tile at all: keep the offline SVG
      map.remove();
      element.hidden = true;
      if (svg) svg.removeAttribute("hidden");
    });
    tiles.addTo(map);

    const markers = [];
    const bounds = [];
    function add(stop, colour, kind) {
      const marker = L.marker([stop.lat, stop.lon], {
        icon: icon(stop, colour), title: stop.case, keyboard: true,
      });
      marker.home = L.latLng(stop.lat, stop.lon);
      marker.stopId = stop.id;
      marker.bindPopup(popup(stop));
      marker.on("click", () => select(board, stop.id));
      marker.on("add", () => {
        const el = marker.getElement();
        el.dataset.stopId = stop.id;
        el.classList.add(kind);
      });
      marker.addTo(map);
      markers.push(marker);
      bounds.push(marker.home);
    }
    (data.routes || []).forEach((route) => {
      const path = [route.base].concat(route.stops.map((s) => [s.lat, s.lon]), [route.base]);
      L.polyline(path, { color: route.colour, weight: 3, opacity: 0.8 }).addTo(map);
      bounds.push(L.latLng(route.base[0], route.base[1]));
      route.stops.forEach((stop) => add(stop, route.colour, "planned"));
    });
    (data.loose || []).forEach((stop) => add(stop, "#8a939e", "loose"));
    if (bounds.length) map.fitBounds(L.latLngBounds(bounds), { padding: [24, 24], maxZoom: 15 });
    else map.setView([-12.0977, -77.0365], 11);
    map.on("zoomend", () => fanOut(map, markers));
    fanOut(map, markers);
    // And the other way: clicking a stop in the list (not its buttons or links) shows it here.
    board.addEventListener("click", (event) => {
      const item = event.target.closest("li[data-job-id]");
      if (!item || event.target.closest("a, button, select, input, label, form")) return;
      if (!element.isConnected || figure.dataset.mapState === "fallback") return;
      const marker = markers.find((m) => String(m.stopId) === item.dataset.jobId);
      if (!marker) return;
      select(board, marker.stopId);
      map.panTo(marker.getLatLng());
      marker.openPopup();
    });
  }

  function init(root) {
    root.querySelectorAll("[data-plan-map]").forEach(setup);
  }
  document.addEventListener("DOMContentLoaded", () => init(document));
  document.addEventListener("htmx:load", (event) => init(event.target));
})();
