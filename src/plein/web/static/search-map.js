/* Map search: click or type a centre, choose a radius, and show the visible establishments within it.
   Works without background tiles (points on a plain grid) and entirely from the keyboard via the form. */
(function () {
  "use strict";
  var form = document.getElementById("kaart-form");
  var map = L.map("kaart", { keyboard: true, zoomControl: false, maxZoom: 19 }).setView([52.3728, 4.8936], 14);
  L.control.zoom({ zoomInTitle: "Inzoomen", zoomOutTitle: "Uitzoomen" }).addTo(map);
  map.on("popupopen", function (event) {
    var close = event.popup.getElement() && event.popup.getElement().querySelector(".leaflet-popup-close-button");
    if (close) { close.setAttribute("aria-label", "Sluit dit venster"); close.setAttribute("title", "Sluiten"); }
  });
  function number(value) { return Number(value).toLocaleString("nl-NL"); }
  function plural(count, one, many) { return number(count) + " " + (count === 1 ? one : many); }
  var tileUrl = form.dataset.tileUrl;
  if (tileUrl) {
    L.tileLayer(tileUrl, { attribution: form.dataset.tileAttribution, maxZoom: 19 }).addTo(map);
  }
  // Layers the user can switch (Dutch labels); markers clustered when leaflet.markercluster is loaded.
  function group() {
    return L.markerClusterGroup ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40, disableClusteringAtZoom: 15 }) : L.layerGroup();
  }
  var area = L.layerGroup().addTo(map);
  var withRecords = group().addTo(map);
  var withoutRecords = group().addTo(map);
  L.control.layers(null, {
    "Zoekgebied": area,
    "Vestigingen met registraties": withRecords,
    "Vestigingen zonder registraties": withoutRecords
  }, { collapsed: false }).addTo(map);
  var status = document.getElementById("kaart-status");
  var body = document.querySelector("#kaart-resultaten tbody");

  function field(name) { return document.getElementById(name); }

  function text(value) { var span = document.createElement("span"); span.textContent = value; return span.innerHTML; }

  function clearResults() {
    area.clearLayers();
    withRecords.clearLayers();
    withoutRecords.clearLayers();
    body.innerHTML = "";
  }

  // One request for a circle or a polygon; `shape` draws the searched area, `where` ends the status line.
  function run(params, shape, where, onError) {
    params.set("doel", field("doel").value);
    status.textContent = "Zoeken…";
    fetch("/v1/registraties/_zoek-kaart?" + params.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.json().then(function (data) { return [response.ok, data]; }); })
      .then(function (result) {
        var ok = result[0], data = result[1];
        clearResults();
        if (!ok) {
          status.textContent = data.detail || "Zoeken mislukt.";
          if (onError) { onError(data.detail || "Zoeken mislukt."); }
          return;
        }
        var drawn = shape().addTo(area);
        var bounds = drawn.getBounds();
        var doel = encodeURIComponent(field("doel").value);
        data.vestigingen.forEach(function (v) {
          var point = [v.adres.breedtegraad, v.adres.lengtegraad];
          bounds.extend(point);
          var popup = '<strong>' + text(v.naam) + '</strong><br>' + text(v.adres.straat + " " + v.adres.huisnummer + ", " +
            v.adres.plaats) + '<br>' + plural(v.aantalRegistraties, "registratie", "registraties") +
            '<br><a class="utrecht-link plein-popup-dossier" href="/dossier/' + v.vestiging + "?doel=" + doel + '">Dossier openen</a>';
          L.circleMarker(point, { radius: 6, color: "#ca005d", className: "plein-punt" })
            .bindPopup(popup).addTo(v.aantalRegistraties ? withRecords : withoutRecords);
          var row = document.createElement("tr");
          row.className = "utrecht-table__row";
          var distance = v.afstandMeter === undefined ? "–" : number(Math.round(v.afstandMeter));
          row.innerHTML = '<td class="utrecht-table__cell"><a class="utrecht-link" href="/dossier/' + v.vestiging +
            "?doel=" + doel + '">' + text(v.naam) + "</a></td>" +
            '<td class="utrecht-table__cell">' + text(v.adres.straat + " " + v.adres.huisnummer + ", " + v.adres.postcode +
            " " + v.adres.plaats) + '</td><td class="utrecht-table__cell">' + distance +
            '</td><td class="utrecht-table__cell">' + number(v.aantalRegistraties) + "</td>";
          body.appendChild(row);
        });
        map.fitBounds(bounds, { padding: [20, 20] });  // the searched area and every result in view
        status.textContent = plural(data.totaalVestigingen, "vestiging", "vestigingen") + " en " +
          plural(data.totaal, "registratie", "registraties") + " " + where + " die u onder dit doel mag zien.";
      })
      .catch(function () { status.textContent = "Zoeken mislukt; probeer het opnieuw."; });
  }

  function search() {
    var lat = parseFloat(field("breedtegraad").value.replace(",", "."));
    var lon = parseFloat(field("lengtegraad").value.replace(",", "."));
    var radius = parseFloat(field("straal").value.replace(",", "."));
    var params = new URLSearchParams({ breedtegraad: lat, lengtegraad: lon, straal: radius });
    run(params, function () {
      return L.circle([lat, lon], { radius: radius, color: "#01689b", fillOpacity: 0.08 });
    }, "binnen " + number(radius) + " m");
  }

  map.on("click", function (event) {
    if (drawing) { addVertex(event.latlng.lat, event.latlng.lng); return; }
    field("adres").value = "";
    field("breedtegraad").value = event.latlng.lat.toFixed(6);
    field("lengtegraad").value = event.latlng.lng.toFixed(6);
    search();
  });
  function fromAddress() {
    var params = new URLSearchParams({ q: field("adres").value, paginaGrootte: 1, doel: field("doel").value });
    status.textContent = "Adres opzoeken…";
    return fetch("/v1/subjecten/_zoek?" + params.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (!data.subjecten || !data.subjecten.length) {
          status.textContent = data.detail || "Geen vestiging op dit adres gevonden die u mag zien.";
          return false;
        }
        field("breedtegraad").value = data.subjecten[0].adres.breedtegraad;
        field("lengtegraad").value = data.subjecten[0].adres.lengtegraad;
        return true;
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (field("adres").value.trim()) {
      fromAddress().then(function (found) { if (found) { search(); } });
    } else {
      search();
    }
  });

  // Polygon: draw it by clicking vertices, or type "breedte lengte; breedte lengte; …" (decimal comma or point).
  var drawing = false;
  var vertices = [];
  var sketch = L.layerGroup().addTo(map);
  var toggle = field("gebied-tekenen"), close = field("gebied-sluiten"), clear = field("gebied-wissen");
  var polygonField = field("gebied"), polygonError = field("gebied-fout");

  function decimal(value) { return value.toFixed(6).replace(".", ","); }
  function showVertices() {
    polygonField.value = vertices.map(function (p) { return decimal(p[0]) + " " + decimal(p[1]); }).join("; ");
  }
  function sketchVertices() {
    sketch.clearLayers();
    vertices.forEach(function (p) { L.circleMarker(p, { radius: 4, color: "#01689b", className: "plein-hoekpunt" }).addTo(sketch); });
    if (vertices.length > 1) { L.polyline(vertices, { color: "#01689b", dashArray: "4 4" }).addTo(sketch); }
    close.disabled = vertices.length < 3;
  }
  function setDrawing(on) {
    drawing = on;
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    toggle.textContent = on ? "Tekenen stoppen" : "Gebied tekenen";
    map.getContainer().classList.toggle("plein-map--tekenen", on);
    if (on) { status.textContent = "Klik de hoekpunten van het gebied op de kaart aan; daarna ‘Gebied sluiten’."; }
  }
  function addVertex(lat, lon) {
    vertices.push([lat, lon]);
    showVertices();
    sketchVertices();
    hideError();
  }
  function showError(message) {
    polygonError.textContent = message;
    polygonError.hidden = false;
    polygonField.setAttribute("aria-invalid", "true");
  }
  function hideError() {
    polygonError.textContent = "";
    polygonError.hidden = true;
    polygonField.removeAttribute("aria-invalid");
  }
  // Returns [points, null] or [null, Dutch message naming the point that is wrong].
  function parseVertices(typed) {
    var parts = typed.split(";").map(function (p) { return p.trim(); }).filter(function (p) { return p; });
    if (parts.length < 3) { return [null, "Een gebied heeft minstens drie punten, zoals 51,92 4,47; 51,93 4,49; 51,91 4,50."]; }
    if (parts.length > 200) { return [null, "Een gebied heeft hoogstens 200 punten; u gaf er " + number(parts.length) + "."]; }
    var points = [];
    for (var i = 0; i < parts.length; i++) {
      var pieces = parts[i].split(/\s+/);
      if (pieces.length === 1 && pieces[0].split(",").length === 2) { pieces = pieces[0].split(","); }
      var lat = pieces.length === 2 ? Number(pieces[0].replace(",", ".")) : NaN;
      var lon = pieces.length === 2 ? Number(pieces[1].replace(",", ".")) : NaN;
      if (!isFinite(lat) || !isFinite(lon)) {
        return [null, "Punt " + (i + 1) + " (‘" + parts[i] + "’) is geen ‘breedte lengte’, zoals 51,92 4,47."];
      }
      if (lat < -90 || lat > 90 || lon < -180 || lon > 180) {
        return [null, "Punt " + (i + 1) + " (‘" + parts[i] + "’) ligt niet op aarde: breedte tussen -90 en 90, lengte tussen -180 en 180."];
      }
      points.push([lat, lon]);
    }
    return [points, null];
  }
  function searchPolygon() {
    setDrawing(false);
    sketch.clearLayers();
    var ring = vertices.slice();
    var params = new URLSearchParams({ gebied: ring.map(function (p) { return p[0] + "," + p[1]; }).join(";") });
    run(params, function () {
      return L.polygon(ring, { color: "#01689b", fillOpacity: 0.08, className: "plein-gebied" });
    }, "in dit gebied", showError);
  }

  toggle.addEventListener("click", function () {
    if (!drawing) { vertices = []; sketchVertices(); hideError(); }  // each drawing starts afresh
    setDrawing(!drawing);
  });
  close.addEventListener("click", function () {
    if (vertices.length >= 3) { searchPolygon(); }
  });
  clear.addEventListener("click", function () {
    setDrawing(false);
    vertices = [];
    polygonField.value = "";
    hideError();
    sketch.clearLayers();
    clearResults();
    close.disabled = true;
    status.textContent = "Gebied gewist.";
  });
  field("gebied-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var parsed = parseVertices(polygonField.value);
    if (!parsed[0]) { showError(parsed[1]); polygonField.focus(); return; }
    hideError();
    vertices = parsed[0];
    searchPolygon();
  });
})();
