/* Loa Số chat bubble for the commune's website:
     <script src="https://loaso.example.vn/chat/widget.js" async></script>
   (optionally data-start="gy:<draft id>" or "tin:<article id>" to open the chat there).
   The bubble appears only on sites listed in LOASO_WEBCHAT_ORIGINS: it asks first, and the
   chat's frame refuses any other site anyway (Content-Security-Policy frame-ancestors).
   Styles are set through the DOM, so a site's own style rules and CSP do not interfere. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__loasoWidget) return;
  window.__loasoWidget = true;
  var base = new URL(script.src).origin;
  var start = script.getAttribute("data-start") || "";

  function css(element, rules) { for (var name in rules) element.style[name] = rules[name]; return element; }

  function show() {
    var host = css(document.createElement("div"), {position: "fixed", right: "16px", bottom: "16px", zIndex: "2147483000"});
    host.setAttribute("data-loaso-widget", "");
    var shadow = host.attachShadow ? host.attachShadow({mode: "open"}) : host;
    var bubble = css(document.createElement("button"), {
      font: "600 16px system-ui, sans-serif", color: "#fff", background: "#a51c1c", border: "2px solid #fff",
      borderRadius: "28px", padding: "12px 18px", minHeight: "48px", cursor: "pointer",
      boxShadow: "0 2px 8px rgba(0,0,0,.35)"
    });
    bubble.type = "button";
    bubble.textContent = "Hỏi Loa Số";
    bubble.setAttribute("aria-expanded", "false");
    bubble.setAttribute("aria-controls", "loaso-panel");
    var panel = css(document.createElement("div"), {
      display: "none", position: "fixed", right: "16px", bottom: "80px", width: "min(380px, calc(100vw - 32px))",
      height: "min(600px, calc(100vh - 100px))", background: "#fff", border: "1px solid #c9d1d9",
      borderRadius: "12px", boxShadow: "0 4px 18px rgba(0,0,0,.3)", overflow: "hidden"
    });
    panel.id = "loaso-panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", "Trò chuyện với Loa Số");
    var close = css(document.createElement("button"), {
      position: "absolute", top: "6px", right: "6px", font: "600 14px system-ui, sans-serif",
      background: "#fff", border: "1px solid #4f5963", borderRadius: "6px", padding: "6px 10px", cursor: "pointer"
    });
    close.type = "button";
    close.textContent = "Đóng";
    var frame = null;

    function toggle(open) {
      if (open && !frame) {
        frame = css(document.createElement("iframe"), {width: "100%", height: "100%", border: "0"});
        frame.title = "Trò chuyện với Loa Số";
        frame.src = base + "/chat?embed=1" + (start ? "&start=" + encodeURIComponent(start) : "");
        panel.insertBefore(frame, close);
      }
      panel.style.display = open ? "block" : "none";
      bubble.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) frame.focus(); else bubble.focus();
    }
    bubble.addEventListener("click", function () { toggle(panel.style.display === "none"); });
    close.addEventListener("click", function () { toggle(false); });
    panel.addEventListener("keydown", function (event) { if (event.key === "Escape") toggle(false); });
    panel.appendChild(close);
    shadow.appendChild(panel);
    shadow.appendChild(bubble);
    document.body.appendChild(host);
  }

  fetch(base + "/chat/api/embed", {mode: "cors", credentials: "omit"}).then(function (response) {
    if (response.status === 204) show();
    else console.warn("Loa Số: trang web này chưa có trong LOASO_WEBCHAT_ORIGINS, không hiện khung trò chuyện.");
  }, function () {
    console.warn("Loa Số: trang web này chưa có trong LOASO_WEBCHAT_ORIGINS, không hiện khung trò chuyện.");
  });
})();
