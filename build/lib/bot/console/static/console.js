// Loa Số console: the little the pages need beyond htmx. No inline script anywhere (CSP).
"use strict";

// "Select all" for the bulk status form: shown only when this script runs.
function wirePickAll(root) {
  root.querySelectorAll("input.pick-all").forEach(function (all) {
    var form = all.closest("form") || document;
    all.hidden = false;
    all.addEventListener("change", function () {
      form.querySelectorAll('input[name="receipt"]').forEach(function (box) {
        box.checked = all.checked;
      });
    });
  });
}

document.addEventListener("DOMContentLoaded", function () { wirePickAll(document); });
document.addEventListener("htmx:afterSettle", function (event) { wirePickAll(event.target); });
