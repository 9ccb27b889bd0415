/* Agora's comment section for any web page. The publisher adds:
 *
 *   <div id="agora-comments" data-article="SLUG" data-title="Headline"
 *        data-url="https://news.example.org/story" data-lang="ar"
 *        data-signature="HMAC written by the CMS"></div>
 *   <script src="https://comments.example.org/embed.js" async></script>
 *
 * The section is drawn in a shadow root, so the page's CSS and ours never meet.
 * Everything comes from Agora's JSON API (CORS, no cookies); whatever a reader
 * wrote is put in with textContent, never parsed as HTML. Plain script, no build.
 */
(function () {
  "use strict";

  var script = document.currentScript || document.querySelector('script[src$="/embed.js"]');
  var API = new URL(script.src, location.href).origin + "/api/v1";
  var PAGE_SIZE = 100;
  var URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/g;
  var FAILED = "The comments could not be loaded.";

  var CSS = [
    ":host{all:initial;display:block}",
    ".agora{all:initial;display:block;box-sizing:border-box;color:#1d1d1f;background:#fff;text-align:start;",
    'font:16px/1.55 system-ui,"Noto Sans","Noto Naskh Arabic","DejaVu Sans",sans-serif;padding-block:1rem}',
    ".agora *,.agora *::before,.agora *::after{box-sizing:border-box}",
    ".agora :focus-visible{outline:3px solid #0b5cad;outline-offset:2px}",
    "h2{font-size:1.4em;margin-block:0 1rem}h3{font-size:1.15em;margin-block:0 .5rem}",
    "p{margin-block:0 .5rem}a{color:#0b5cad}",
    ".guidelines{background:#f4f5f6;border-inline-start:4px solid #0b5cad;padding:.75rem 1rem;margin-block-end:1.5rem;font-size:.95em}",
    ".guidelines ul{margin-block:0 .5rem;padding-inline-start:1.25rem}",
    "ol{list-style:none;margin:0;padding-inline-start:0}",
    ".thread>li{border-block-end:1px solid #d6d9dc;padding-block:.75rem}",
    ".replies{margin-block-start:.5rem;margin-inline-start:1.5rem;padding-inline-start:1rem;border-inline-start:3px solid #d6d9dc}",
    ".replies>li+li{margin-block-start:.75rem}",
    ".head{display:flex;flex-wrap:wrap;align-items:baseline;gap:.25rem .75rem}",
    ".author{font-weight:700}.muted,time{color:#555a60;font-size:.875em}",
    ".body{overflow-wrap:anywhere}.body p{margin-block:.35rem}",
    ".note{font-style:italic}",
    "button{font:inherit;cursor:pointer}",
    ".link{background:none;border:0;padding:.25rem 0;color:#0b5cad;text-decoration:underline;font-size:.9em}",
    ".more{margin-block:1rem;padding:.5rem 1rem;border:2px solid #0b5cad;border-radius:.375rem;background:#fff;color:#0b5cad;font-weight:700}",
    ".post{margin-block-start:2rem}",
    "form{display:grid;gap:1rem}",
    ".field{display:grid;gap:.25rem}label{font-weight:700}",
    "input,textarea{font:inherit;inline-size:100%;padding:.5rem .6rem;border:2px solid #6b7076;border-radius:.25rem;background:#fff;color:#1d1d1f}",
    "textarea{resize:vertical;min-block-size:8rem}",
    ".help{color:#555a60;font-size:.9em;margin:0}",
    ".error{color:#a4161a;font-weight:700;margin:0}.error:empty{display:none}",
    '[aria-invalid="true"]{border-color:#a4161a}',
    ".field.invalid{border-inline-start:4px solid #a4161a;padding-inline-start:.75rem}",
    ".summary{border:3px solid #a4161a;padding:.75rem 1rem}.summary ul{margin:0;padding-inline-start:1.25rem}",
    ".summary:empty,.status:empty{display:none}",
    ".status{border-inline-start:4px solid #1b6e3a;background:#eaf5ee;padding:.75rem 1rem}",
    ".replying{background:#f4f5f6;padding:.5rem .75rem;display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:baseline}",
    ".send{justify-self:start;padding:.6rem 1.25rem;border:0;border-radius:.375rem;background:#0b5cad;color:#fff;font-weight:700}",
    '.send:hover{background:#084a8c}.send[aria-disabled="true"]{background:#555a60;cursor:progress}',
    ".notice{padding:.75rem 1rem;background:#f4f5f6;border-inline-start:4px solid #555a60}",
    ".report{margin-block-start:.5rem;padding:.75rem 1rem;border:2px solid #d6d9dc;border-radius:.375rem}",
    "fieldset{border:0;margin:0;padding:0;display:grid;gap:.25rem}legend{font-weight:700;margin-block-end:.25rem}",
    ".choice{font-weight:400;display:flex;gap:.5rem;align-items:baseline}.choice input{inline-size:auto}",
    "[hidden]{display:none!important}",
  ].join("\n");

  // --- Small helpers ----------------------------------------------------------

  // el("p", {class: "x"}, "text", otherNode): attributes and children; strings become
  // text nodes, so nothing here can create markup from data.
  function el(tag, attributes) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value);
    });
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }

  function append(node, child) {
    if (child === null || child === undefined) return;
    if (Array.isArray(child)) child.forEach(function (c) { append(node, c); });
    else node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }

  // "Reply to %(name)s" with name -> ["Reply to ", <bdi>name</bdi>]: a name in another
  // script stays in its own direction and cannot reorder the words around it.
  function withName(message, name) {
    var parts = message.split("%(name)s");
    var out = [];
    parts.forEach(function (text, i) {
      if (i) out.push(el("bdi", null, name));
      if (text) out.push(text);
    });
    return out;
  }

  function fill(message, values) {
    return message.replace(/%\((\w+)\)s/g, function (all, key) {
      return key in values ? values[key] : all;
    });
  }

  function randomKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return "embed-" + Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  // --- Dates, written like Agora's pages (Django's DATETIME_FORMAT for the language) ---

  function clock(date, timeZone) {
    try {
      var values = {};
      new Intl.DateTimeFormat("en-US", {
        timeZone: timeZone, hourCycle: "h23", year: "numeric", month: "numeric",
        day: "numeric", hour: "numeric", minute: "numeric",
      }).formatToParts(date).forEach(function (part) { values[part.type] = +part.value; });
      return { Y: values.year, m: values.month, d: values.day, H: values.hour % 24, i: values.minute };
    } catch (error) { // an unknown zone: the reader's own clock
      return { Y: date.getFullYear(), m: date.getMonth() + 1, d: date.getDate(), H: date.getHours(), i: date.getMinutes() };
    }
  }

  function formatDate(iso, spec) {
    var t = clock(new Date(iso), spec.time_zone);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var h12 = t.H % 12 || 12;
    var ampm = t.H < 12 ? spec.am : spec.pm;
    var codes = {
      d: pad(t.d), j: t.d, m: pad(t.m), n: t.m, F: spec.months[t.m - 1],
      N: spec.months_ap[t.m - 1], Y: t.Y, y: pad(t.Y % 100), G: t.H, H: pad(t.H), g: h12,
      h: pad(h12), i: pad(t.i), A: t.H < 12 ? spec.AM : spec.PM, a: ampm,
      P: t.i === 0 && t.H === 0 ? spec.midnight : t.i === 0 && t.H === 12 ? spec.noon
        : h12 + (t.i ? ":" + pad(t.i) : "") + " " + ampm,
    };
    return spec.pattern.replace(/\{(\w)\}/g, function (all, code) { return String(codes[code]); });
  }

  // --- Comment text: paragraphs and line breaks as written, plain URLs as links ---

  function linked(text) {
    var out = [];
    var last = 0;
    text.replace(URL_PATTERN, function (match, offset) {
      var address = match.replace(/[.,;:!?)\]]+$/, "");
      out.push(text.slice(last, offset));
      out.push(el("a", { href: address, rel: "nofollow ugc noopener" }, address));
      last = offset + address.length;
      return match;
    });
    out.push(text.slice(last));
    return out;
  }

  function paragraphs(body) {
    return body.replace(/\r\n?/g, "\n").split(/\n{2,}/).map(function (block) {
      var p = el("p");
      block.split("\n").forEach(function (line, i) {
        if (i) p.appendChild(el("br"));
        append(p, linked(line));
      });
      return p;
    });
  }

  // --- Talking to Agora -------------------------------------------------------------

  function request(method, path, lang, body, headers) {
    var options = {
      method: method,
      mode: "cors",
      credentials: "omit",
      headers: Object.assign({ Accept: "application/json" }, lang ? { "Accept-Language": lang } : {}, headers),
    };
    if (body) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(API + path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    });
  }

  // --- One comment section -----------------------------------------------------------

  function mount(host) {
    if (host.shadowRoot || !host.dataset.article) return;
    var root = host.attachShadow({ mode: "open" });
    if (root.adoptedStyleSheets && window.CSSStyleSheet && "replaceSync" in CSSStyleSheet.prototype) {
      // A constructed sheet also works on pages whose CSP forbids inline <style>.
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.appendChild(el("style", null, CSS));
    }
    var box = el("div", { class: "agora", "aria-busy": "true" });
    root.appendChild(box);

    var slug = host.dataset.article;
    var path = "/articles/" + encodeURIComponent(slug) + "/comments";
    var wanted = (host.dataset.lang || "").toLowerCase();
    Promise.all([
      request("GET", "/embed/articles/" + encodeURIComponent(slug) + "?lang=" + encodeURIComponent(wanted)),
      request("GET", path + "?limit=" + PAGE_SIZE),
    ]).then(function (answers) {
      var setup = answers[0].data;
      if (answers[0].status !== 200) throw new Error("setup " + answers[0].status);
      if (setup.article) return draw(box, setup, path, answers[1]);
      if (!host.dataset.title) return drawUnavailable(box, setup);
      return request("POST", "/embed/articles", setup.lang, {
        slug: slug, title: host.dataset.title, url: host.dataset.url || "", language: wanted,
        signature: host.dataset.signature || "",
      }).then(function (created) {
        if (created.status !== 200 && created.status !== 201) return drawUnavailable(box, setup);
        setup.article = created.data;
        return draw(box, setup, path, { status: 200, data: { comments: [], next: null } });
      });
    }).catch(function () {
      // Agora could not be reached, so there are no messages in the reader's language.
      box.removeAttribute("aria-busy");
      box.textContent = "";
      append(box, el("p", { class: "notice", role: "status", lang: "en", dir: "ltr" }, FAILED));
    });
  }

  function frame(box, setup) {
    box.textContent = "";
    box.removeAttribute("aria-busy");
    box.setAttribute("lang", setup.lang);
    box.setAttribute("dir", setup.dir);
  }

  function drawUnavailable(box, setup) {
    frame(box, setup);
    append(box, el("p", { class: "notice" }, setup.strings.unavailable));
  }

  function draw(box, setup, path, firstAnswer) {
    var s = setup.strings;
    var article = setup.article;
    frame(box, setup);
    var section = el("section", { "aria-labelledby": "agora-title" },
      el("h2", { id: "agora-title" }, setup.count_label));
    box.appendChild(section);

    var g = setup.guidelines;
    section.appendChild(el("section", { class: "guidelines", "aria-labelledby": "agora-guidelines" },
      el("h3", { id: "agora-guidelines" }, g.title),
      el("p", null, g.intro),
      el("p", null, g.list_intro),
      el("ul", null, g.items.map(function (item) { return el("li", null, item); })),
      el("p", null, g.outro)));

    var thread = el("ol", { class: "thread" });
    var empty = el("p", { class: "muted" }, s.empty);
    var more = el("button", { type: "button", class: "more", hidden: "" }, s.more);
    section.appendChild(thread);
    section.appendChild(empty);
    section.appendChild(more);
    var repliesOf = {}; // top-level comment id -> its replies list
    // Comments may close on their own at a date the publisher set; readers are told when.
    var closesAt = article.comments_close_at;
    var closesOn = closesAt ? formatDate(closesAt, setup.dates) : "";
    if (closesAt && article.comments_open) section.appendChild(el("p", { class: "help" }, fill(s.closes_on, { date: closesOn })));
    var form = article.comments_open ? postForm(section, setup, path) : null;
    var closedOnItsOwn = closesAt && new Date(closesAt) <= new Date();
    if (!form) section.appendChild(el("p", { class: "notice" }, closedOnItsOwn ? fill(s.closed_on, { date: closesOn }) : s.closed));

    function comment(item, orphan) {
      var authorId = "agora-c" + item.id;
      var node = el("article", { "aria-labelledby": authorId },
        el("header", { class: "head" },
          el("bdi", { class: "author", id: authorId }, item.author_name),
          el("time", { datetime: item.created_at }, formatDate(item.created_at, setup.dates))),
        orphan ? el("p", { class: "muted note" }, s.orphan) : null,
        el("div", { class: "body", dir: "auto" }, paragraphs(item.body)));
      if (form) {
        var reply = el("button", { type: "button", class: "link", "aria-label": fill(s.reply_to, { name: item.author_name }) }, s.reply);
        reply.addEventListener("click", function () { form.replyTo(item); });
        node.appendChild(reply);
      }
      var report = el("button", { type: "button", class: "link", "aria-label": fill(s.report_label, { name: item.author_name }) }, s.report);
      report.addEventListener("click", function () { reportForm(node, item, setup, report); });
      node.appendChild(el("span", null, " "));
      node.appendChild(report);
      return node;
    }

    function add(page) {
      page.comments.forEach(function (item) {
        var replies = item.parent_id && repliesOf[item.parent_id];
        if (replies) {
          replies.hidden = false;
          replies.appendChild(el("li", null, comment(item, false)));
          return;
        }
        var list = el("ol", { class: "replies", hidden: "", "aria-label": fill(s.replies_to, { name: item.author_name }) });
        repliesOf[item.id] = list;
        thread.appendChild(el("li", null, comment(item, !!item.parent_id), list));
      });
      empty.hidden = thread.children.length > 0;
      more.hidden = !page.next;
      more.onclick = function () {
        if (more.getAttribute("aria-disabled")) return;
        more.setAttribute("aria-disabled", "true");
        var before = thread.children.length;
        request("GET", path + "?limit=" + PAGE_SIZE + "&cursor=" + encodeURIComponent(page.next)).then(function (answer) {
          more.removeAttribute("aria-disabled");
          if (answer.status !== 200) return;
          add(answer.data);
          // Keyboard and screen-reader users carry on from the first comment just shown.
          var first = thread.children[before] && thread.children[before].querySelector("article");
          if (first) {
            first.setAttribute("tabindex", "-1");
            first.focus();
          }
        });
      };
    }
    if (firstAnswer.status === 200) {
      add(firstAnswer.data);
    } else {
      empty.textContent = s.load_failed;
    }
  }

  // --- The post form ------------------------------------------------------------

  function postForm(section, setup, path) {
    var s = setup.strings;
    var wrap = el("section", { class: "post", "aria-labelledby": "agora-add" }, el("h3", { id: "agora-add" }, s.add));
    var form = el("form", { novalidate: "" });
    var fields = {};

    function field(name, label, control, help) {
      var id = "agora-" + name;
      control.id = id;
      control.name = name;
      control.setAttribute("required", "");
      control.setAttribute("aria-describedby", (help ? id + "-help " : "") + id + "-error");
      var error = el("p", { class: "error", id: id + "-error" });
      var box = el("div", { class: "field" }, el("label", { for: id }, label),
        help ? el("p", { class: "help", id: id + "-help" }, help) : null, control, error);
      fields[name] = { control: control, error: error, box: box, label: label };
      return box;
    }

    var replying = el("p", { class: "replying", id: "agora-replying", hidden: "" });
    var summary = el("div", { class: "summary", role: "alert", tabindex: "-1" });
    var status = el("p", { class: "status", role: "status", tabindex: "-1" });
    var send = el("button", { type: "submit", class: "send" }, s.send);
    append(form, [
      replying,
      el("p", { class: "help" }, s.all_required),
      field("author_name", s.name, el("input", { type: "text", autocomplete: "name", dir: "auto" })),
      field("author_email", s.email, el("input", { type: "email", autocomplete: "email", dir: "ltr" }), s.email_help),
      field("body", s.body, el("textarea", { rows: "6", dir: "auto" })),
      summary, send, el("p", { class: "help" }, s.after_note),
    ]);
    wrap.appendChild(status);
    wrap.appendChild(form);
    section.appendChild(wrap);

    var parent = null;
    var busy = false;
    var sent = { payload: null, key: null };

    function clearErrors() {
      summary.textContent = "";
      Object.keys(fields).forEach(function (name) {
        fields[name].error.textContent = "";
        fields[name].control.removeAttribute("aria-invalid");
        fields[name].box.classList.remove("invalid");
      });
    }

    function showErrors(errors) {
      var list = el("ul");
      var first = null;
      Object.keys(errors).forEach(function (name) {
        var target = fields[name];
        errors[name].forEach(function (message) {
          list.appendChild(el("li", null, target ? fill(s.field_error, { label: target.label, error: message }) : message));
        });
        if (target) {
          target.error.textContent = errors[name].join(" ");
          target.control.setAttribute("aria-invalid", "true");
          target.box.classList.add("invalid");
          first = first || target.control;
        }
      });
      append(summary, [el("p", null, s.not_sent), list]);
      (first || summary).focus();
    }

    function showProblem(message) {
      append(summary, el("p", null, message));
      summary.focus();
    }

    // While replying, the comment box is also described by "Replying to <name>".
    function describeBody(replyingToo) {
      fields.body.control.setAttribute("aria-describedby", (replyingToo ? "agora-replying " : "") + "agora-body-error");
    }

    function cancelReply() {
      parent = null;
      replying.hidden = true;
      replying.textContent = "";
      describeBody(false);
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) return; // a double click sends once
      var payload = {
        author_name: fields.author_name.control.value,
        author_email: fields.author_email.control.value,
        body: fields.body.control.value,
      };
      if (parent) payload.parent_id = parent.id;
      // The same words again (a retry after a failure) keep their key, so at most one
      // comment is stored; changed words are a new submission with a new key.
      var serialized = JSON.stringify(payload);
      if (serialized !== sent.payload) sent = { payload: serialized, key: randomKey() };
      busy = true;
      send.setAttribute("aria-disabled", "true");
      clearErrors();
      status.textContent = s.sending;
      request("POST", path, setup.lang, payload, { "Idempotency-Key": sent.key }).then(function (answer) {
        status.textContent = "";
        if (answer.status === 202) {
          status.textContent = s.received;
          fields.body.control.value = "";
          cancelReply();
          sent = { payload: null, key: null };
          status.focus();
        } else if (answer.data.errors) {
          showErrors(answer.data.errors);
        } else {
          showProblem(answer.data.detail || s.network);
        }
      }, function () {
        status.textContent = "";
        showProblem(s.network);
      }).then(function () {
        busy = false;
        send.removeAttribute("aria-disabled");
      });
    });

    return {
      replyTo: function (item) {
        parent = item;
        replying.textContent = "";
        var cancel = el("button", { type: "button", class: "link" }, s.cancel_reply);
        cancel.addEventListener("click", function () {
          cancelReply();
          fields.body.control.focus();
        });
        append(replying, [el("span", null, withName(s.replying_to, item.author_name)), cancel]);
        replying.hidden = false;
        describeBody(true);
        fields.body.control.focus();
      },
    };
  }

  // --- Reporting a comment -------------------------------------------------------

  // A form under the comment: a reason (the guidelines, or illegal content, which asks
  // for the law and an explanation), an email for the answer. One open at a time.
  function reportForm(node, item, setup, opener) {
    var s = setup.strings;
    var open = node.querySelector(".report");
    if (open) {
      open.remove();
      return;
    }
    var id = "agora-report-" + item.id;
    var box = el("section", { class: "report", "aria-labelledby": id + "-title" },
      el("h3", { id: id + "-title" }, s.report_title));
    var form = el("form", { novalidate: "" });
    var errors = el("div", { class: "summary", role: "alert", tabindex: "-1" });
    var status = el("p", { class: "status", role: "status", tabindex: "-1" });
    var reasons = el("fieldset", null, el("legend", null, s.report_reason));
    Object.keys(s).forEach(function (key) {
      if (key.indexOf("reason_") !== 0) return;
      reasons.appendChild(el("label", { class: "choice" },
        el("input", { type: "radio", name: "reason", value: key.slice(7) }), s[key]));
    });
    function input(name, label, help, control) {
      control.id = id + "-" + name;
      control.name = name;
      return el("div", { class: "field" }, el("label", { for: control.id }, label),
        help ? el("p", { class: "help" }, help) : null, control);
    }
    var law = input("law", s.report_law, s.report_law_help, el("input", { type: "text", dir: "auto" }));
    law.hidden = true;
    var send = el("button", { type: "submit", class: "send" }, s.report_send);
    var cancel = el("button", { type: "button", class: "link" }, s.cancel);
    append(form, [
      reasons, law,
      input("explanation", s.report_explanation, s.report_explanation_help, el("textarea", { rows: "3", dir: "auto" })),
      input("email", s.report_email, s.report_email_help, el("input", { type: "email", autocomplete: "email", dir: "ltr" })),
      errors, el("p", null, send, " ", cancel),
    ]);
    append(box, [status, form]);
    node.appendChild(box);
    reasons.addEventListener("change", function () {
      law.hidden = form.elements.reason.value !== "illegal";
    });
    cancel.addEventListener("click", function () {
      box.remove();
      opener.focus();
    });
    reasons.querySelector("input").focus();
    var labels = { reason: s.report_reason, law: s.report_law, explanation: s.report_explanation, email: s.report_email };
    var busy = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) return;
      busy = true;
      errors.textContent = "";
      var payload = {
        reason: form.elements.reason.value,
        email: form.elements.email.value,
        explanation: form.elements.explanation.value,
        law: form.elements.reason.value === "illegal" ? form.elements.law.value : "",
      };
      request("POST", "/comments/" + item.id + "/reports", setup.lang, payload).then(function (answer) {
        if (answer.status === 200 || answer.status === 201) {
          form.remove();
          status.textContent = answer.data.message;
          status.focus();
          return;
        }
        var list = el("ul");
        var problems = answer.data.errors || { __all__: [answer.data.detail || s.network] };
        Object.keys(problems).forEach(function (name) {
          problems[name].forEach(function (message) {
            var label = labels[name];
            list.appendChild(el("li", null, label ? fill(s.field_error, { label: label, error: message }) : message));
          });
        });
        append(errors, [el("p", null, s.report_not_sent), list]);
        errors.focus();
      }, function () {
        append(errors, el("p", null, s.network));
        errors.focus();
      }).then(function () { busy = false; });
    });
  }

  function start() {
    document.querySelectorAll("#agora-comments, .agora-comments").forEach(mount);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
