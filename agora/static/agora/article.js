// The article page's small enhancements, plain script with no dependencies:
// - A+ / A− buttons scale the article text and remember the reader's choice
//   (they stay hidden when this script does not run);
// - a comment form sent back with errors gets focus on its error summary, so
//   keyboard and screen-reader users land on what to fix; so does the notice that a
//   comment was not posted because comments closed, above the words it keeps. (The HTML autofocus
//   attribute cannot do it: browsers skip autofocus when the address has a #fragment.)
// - the comment form of the page every reader shares gets this view's own token, so a
//   double click or a re-sent form stores one comment (a page sent to one reader
//   already has one; without this script the words themselves are the key).
(function () {
  "use strict";

  var STORAGE_KEY = "agora:article-text-scale";
  var SCALES = [0.85, 1, 1.15, 1.3, 1.5, 1.75, 2];
  var DEFAULT_INDEX = 1;

  function storedIndex() {
    try {
      var index = SCALES.indexOf(parseFloat(window.localStorage.getItem(STORAGE_KEY)));
      return index === -1 ? DEFAULT_INDEX : index;
    } catch (error) {
      return DEFAULT_INDEX; // Storage can be disabled (private mode, strict settings).
    }
  }

  function remember(scale) {
    try {
      window.localStorage.setItem(STORAGE_KEY, String(scale));
    } catch (error) {
      // Nothing to do: the size still changes for this page view.
    }
  }

  function formatPercent(scale) {
    try {
      return new Intl.NumberFormat((document.documentElement.lang || "en") + "-u-nu-latn", { style: "percent" }).format(scale);
    } catch (error) {
      return Math.round(scale * 100) + "%";
    }
  }

  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    summary.focus();
    // Chromium moves focus once more when it scrolls to the address's #fragment, which
    // it does as the page finishes loading: take it back to the summary then.
    window.addEventListener("load", function () {
      summary.focus();
    });
  }

  function initTextSize() {
    var controls = document.querySelector("[data-text-size]");
    var article = document.querySelector("[data-article-text]");
    if (!controls || !article) {
      return;
    }
    var output = controls.querySelector("[data-text-size-value]");
    var buttons = controls.querySelectorAll("[data-text-size-step]");
    var index = storedIndex();

    function apply() {
      var scale = SCALES[index];
      article.style.setProperty("--article-text-scale", String(scale));
      output.textContent = formatPercent(scale);
      // aria-disabled rather than disabled: a disabled button would drop keyboard focus.
      buttons.forEach(function (button) {
        var step = parseInt(button.getAttribute("data-text-size-step"), 10);
        var limit = step < 0 ? index === 0 : index === SCALES.length - 1;
        button.setAttribute("aria-disabled", limit ? "true" : "false");
      });
    }

    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        var step = parseInt(button.getAttribute("data-text-size-step"), 10);
        var next = Math.min(SCALES.length - 1, Math.max(0, index + step));
        if (next !== index) {
          index = next;
          remember(SCALES[index]);
          apply();
        }
      });
    });
    apply();
    controls.hidden = false;
  }

  function fillIdempotencyToken() {
    var input = document.querySelector("[data-idempotency-token]");
    if (!input || input.value || !window.crypto || !window.crypto.getRandomValues) {
      return;
    }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    // URL-safe base64 without padding: 22 of the characters the server accepts.
    input.value = btoa(String.fromCharCode.apply(null, bytes))
      .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function init() {
    initTextSize();
    focusErrorSummary();
    fillIdempotencyToken();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
