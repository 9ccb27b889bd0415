/* Keyboard moderation for the queue, layered over forms that work without it.
 *
 * j / k select the next / previous comment, a approves, r opens the reason picker
 * (number keys, or arrows and Enter, reject for a reason), ? shows the shortcuts,
 * Esc closes a dialog. Decisions are posted with fetch so the page keeps its place;
 * whatever the server answers is announced in the live region. If the answer is not
 * JSON (an expired session, say), the form is submitted the ordinary way.
 */
(function () {
  "use strict";

  var queue = document.getElementById("queue");
  if (!queue) return;
  var live = document.getElementById("live");
  var picker = document.getElementById("reason-picker");
  var help = document.getElementById("shortcut-help");
  var items = Array.prototype.slice.call(queue.querySelectorAll(".queue-item"));
  var selected = -1;
  var pickerTarget = null;

  function announce(text, isError) {
    var line = document.createElement("p");
    line.className = "message " + (isError ? "message-error" : "message-success");
    line.textContent = text;
    live.textContent = "";
    // A fresh node on the next frame makes screen readers repeat an identical message.
    window.requestAnimationFrame(function () { live.appendChild(line); });
  }

  function select(index, focus) {
    if (!items.length) return;
    index = Math.max(0, Math.min(index, items.length - 1));
    if (items[selected]) {
      items[selected].classList.remove("is-selected");
      items[selected].removeAttribute("aria-current");
    }
    selected = index;
    var item = items[selected];
    item.classList.add("is-selected");
    item.setAttribute("aria-current", "true");
    if (focus) {
      item.focus({ preventScroll: true });
      item.scrollIntoView({ block: "nearest" });
    }
  }

  function finish(item) {
    var index = items.indexOf(item);
    if (index === -1) return;
    items.splice(index, 1);
    item.classList.remove("is-selected");
    var entry = item.closest("li");
    if (entry) entry.remove();
    selected = -1;
    if (items.length) {
      select(index, true);
    } else {
      var empty = document.createElement("li");
      empty.className = "queue-empty";
      empty.textContent = queue.dataset.msgEmpty;
      queue.appendChild(empty);
    }
  }

  function markConflict(item, message) {
    var note = document.createElement("p");
    note.className = "item-error";
    note.textContent = message;
    item.appendChild(note);
    item.classList.add("is-done");
    item.querySelectorAll("button, select, input").forEach(function (control) {
      control.disabled = true;
    });
  }

  function submitDecision(form) {
    var item = form.closest(".queue-item");
    if (!item || item.dataset.busy) return;
    item.dataset.busy = "1";
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          form.submit();
          return;
        }
        return response.json().then(function (answer) {
          delete item.dataset.busy;
          announce(answer.message, !answer.ok);
          if (answer.ok) {
            finish(item);
          } else if (response.status === 409) {
            // Someone else decided it: show why, and move on.
            markConflict(item, answer.message);
            var index = items.indexOf(item);
            items.splice(index, 1);
            selected = -1;
            select(index, true);
          }
        });
      })
      .catch(function () {
        delete item.dataset.busy;
        announce(queue.dataset.msgFailed, true);
      });
  }

  function openPicker(item) {
    var form = item.querySelector(".reject-form");
    if (!form || !picker || typeof picker.showModal !== "function") {
      if (form) form.querySelector("select").focus();
      else announce(queue.dataset.msgUnavailable, true);
      return;
    }
    pickerTarget = form;
    var preselected = form.elements.reason.value;
    var radios = picker.querySelectorAll('input[name="picker-reason"]');
    var chosen = radios[0];
    radios.forEach(function (radio) {
      if (radio.value === preselected) chosen = radio;
    });
    chosen.checked = true;
    picker.querySelector("#picker-note").value = form.elements.note.value;
    picker.showModal();
    chosen.focus();
  }

  function isTyping(target) {
    var tag = target.tagName;
    return (
      target.isContentEditable ||
      tag === "TEXTAREA" ||
      tag === "SELECT" ||
      (tag === "INPUT" && ["radio", "checkbox", "submit", "button"].indexOf(target.type) === -1)
    );
  }

  queue.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("approve-form") && !form.classList.contains("reject-form")) return;
    event.preventDefault();
    submitDecision(form);
  });

  // Clicking or tabbing into a comment makes it the selected one.
  queue.addEventListener("focusin", function (event) {
    var item = event.target.closest(".queue-item");
    var index = items.indexOf(item);
    if (index !== -1 && index !== selected) select(index, false);
  });

  if (picker) {
    picker.addEventListener("keydown", function (event) {
      var radios = picker.querySelectorAll('input[name="picker-reason"]');
      var number = parseInt(event.key, 10);
      if (!isTyping(event.target) && number >= 1 && number <= radios.length) {
        event.preventDefault();
        radios[number - 1].checked = true;
        picker.close("reject");
      } else if (event.key === "Enter" && event.target.type === "radio") {
        event.preventDefault();
        picker.close("reject");
      }
    });
    picker.addEventListener("close", function () {
      var form = pickerTarget;
      pickerTarget = null;
      if (!form || picker.returnValue !== "reject") return;
      picker.returnValue = "";
      var checked = picker.querySelector('input[name="picker-reason"]:checked');
      if (!checked) return;
      form.elements.reason.value = checked.value;
      form.elements.note.value = picker.querySelector("#picker-note").value;
      submitDecision(form);
    });
  }

  var helpButton = document.querySelector("[data-open-help]");
  if (help && typeof help.showModal === "function" && helpButton) {
    helpButton.hidden = false;
    helpButton.addEventListener("click", function () { help.showModal(); });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (isTyping(event.target) || document.querySelector("dialog[open]")) return;
    var item = items[selected];
    switch (event.key) {
      case "j":
        select(selected + 1, true);
        break;
      case "k":
        select(selected - 1, true);
        break;
      case "a":
        if (!item) return;
        var approveForm = item.querySelector(".approve-form");
        if (approveForm) submitDecision(approveForm);
        else announce(queue.dataset.msgUnavailable, true);
        break;
      case "r":
        if (!item) return;
        openPicker(item);
        break;
      case "?":
        if (help && typeof help.showModal === "function") help.showModal();
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  // --- The live queue -------------------------------------------------------------
  // counts.js polls the counts; on the page that shows the end of the oldest-first queue
  // new comments are appended at the end, where they never move the comment the
  // moderator is on, nor take the focus.
  var newest = parseInt(queue.dataset.newest || "0", 10);

  function appendNew(html) {
    var holder = document.createElement("ol");
    holder.innerHTML = html;
    var added = holder.querySelectorAll(":scope > li");
    if (!added.length) return;
    var empty = queue.querySelector(".queue-empty");
    if (empty) empty.remove();
    added.forEach(function (entry) {
      var item = entry.querySelector(".queue-item");
      if (!item || document.getElementById(item.id)) return;
      queue.appendChild(entry);
      items.push(item);
      newest = Math.max(newest, parseInt(item.dataset.comment, 10));
    });
    announce(queue.dataset.msgNew, false);
  }

  document.addEventListener("agora:counts", function (event) {
    var counts = event.detail;
    if (counts.newest <= newest) return;
    var seen = newest;
    newest = counts.newest;
    if (!("liveAppend" in queue.dataset)) return;
    var url = queue.dataset.itemsUrl + (queue.dataset.itemsUrl.indexOf("?") === -1 ? "?" : "&") + "after=" + seen;
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(appendNew)
      .catch(function () { /* the next poll tries again */ });
  });

  // After a page load that followed an action (no fetch), the fragment names the
  // comment that was next in line.
  var fromHash = items.findIndex(function (item) { return "#" + item.id === window.location.hash; });
  if (fromHash !== -1) select(fromHash, true);
  else if (items.length) select(0, false);
})();
