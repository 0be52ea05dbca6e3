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

  function search() {
    var lat = parseFloat(field("breedtegraad").value.replace(",", "."));
    var lon = parseFloat(field("lengtegraad").value.replace(",", "."));
    var radius = parseFloat(field("straal").value.replace(",", "."));
    var params = new URLSearchParams({ breedtegraad: lat, lengtegraad: lon, straal: radius, doel: field("doel").value });
    status.textContent = "Zoeken…";
    fetch("/v1/registraties/_zoek-kaart?" + params.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.json().then(function (data) { return [response.ok, data]; }); })
      .then(function (result) {
        var ok = result[0], data = result[1];
        area.clearLayers();
        withRecords.clearLayers();
        withoutRecords.clearLayers();
        body.innerHTML = "";
        if (!ok) { status.textContent = data.detail || "Zoeken mislukt."; return; }
        var circle = L.circle([lat, lon], { radius: radius, color: "#01689b", fillOpacity: 0.08 }).addTo(area);
        circle.getElement && circle.getElement() && circle.getElement().setAttribute("data-straal", radius);
        var bounds = circle.getBounds();
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
          row.innerHTML = '<td class="utrecht-table__cell"><a class="utrecht-link" href="/dossier/' + v.vestiging +
            "?doel=" + encodeURIComponent(field("doel").value) + '">' + text(v.naam) + "</a></td>" +
            '<td class="utrecht-table__cell">' + text(v.adres.straat + " " + v.adres.huisnummer + ", " + v.adres.postcode +
            " " + v.adres.plaats) + '</td><td class="utrecht-table__cell">' + number(Math.round(v.afstandMeter)) +
            '</td><td class="utrecht-table__cell">' + number(v.aantalRegistraties) + "</td>";
          body.appendChild(row);
        });
        map.fitBounds(bounds, { padding: [20, 20] });  // the circle and every result in view
        status.textContent = plural(data.totaalVestigingen, "vestiging", "vestigingen") + " en " +
          plural(data.totaal, "registratie", "registraties") + " binnen " + number(radius) + " m die u onder dit doel mag zien.";
      })
      .catch(function () { status.textContent = "Zoeken mislukt; probeer het opnieuw."; });
  }

  map.on("click", function (event) {
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
})();
