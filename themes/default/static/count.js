/* Counts this page view for the region's evaluation, with nothing kept on the device: no
   cookie, no storage. Not run for visitors who ask not to be tracked (Global Privacy Control,
   Do Not Track). A visit's utm_* tags travel in the site's own links instead of in storage. */
(function () {
  "use strict";
  var s = document.currentScript, d = s && s.dataset;
  if (!d || navigator.globalPrivacyControl || navigator.doNotTrack === "1" || !navigator.sendBeacon) return;
  var q = new URLSearchParams(location.search), tags = new URLSearchParams();
  ["utm_source", "utm_medium", "utm_campaign"].forEach(function (k) { if (q.get(k)) tags.set(k, q.get(k)); });
  var t = tags.toString();
  navigator.sendBeacon(d.endpoint, JSON.stringify({
    page: d.page, council: d.council || null, campaign: d.campaign || null, role: d.role || null,
    url: location.origin + location.pathname + (t ? "?" + t : ""), referrer: document.referrer
  }));
  if (t) document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("a[href]").forEach(function (a) {
      if (a.origin === location.origin && a.search.indexOf("utm_") < 0) a.search += (a.search ? "&" : "?") + t;
    });
  });
})();
