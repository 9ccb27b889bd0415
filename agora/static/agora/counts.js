/* The live counts of the moderator pages: short polling of one cheap JSON endpoint
 * (see docs/handbook.md for why not server-sent events). The counts in the navigation
 * (pending, reported) and the tab title of the queue being looked at follow the
 * queues; the queue page is told the new counts ("agora:counts") to add new comments.
 */
(function () {
  "use strict";

  var nav = document.querySelector("[data-counts-url]");
  if (!nav) return;
  var POLL_MS = 15000;
  var titled = document.querySelector("[data-live-title]");

  function shown(count) {
    // Grouped as the page's language groups numbers, in the Latin digits the server uses.
    return new Intl.NumberFormat((document.documentElement.lang || "en") + "-u-nu-latn").format(count);
  }

  function show(counts) {
    nav.querySelectorAll("[data-count]").forEach(function (badge) {
      var count = counts[badge.dataset.count];
      if (typeof count === "number") badge.textContent = shown(count);
    });
    if (titled && typeof counts[titled.dataset.liveTitle] === "number") {
      document.title = "(" + shown(counts[titled.dataset.liveTitle]) + ") " + titled.dataset.title;
    }
    document.dispatchEvent(new CustomEvent("agora:counts", { detail: counts }));
  }

  function poll() {
    if (document.hidden) return;
    fetch(nav.dataset.countsUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (counts) { if (counts) show(counts); })
      .catch(function () { /* the next poll tries again */ });
  }
  window.setInterval(poll, POLL_MS);
  document.addEventListener("visibilitychange", poll);
  // Tests and impatient people can ask for an update at once, from any element.
  document.addEventListener("agora:poll", poll, true);
})();
