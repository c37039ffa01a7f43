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

// Phones: the main menu folds behind "Mục lục" (the stylesheet folds it only on narrow
// screens, and only once this has run, so without the script the menu stays open).
function wireMenu() {
  var toggle = document.querySelector(".menu-toggle");
  if (!toggle) { return; }
  var header = toggle.closest(".top");
  toggle.hidden = false;
  header.classList.add("folds");
  toggle.addEventListener("click", function () {
    var open = header.classList.toggle("menu-open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
}

document.addEventListener("DOMContentLoaded", wireMenu);
document.addEventListener("htmx:afterSettle", function (event) { wirePickAll(event.target); });

// Announcements: the character count as they type (the limit is the server's, on the field).
// Counted as the server counts: code points of the NFC text, without surrounding spaces.
function wireCounters(root) {
  root.querySelectorAll("textarea[data-limit]").forEach(function (field) {
    var output = document.getElementById(field.getAttribute("aria-describedby"));
    var limit = parseInt(field.getAttribute("data-limit"), 10);
    if (!output || field.dataset.counted) { return; }
    field.dataset.counted = "1";
    var show = function () {
      var used = Array.from(field.value.normalize("NFC").trim()).length;
      var over = used > limit;
      output.textContent = used.toLocaleString("vi-VN") + " / " + limit.toLocaleString("vi-VN") +
        " ký tự" + (over ? " — quá " + (used - limit).toLocaleString("vi-VN") + " ký tự" : "");
      output.classList.toggle("over", over);
      field.setAttribute("aria-invalid", over ? "true" : "false");
    };
    field.addEventListener("input", show);
    show();
  });
}

document.addEventListener("DOMContentLoaded", function () { wireCounters(document); });

// "Sao chép": copy a read-only text (the message for a Zalo group) in one tap. The button
// shows only when this script runs; the text stays selectable without it.
function wireCopy(root) {
  root.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector('[role="status"]');
    if (!field || button.dataset.wired) { return; }
    button.dataset.wired = "1";
    button.hidden = false;
    var done = function () { if (status) { status.textContent = "Đã sao chép, dán vào nhóm Zalo."; } };
    var byHand = function () {
      field.focus();
      field.select();
      if (status) { status.textContent = "Đã chọn nội dung: bấm giữ rồi chọn Sao chép."; }
    };
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, byHand);
      } else {
        field.select();
        var copied = false;
        try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
        if (copied) { done(); } else { byHand(); }
      }
    });
  });
}

document.addEventListener("DOMContentLoaded", function () { wireCopy(document); });
