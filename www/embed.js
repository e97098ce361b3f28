/*
 * feedmesh embed: renders a node's merged listing into every element
 * with a data-feedmesh attribute. Plain DOM building (textContent only,
 * never HTML from the feed), no eval, no inline style: it runs under a
 * Content-Security-Policy that allows scripts from the node alone.
 */
(function () {
	"use strict";

	var script = document.currentScript;
	var base = script ? script.src.replace(/\/embed\.js([?#].*)?$/, "") :
	    "";
	var PARAMS = ["kind", "territory", "category", "peer", "limit",
	    "before", "q", "near", "radius", "bbox"];
	var LABELS = {
		fr: {
			loading: "Chargement\u2026",
			error: "Impossible de charger la liste.",
			empty: "Aucun contenu pour le moment.",
			more: "Voir plus de contenus sur ",
			listing: "Contenus de ",
			months: ["janvier", "f\u00e9vrier", "mars", "avril", "mai",
			    "juin", "juillet", "ao\u00fbt", "septembre", "octobre",
			    "novembre", "d\u00e9cembre"],
			kinds: {
				news: "Actualit\u00e9", job: "Offre d\u2019emploi",
				event: "\u00c9v\u00e9nement", actor: "Acteur",
				initiative: "Initiative", legal: "Juridique",
				resource: "Ressource"
			}
		},
		en: {
			loading: "Loading\u2026",
			error: "The listing could not be loaded.",
			empty: "Nothing here yet.",
			more: "See more on ",
			listing: "Listing from ",
			months: ["January", "February", "March", "April", "May",
			    "June", "July", "August", "September", "October",
			    "November", "December"],
			kinds: {
				news: "News", job: "Job offer", event: "Event",
				actor: "Actor", initiative: "Initiative",
				legal: "Legal", resource: "Resource"
			}
		}
	};

	/* The language of the element, else of the page: fr or en. */
	function language(box) {
		var n = box.closest("[lang]");
		var l = n ? n.getAttribute("lang") : "";

		if (!l && document.documentElement)
			l = document.documentElement.lang || "";
		return (/^fr\b/i.test(l) ? "fr" : "en");
	}

	function node(tag, cls, text) {
		var e = document.createElement(tag);

		if (cls)
			e.className = cls;
		if (text !== undefined && text !== null)
			e.textContent = text;
		return (e);
	}

	/* "2026-11-20T10:00:00Z" as "20 novembre 2026" (UTC). */
	function day(iso, t) {
		var d = new Date(iso);

		if (isNaN(d.getTime()))
			return ("");
		return (d.getUTCDate() + " " + t.months[d.getUTCMonth()] + " " +
		    d.getUTCFullYear());
	}

	/* "auvergne-rhone-alpes/loire" as "Loire". */
	function place(territory) {
		var s = territory.split("/").pop().replace(/-/g, " ");

		return (s.charAt(0).toUpperCase() + s.slice(1));
	}

	function shorten(s, max) {
		s = s.replace(/\s+/g, " ").trim();
		if (s.length <= max)
			return (s);
		return (s.slice(0, max).replace(/\s+\S*$/, "") + "\u2026");
	}

	function safeurl(u) {
		return (typeof u === "string" && /^https?:\/\//i.test(u));
	}

	function item(it, t, level) {
		var fm = it._feedmesh || {};
		var li = node("li", "feedmesh-item");
		var art = node("article", "feedmesh-entry");
		var meta = node("p", "feedmesh-meta");
		var h = node("h" + level, "feedmesh-title");
		var date = it.date_published || it.date_modified;
		var a, time, img;

		if (fm.kind && t.kinds[fm.kind]) {
			li.className += " feedmesh-kind-" + fm.kind;
			meta.appendChild(node("span", "feedmesh-kind",
			    t.kinds[fm.kind]));
		}
		if (date) {
			time = node("time", "feedmesh-date", day(date, t));
			time.setAttribute("datetime", date);
			meta.appendChild(time);
		}
		if (fm.territory)
			meta.appendChild(node("span", "feedmesh-territory",
			    place(fm.territory)));
		if (safeurl(it.image)) {
			img = node("img", "feedmesh-image");
			img.src = it.image;
			img.alt = "";
			img.loading = "lazy";
			art.appendChild(img);
		}
		if (safeurl(it.url)) {
			a = node("a", null, it.title || it.url);
			a.href = it.url;
			h.appendChild(a);
		} else
			h.textContent = it.title || "";
		art.appendChild(h);
		art.appendChild(meta);
		if (it.summary)
			art.appendChild(node("p", "feedmesh-summary",
			    shorten(it.summary, 240)));
		li.appendChild(art);
		return (li);
	}

	function render(box, status, doc, t, opts) {
		var level = parseInt(box.getAttribute("data-heading"), 10);
		var items = (doc.items || []).filter(function (it) {
			return (!(it._feedmesh && it._feedmesh.deleted));
		});
		var ul = node("ul", "feedmesh-items");
		var more, a, i;

		if (!(level >= 2 && level <= 6))
			level = 3;
		for (i = 0; i < items.length; i++)
			ul.appendChild(item(items[i], t, level));
		status.textContent = items.length ? "" : t.empty;
		box.appendChild(ul);
		more = node("p", "feedmesh-more");
		/* The node's title, without the filters' description. */
		a = node("a", null, t.more + ((doc.title || "").split(
		    " \u2014 ")[0] || base.replace(/^https?:\/\//, "")));
		a.href = base + "/" + (opts ? "?" + opts : "");
		more.appendChild(a);
		box.appendChild(more);
		box.setAttribute("aria-busy", "false");
	}

	function load(box) {
		var t = LABELS[language(box)];
		var cards = box.getAttribute("data-layout") === "cards";
		var q = [], filters = [], status, i, v, opts;

		if (box.getAttribute("data-feedmesh-done"))
			return;
		box.setAttribute("data-feedmesh-done", "1");
		for (i = 0; i < PARAMS.length; i++) {
			v = box.getAttribute("data-" + PARAMS[i]);
			if (v === null || v === "")
				continue;
			v = encodeURIComponent(PARAMS[i]) + "=" +
			    encodeURIComponent(v);
			q.push(v);
			if (PARAMS[i] !== "limit" && PARAMS[i] !== "before")
				filters.push(v);
		}
		opts = filters.join("&");
		box.classList.add("feedmesh", cards ? "feedmesh-cards" :
		    "feedmesh-list");
		box.setAttribute("aria-busy", "true");
		while (box.firstChild)
			box.removeChild(box.firstChild);
		status = node("p", "feedmesh-status", t.loading);
		status.setAttribute("role", "status");
		status.setAttribute("aria-live", "polite");
		box.appendChild(status);
		fetch(base + "/feeds/all.json" + (q.length ? "?" + q.join("&") :
		    ""), { credentials: "omit" }).then(function (r) {
			if (!r.ok)
				throw new Error("HTTP " + r.status);
			return (r.json());
		}).then(function (doc) {
			render(box, status, doc, t, opts);
		}).catch(function () {
			status.textContent = t.error;
			status.className += " feedmesh-error";
			box.setAttribute("aria-busy", "false");
		});
	}

	function start() {
		var link;

		if (!document.querySelector("link[data-feedmesh-css]")) {
			link = document.createElement("link");
			link.rel = "stylesheet";
			link.href = base + "/embed.css";
			link.setAttribute("data-feedmesh-css", "");
			document.head.appendChild(link);
		}
		Array.prototype.forEach.call(
		    document.querySelectorAll("[data-feedmesh]"), load);
	}

	if (document.readyState === "loading")
		document.addEventListener("DOMContentLoaded", start);
	else
		start();
}());
