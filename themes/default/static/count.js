/* Counts this page view for the region's evaluation, keeping nothing on the device. Not run
   for visitors who ask not to be tracked (Global Privacy Control, Do Not Track). Where the
   visit came from (its utm_* tags, or the site it came from) travels in the site's own links,
   and reaches the apply form's hidden fields, instead of being stored. */
(function () {
  "use strict";
  var s = document.currentScript, d = s && s.dataset;
  if (!d || navigator.globalPrivacyControl || navigator.doNotTrack === "1" || !navigator.sendBeacon) return;
  var q = new URLSearchParams(location.search), tags = new URLSearchParams(), r = document.referrer, from = "";
  ["utm_source", "utm_medium", "utm_campaign", "rc_ref"].forEach(function (k) { if (q.get(k)) tags.set(k, q.get(k)); });
  try { from = r && new URL(r).origin !== location.origin ? new URL(r).origin : ""; } catch (e) { from = ""; }
  if (from && !tags.has("utm_source") && !tags.has("rc_ref")) tags.set("rc_ref", from);
  var t = tags.toString();
  navigator.sendBeacon(d.endpoint, JSON.stringify({
    page: d.page, council: d.council || null, campaign: d.campaign || null, role: d.role || null,
    url: location.origin + location.pathname + (t ? "?" + t : ""), referrer: r
  }));
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-rc-source]").forEach(function (i) {
      i.value = i.name === "counted" ? "1" : i.name === "referrer" ? tags.get("rc_ref") || "" : tags.get(i.name) || "";
    });
    if (t) document.querySelectorAll("a[href]").forEach(function (a) {
      if (a.origin === location.origin && a.search.indexOf("utm_") < 0 && a.search.indexOf("rc_ref") < 0) {
        a.search += (a.search ? "&" : "?") + t;
      }
    });
  });
})();
