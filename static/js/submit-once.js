// While a form is being sent, its submit buttons are disabled so that a second click cannot
// send it again. The server answers a repeated money form only once anyway (its one-time
// token); this spares the person the doubt. Works for plain posts and for htmx-driven forms.
(function () {
  "use strict";

  var MARK = "data-submitting";

  function submitButtons(form) {
    // form.elements also holds buttons outside the form that name it with form="…".
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.type === "submit" || element.type === "image";
    });
  }

  function busy(form) {
    submitButtons(form).forEach(function (button) {
      if (button.disabled) return; // disabled by the page itself: not ours to enable again
      button.disabled = true;
      button.setAttribute(MARK, "");
    });
    form.setAttribute("aria-busy", "true");
  }

  function idle(form) {
    submitButtons(form).forEach(function (button) {
      if (!button.hasAttribute(MARK)) return;
      button.disabled = false;
      button.removeAttribute(MARK);
    });
    form.removeAttribute("aria-busy");
  }

  function opensElsewhere(form) {
    var target = form.getAttribute("target");
    return Boolean(target) && target !== "_self";
  }

  // A plain post: the page is left, so the buttons stay disabled until then. Disabling waits
  // a turn, or the clicked button's own name and value would be left out of the post.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented) return; // htmx (below) or the page's own script sends it
    var method = (form.getAttribute("method") || "get").toLowerCase();
    if (method !== "post" || opensElsewhere(form)) return;
    window.setTimeout(function () { busy(form); }, 0);
  });

  // An htmx-driven form stays on the page: busy while its request runs, then usable again.
  function htmxForm(event) {
    var detail = event.detail || {};
    var config = detail.requestConfig || {};
    var trigger = config.triggeringEvent;
    if (!trigger || trigger.type !== "submit" || !detail.elt) return null;
    return detail.elt.closest("form");
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = htmxForm(event);
    if (form) busy(form);
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = htmxForm(event);
    if (form) idle(form);
  });

  // Back to a page kept in the browser's cache: its forms may be sent again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) Array.prototype.forEach.call(document.forms, idle);
  });
})();
