// Keeps the keyboard in place when htmx replaces part of a page.
//
// A swap removes the element that had focus (the period picker's link, a column heading, a
// "Show:" link), and the browser then puts focus on <body>: the next Tab starts over from the
// top, and a screen reader says nothing about the update. After every swap that took the focused
// element away, this puts focus on the same control in the new content (found by id, rel, name,
// or its text beside the same kind of parent), or else on the updated region's first heading.
(function () {
  "use strict";
  var pending = null;
  var CONTROLS = "a[href], button, input, select, textarea, summary, [tabindex]";

  // Arrows show a sort order or a direction; the control is the same when they change.
  function words(element) {
    return (element.textContent || "").replace(/[\u2190-\u21ff]/g, "").replace(/\s+/g, " ").trim();
  }

  function parentKind(element) {
    var parent = element.parentElement;
    return parent ? parent.tagName + "." + parent.className : "";
  }

  function describe(element) {
    return {
      id: element.id,
      rel: element.getAttribute("rel"),
      name: element.getAttribute("name"),
      tag: element.tagName,
      text: words(element),
      parent: parentKind(element),
    };
  }

  function sameControl(region, was) {
    if (was.id) {
      var byId = document.getElementById(was.id);
      if (byId && region.contains(byId)) { return byId; }
    }
    var candidates = Array.prototype.filter.call(region.querySelectorAll(CONTROLS), function (el) {
      return el.tagName === was.tag && !el.disabled && el.getClientRects().length > 0;
    });
    var tests = [
      function (el) { return was.rel && el.getAttribute("rel") === was.rel; },
      function (el) { return was.name && el.getAttribute("name") === was.name; },
      function (el) { return was.text && words(el) === was.text && parentKind(el) === was.parent; },
      function (el) { return was.text && words(el) === was.text; },
    ];
    for (var i = 0; i < tests.length; i++) {
      var found = candidates.filter(tests[i])[0];
      if (found) { return found; }
    }
    return null;
  }

  function heading(region) {
    var found = region.querySelector("h1, h2, h3, h4, h5, h6") || region;
    // Focusable by script only: it does not join the Tab order.
    if (!found.hasAttribute("tabindex")) { found.setAttribute("tabindex", "-1"); }
    return found;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    pending = null;
    if (target && active && active !== document.body && target.contains(active)) {
      pending = { region: target, regionId: target.id, was: describe(active) };
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!pending) { return; }
    var saved = pending;
    pending = null;
    var active = document.activeElement;
    // Focus survived the swap, or the person has moved on: leave it where it is.
    if (active && active !== document.body && active.isConnected) { return; }
    // An outerHTML swap replaced the region itself: find the new one by its id.
    var region = saved.region.isConnected ? saved.region : document.getElementById(saved.regionId);
    if (!region) { return; }
    (sameControl(region, saved.was) || heading(region)).focus();
  });
})();
