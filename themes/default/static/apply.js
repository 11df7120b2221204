/* Optional help for the apply form. The form works without it: the server checks every
   answer and shows the same messages. With it, mistakes show before sending, in the same
   GOV.UK error summary, and the reference shows on the thank-you page. */
(function () {
  "use strict";

  var REFERENCE = /^[A-Z]{2,4}-[A-Z0-9]{6,10}$/;
  var EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

  function showReference() {
    var slot = document.querySelector("[data-reference]");
    if (!slot) return;
    var ref = new URLSearchParams(window.location.search).get("ref");
    if (ref && REFERENCE.test(ref)) slot.textContent = ref;
  }

  function trimmed(el) { return el ? el.value.replace(/^\s+|\s+$/g, "") : ""; }

  function phoneOk(value) {
    var digits = value.replace(/[\s().-]/g, "");
    if (/^\+/.test(digits)) return /^\+[1-9]\d{6,14}$/.test(digits);
    return /^0\d{9,10}$/.test(digits);
  }

  function realDate(d, m, y) {
    if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y)) return false;
    var date = new Date(Number(y), Number(m) - 1, Number(d));
    return date.getFullYear() === Number(y) && date.getMonth() === Number(m) - 1 &&
      date.getDate() === Number(d);
  }

  /* The first rule an answer breaks, as its message; "" when the answer is fine. */
  function check(group) {
    var type = group.getAttribute("data-type");
    var id = group.getAttribute("data-field");
    var required = group.hasAttribute("data-required");
    var msg = function (rule) { return group.getAttribute("data-msg-" + rule) || ""; };
    if (type === "radios" || type === "checkboxes" || type === "consent") {
      var ticked = group.querySelectorAll("input:checked").length > 0;
      return required && !ticked ? msg("required") : "";
    }
    if (type === "date") {
      var parts = ["day", "month", "year"].map(function (p) {
        return trimmed(document.getElementById(id + "-" + p));
      });
      if (!parts.join("")) return required ? msg("required") : "";
      return realDate(parts[0], parts[1], parts[2]) ? "" : msg("format");
    }
    var input = document.getElementById(id);
    if (type === "file") {
      var file = input.files && input.files[0];
      if (!file) return required ? msg("required") : "";
      var ext = (file.name.match(/\.[^.]+$/) || [""])[0].toLowerCase();
      var allowed = (group.getAttribute("data-extensions") || "").split(",");
      if (allowed.indexOf(ext) < 0) return msg("format");
      if (file.size === 0) return msg("empty");
      if (file.size > Number(group.getAttribute("data-max-bytes"))) return msg("too-big");
      return "";
    }
    var value = trimmed(input);
    if (!value) return required ? msg("required") : "";
    /* A postcode in any spacing or case, as the server takes it: "wv1  1sh" is WV1 1SH.
       The server checks it without its spaces and no length limit, and so does this. */
    if (type === "postcode") value = value.replace(/\s+/g, "");
    var max = group.getAttribute("data-max-length");
    if (max && type !== "postcode" && value.length > Number(max)) return msg("too-long");
    if (type === "email" && !EMAIL.test(value)) return msg("format");
    if (type === "tel" && !phoneOk(value)) return msg("format");
    if (type === "number") {
      var n = Number(value.replace(/,/g, ""));
      if (!isFinite(n)) return msg("format");
      if (group.hasAttribute("data-min") && n < Number(group.getAttribute("data-min"))) return msg("min");
      if (group.hasAttribute("data-max") && n > Number(group.getAttribute("data-max"))) return msg("max");
    }
    var pattern = group.getAttribute("data-pattern");
    if (pattern && !new RegExp("^(?:" + pattern + ")$").test(value)) {
      return msg(type === "postcode" ? "format" : "pattern") || msg("format");
    }
    return "";
  }

  function target(group) {
    var id = group.getAttribute("data-field");
    var type = group.getAttribute("data-type");
    if (type === "date") return id + "-day";
    if (type === "radios" || type === "checkboxes") return id + "-0";
    return id;
  }

  function mark(group, message) {
    var error = document.getElementById(group.getAttribute("data-field") + "-error");
    group.classList.toggle("rc-form-group--error", !!message);
    Array.prototype.forEach.call(group.querySelectorAll(".rc-input, .rc-textarea, .rc-select, .rc-file-upload"),
      function (el) { el.classList.toggle("rc-input--error", !!message); });
    var described = group.querySelector("fieldset") ||
      document.getElementById(group.getAttribute("data-field"));
    if (described) {
      var ids = (described.getAttribute("aria-describedby") || "").split(" ").filter(function (x) {
        return x && x !== error.id;
      });
      if (message) ids.push(error.id);
      if (ids.length) described.setAttribute("aria-describedby", ids.join(" "));
      else described.removeAttribute("aria-describedby");
    }
    if (!error) return;
    error.hidden = !message;
    error.querySelector("[data-error-text]").textContent = message;
  }

  function summarise(summary, errors) {
    var list = summary.querySelector("ul");
    list.innerHTML = "";
    errors.forEach(function (e) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "#" + e.target;
      a.textContent = e.message;
      li.appendChild(a);
      list.appendChild(li);
    });
    summary.hidden = errors.length === 0;
    if (errors.length) {
      if (document.title.indexOf("Error: ") !== 0) document.title = "Error: " + document.title;
      summary.focus();
    }
  }

  function show(form, summary, messages) {
    var errors = [];
    Array.prototype.forEach.call(form.querySelectorAll("[data-field]"), function (group) {
      var message = messages[group.getAttribute("data-field")] || "";
      mark(group, message);
      if (message) errors.push({ target: target(group), message: message });
    });
    summarise(summary, errors);
    return errors.length;
  }

  function enhance(form) {
    var summary = document.querySelector("[data-error-summary]");
    var button = form.querySelector("button[type=submit]");
    var key = document.createElement("input");
    key.type = "hidden";
    key.name = "idempotency_key";
    key.value = (window.crypto && crypto.randomUUID) ? crypto.randomUUID()
      : String(Date.now()) + Math.random().toString(16).slice(2);
    form.appendChild(key);

    var wanted = new URLSearchParams(window.location.search).get("role");
    if (wanted) {
      Array.prototype.forEach.call(form.querySelectorAll("[name=role]"), function (el) {
        if (el.value === wanted) {
          if (el.tagName === "OPTION" || el.type === "radio") el.checked = true;
        }
      });
      var select = form.querySelector("select[name=role]");
      if (select) select.value = wanted;
    }

    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a");
      if (!link) return;
      var input = document.getElementById(link.getAttribute("href").slice(1));
      if (!input) return;
      event.preventDefault();
      var group = input.closest("[data-field]");
      var label = group && (group.querySelector("legend") || group.querySelector("label"));
      (label || input).scrollIntoView();
      input.focus({ preventScroll: true });
    });

    var sending = false;
    form.addEventListener("submit", function (event) {
      var messages = {};
      Array.prototype.forEach.call(form.querySelectorAll("[data-field]"), function (group) {
        var message = check(group);
        if (message) messages[group.getAttribute("data-field")] = message;
      });
      event.preventDefault();
      if (show(form, summary, messages) || sending) return;
      if (!window.fetch || !window.FormData) { form.submit(); return; }
      sending = true;
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "Accept": "application/json", "Idempotency-Key": key.value },
        credentials: "omit"
      }).then(function (response) {
        if (response.status === 201) {
          return response.json().then(function (data) {
            window.location.assign(data.next_url || form.getAttribute("data-thanks") + "?ref=" + encodeURIComponent(data.reference));
          });
        }
        if (response.status === 422) {
          return response.json().then(function (data) {
            sending = false;
            button.disabled = false;
            show(form, summary, data.errors || {});
          });
        }
        throw new Error("status " + response.status);
      }).catch(function () {
        /* Let the browser send the form itself: the server answers with a page. */
        sending = false;
        button.disabled = false;
        HTMLFormElement.prototype.submit.call(form);
      });
    });
  }

  showReference();
  var form = document.querySelector("form[data-apply-form]");
  if (form) enhance(form);
})();
