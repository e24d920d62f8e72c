// The target grid: numbers show their thousands separated once a cell is left, and the KPI
// picker narrows to the KPIs whose name holds what is typed in its filter. The server reads a
// cell with or without separators, so a cell typed with this script off saves just the same.
(function () {
  "use strict";

  // Mirrors kpis.forms.ungroup_number: spaces, apostrophes and underscores anywhere; commas
  // only between groups of three digits. Anything else is left for the server to refuse.
  function ungroup(text) {
    var plain = text.replace(/[\s\u00a0\u202f'\u2019_]/g, "");
    if (/^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/.test(plain)) {
      plain = plain.replace(/,/g, "");
    }
    return plain;
  }

  function group(input) {
    var plain = ungroup(input.value);
    var match = /^(\d+)(\.\d+)?$/.exec(plain);
    if (!match) {
      return;  // empty or not a number: leave it as typed, so its error names what was typed
    }
    input.value = match[1].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (match[2] || "");
  }

  function filterOptions(filter) {
    var select = document.getElementById(filter.getAttribute("data-filter-for"));
    if (!select) {
      return;
    }
    var wanted = filter.value.trim().toLowerCase();
    var shown = 0;
    Array.prototype.forEach.call(select.options, function (option) {
      var match = !wanted || option.text.toLowerCase().indexOf(wanted) !== -1 || option.selected;
      option.hidden = !match;
      shown += match ? 1 : 0;
    });
    var count = document.getElementById(filter.id + "-count");
    if (count) {
      count.textContent = wanted ? shown + " of " + select.options.length + " KPIs" : "";
    }
  }

  document.addEventListener("focusout", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.hasAttribute("data-group-digits")) {
      group(target);
    }
  });
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.hasAttribute("data-filter-for")) {
      filterOptions(target);
    }
  });
})();
