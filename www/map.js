/*
 * feedmesh map: the node's actor profiles as markers on a Leaflet map,
 * read from /actors.geojson (or built from the JSON Feed listing when
 * the node has no GeoJSON endpoint). Tiles only from the server the
 * administrator configured; else markers on a plain background.
 */
(function () {
	"use strict";

	var box = document.getElementById("map");
	var KINDS = {
		fr: { news: "Actualit\u00e9", job: "Offre d\u2019emploi",
		    event: "\u00c9v\u00e9nement", actor: "Acteur",
		    initiative: "Initiative", legal: "Juridique",
		    resource: "Ressource" },
		en: { news: "News", job: "Job offer", event: "Event",
		    actor: "Actor", initiative: "Initiative", legal: "Legal",
		    resource: "Resource" }
	};
	var kinds, map, tiles;

	if (!box || typeof L === "undefined")
		return;
	kinds = KINDS[/^fr\b/i.test(document.documentElement.lang) ? "fr" :
	    "en"];

	function node(tag, cls, text) {
		var e = document.createElement(tag);

		if (cls)
			e.className = cls;
		if (text)
			e.textContent = text;
		return (e);
	}

	/* JSON Feed items with a geo point, as GeoJSON features. */
	function features(doc) {
		return ((doc.items || []).filter(function (it) {
			var g = it._feedmesh && it._feedmesh.geo;

			return (g && typeof g.lat === "number" &&
			    typeof g.lon === "number" && !it._feedmesh.deleted);
		}).map(function (it) {
			return ({
				type: "Feature",
				geometry: { type: "Point", coordinates:
				    [it._feedmesh.geo.lon, it._feedmesh.geo.lat] },
				properties: { title: it.title, url: it.url,
				    kind: it._feedmesh.kind,
				    territory: it._feedmesh.territory }
			});
		}));
	}

	function popup(p) {
		var div = node("div", "map-popup");
		var a;

		if (p.kind && kinds[p.kind])
			div.appendChild(node("p", "feedmesh-kind", kinds[p.kind]));
		if (typeof p.url === "string" && /^https?:\/\//i.test(p.url)) {
			a = node("a", null, p.title || p.url);
			a.href = p.url;
			div.appendChild(node("strong")).appendChild(a);
		} else
			div.appendChild(node("strong", null, p.title || ""));
		return (div);
	}

	function show(list) {
		var bounds = [];

		list.forEach(function (f) {
			var c = f.geometry && f.geometry.coordinates;
			var m;

			if (!c || f.geometry.type !== "Point")
				return;
			m = L.circleMarker([c[1], c[0]], { radius: 8,
			    className: "map-marker" });
			m.bindPopup(popup(f.properties || {}));
			m.addTo(map);
			bounds.push([c[1], c[0]]);
		});
		box.setAttribute("data-markers", String(bounds.length));
		if (bounds.length > 0)
			map.fitBounds(bounds, { padding: [30, 30], maxZoom: 12 });
	}

	function get(url) {
		return (fetch(url).then(function (r) {
			if (!r.ok)
				throw new Error("HTTP " + r.status);
			return (r.json());
		}));
	}

	map = L.map(box, { attributionControl: !!box.dataset.tiles });
	map.setView([46.6, 2.4], 5);
	tiles = box.dataset.tiles;
	if (tiles)
		L.tileLayer(tiles, { maxZoom: 18 }).addTo(map);
	get(box.dataset.geojson).then(function (doc) {
		show(doc.features || []);
	}).catch(function () {
		return (get(box.dataset.fallback).then(function (doc) {
			show(features(doc));
		}));
	}).catch(function () {
		box.setAttribute("data-markers", "0");
	});
}());
