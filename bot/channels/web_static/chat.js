/* Loa Số web chat: one small script, no framework, no build step.
   The browser keeps a random session token (localStorage), nothing else about the person.
   Messages go by POST; the conversation arrives by server-sent events, replayed from the
   server on every (re)connection, so a reload or a day away shows it all again. */
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root) return;
  var log = document.getElementById("chat-log");
  var form = document.getElementById("chat-form");
  var box = document.getElementById("chat-text");
  var status = document.getElementById("chat-status");
  var KEY = "loaso-webchat-session", PENDING = "loaso-webchat-start";
  var API = "/chat/api/";
  var session = null, source = null, lastId = 0, backoff = 1000, timer = null;
  var shown = {}, opened = false, start = root.getAttribute("data-start") || "";
  var poster = root.getAttribute("data-src") || "";  /* a poster's QR code: its tag */

  function store(key, value) {
    try { if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, value); } catch (e) {}
  }
  function stored(key) { try { return localStorage.getItem(key); } catch (e) { return null; } }
  function say(text) { status.textContent = text || ""; }
  function newId() {
    var bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function post(path, body) {
    return fetch(API + path, {
      method: "POST", headers: {"Content-Type": "application/json"}, credentials: "same-origin",
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        data.status = response.status;
        return data;
      });
    });
  }

  function getSession() {
    session = stored(KEY);
    if (session) return Promise.resolve(session);
    return post("session", {}).then(function (data) {
      if (!data.session) throw new Error(data.message || "Không mở được phiên trò chuyện.");
      session = data.session;
      store(KEY, session);
      return session;
    });
  }

  /* Text with its web addresses as links that open in a new tab. */
  var ADDRESS = /(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)])/g;
  function fill(element, text) {
    var parts = text.split(ADDRESS);
    for (var i = 0; i < parts.length; i++) {
      if (!parts[i]) continue;
      if (i % 2 === 1) {
        var link = document.createElement("a");
        link.href = parts[i]; link.textContent = parts[i];
        link.target = "_blank"; link.rel = "noopener noreferrer";
        element.appendChild(link);
      } else {
        element.appendChild(document.createTextNode(parts[i]));
      }
    }
  }

  function bubble(author, text, ref) {
    var item = document.createElement("div");
    item.className = "chat-line chat-" + author;
    if (ref) item.setAttribute("data-ref", ref);
    var who = document.createElement("span");
    who.className = "chat-who";
    who.textContent = author === "loaso" ? "Loa Số: " : "Bạn: ";
    var body = document.createElement("p");
    body.appendChild(who);
    fill(body, text);
    item.appendChild(body);
    return item;
  }

  function render(line) {
    if (shown[line.id]) return;
    shown[line.id] = true;
    lastId = Math.max(lastId, line.id);
    var item = bubble(line.author, line.text, line.ref);
    if (line.buttons && line.buttons.length) {
      var choices = document.createElement("div");
      choices.className = "chat-choices";
      choices.setAttribute("role", "group");
      choices.setAttribute("aria-label", "Các lựa chọn");
      line.buttons.forEach(function (button) {
        var choice = document.createElement("button");
        choice.type = "button";
        choice.className = "chat-choice";
        choice.textContent = button[0];
        choice.addEventListener("click", function () { tap(button[1], button[0]); });
        choices.appendChild(choice);
      });
      item.appendChild(choices);
    }
    var pending = line.ref && log.querySelector('.chat-pending[data-ref="' + line.ref + '"]');
    if (pending) log.replaceChild(item, pending); else log.appendChild(item);
    /* A long answer (an article) is shown from its start, anything else at the bottom. */
    if (line.author === "loaso" && item.offsetHeight > log.clientHeight) log.scrollTop = item.offsetTop - 8;
    else log.scrollTop = log.scrollHeight;
  }

  function connect() {
    clearTimeout(timer);
    if (source) source.close();
    var url = API + "events?session=" + encodeURIComponent(session) + "&after=" + lastId;
    source = new EventSource(url);
    source.onmessage = function (event) { render(JSON.parse(event.data)); };
    source.addEventListener("ready", function () {
      backoff = 1000;
      say("");
      if (!opened) { opened = true; openAt(); }
    });
    source.onerror = function () {
      source.close();
      /* A refused session answers 401: open a new one. Otherwise wait, longer each time. */
      fetch(url, {method: "GET"}).then(function (response) {
        if (response.status === 401) { store(KEY, null); return restart(); }
        if (response.body) response.body.cancel();
        retry();
      }, retry);
    };
  }

  function retry() {
    var wait = Math.min(backoff, 30000);
    backoff = Math.min(backoff * 2, 30000);
    say("Mất kết nối, đang thử lại sau " + Math.round(wait / 1000) + " giây…");
    timer = setTimeout(connect, wait + Math.random() * 500);
  }

  function restart() {
    lastId = 0; shown = {}; opened = false;
    while (log.firstChild) log.removeChild(log.firstChild);
    return getSession().then(connect, function (error) { say(error.message); retry(); });
  }

  /* Opening: a new conversation starts with the greeting and the privacy notice; a link
     into the chat is pressed now if the resident has agreed, else after "Đồng ý". */
  function openAt() {
    var empty = !log.querySelector(".chat-line");
    if (!empty && !start) return;
    var opening = {open: start};
    if (poster) opening.src = poster;  /* counted once, on a first contact */
    send(opening).then(function (data) {
      if (data && data.deferred) sessionStorage.setItem(PENDING, start);
      start = ""; poster = "";
    });
  }

  function send(message, pendingText) {
    message.session = session;
    message.id = newId();
    var pending = null;
    if (pendingText) {
      pending = bubble("resident", pendingText, message.id);
      pending.classList.add("chat-pending");
      log.appendChild(pending);
      log.scrollTop = log.scrollHeight;
    }
    return post("send", message).then(function (data) {
      if (data.status === 200) { say(""); return data; }
      if (pending && pending.parentNode) log.removeChild(pending);
      if (data.status === 401) { store(KEY, null); restart(); }
      say(data.message || "Chưa gửi được, xin thử lại.");
      return null;
    }, function () {
      if (pending && pending.parentNode) log.removeChild(pending);
      say("Chưa gửi được vì mất kết nối. Xin thử lại.");
      return null;
    });
  }

  function tap(payload, label) {
    send({tap: payload, label: label}, label).then(function (data) {
      var later = sessionStorage.getItem(PENDING);
      if (data && payload === "consent:yes" && later) {
        sessionStorage.removeItem(PENDING);
        send({open: later});
      }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = box.value.trim();
    if (!text) return;
    if (text.length > 4000) { say("Tin nhắn dài quá 4.000 ký tự, bạn chia thành vài tin ngắn hơn nhé."); return; }
    box.value = "";
    send({text: text}, text).then(function (data) {
      if (!data && !box.value) box.value = text; /* not sent: give the text back */
    });
    box.focus();
  });

  /* Enter sends, but never while an input method (Telex, VNI) is composing a letter. */
  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });

  restart();
})();
