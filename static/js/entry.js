// The back-end entry screen's keyboard behaviour. Totals come from the server (htmx); this
// script only adds rows, fills fields from a picked customer or SKU, and shows payment fields.
(function () {
  "use strict";
  var form = document.querySelector("[data-entry]");
  if (!form) return;
  var rows = document.getElementById("line-rows");
  var total = form.querySelector("input[name='lines-TOTAL_FORMS']");
  var catalogue = JSON.parse(document.getElementById("catalogue-prices").textContent || "{}");

  function changed() {
    document.body.dispatchEvent(new Event("lines-changed"));
  }

  function addLine() {
    var index = parseInt(total.value, 10);
    var html = document.getElementById("line-template").innerHTML.replace(/__prefix__/g, index);
    rows.insertAdjacentHTML("beforeend", html);
    total.value = index + 1;
    if (window.htmx) window.htmx.process(rows.lastElementChild);
    rows.lastElementChild.querySelector("input").focus();
    changed();
  }

  function fillFromCatalogue(input) {
    var entry = catalogue[input.value.trim()];
    if (!entry) return;
    var row = input.closest("tr");
    var description = row.querySelector("input[name$='-description']");
    var price = row.querySelector("input[name$='-unit_price']");
    if (description && !description.value) description.value = entry[0];
    if (price && !price.value) price.value = entry[1];
  }

  function showPayment() {
    var checked = form.querySelector("input[name='payment_method']:checked");
    var method = checked ? checked.value : "";
    form.querySelectorAll("[data-pay]").forEach(function (block) {
      block.hidden = block.getAttribute("data-pay").split(" ").indexOf(method) < 0;
    });
  }

  function pickCustomer(button) {
    var data = button.dataset;
    Object.keys(data).forEach(function (key) {
      var input = form.querySelector("[name='" + key + "']");
      if (input && input.type !== "hidden") input.value = data[key];
    });
    var same = form.querySelector("[name='same_as_billing']");
    if (same) { same.checked = false; same.dispatchEvent(new Event("change", { bubbles: true })); }
    document.getElementById("customer-results").innerHTML = "";
    var email = form.querySelector("[name='email']");
    if (email) {
      // The saved-card list follows the email field: it fetches the picked customer's cards.
      email.dispatchEvent(new Event("change", { bubbles: true }));
      email.focus();
    }
  }

  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault();
      form.requestSubmit(form.querySelector("[data-place]"));
      return;
    }
    var target = event.target;
    if (target.closest("#customer-search")) {
      event.preventDefault();
      var first = document.querySelector("#customer-results .customer-pick");
      if (first) first.focus();
      return;
    }
    if (target.tagName === "INPUT" && target.closest("tr.line")) {
      event.preventDefault();
      addLine();
    } else if (target.tagName === "INPUT" && target.type !== "submit") {
      event.preventDefault(); // a stray Enter never places an order
    }
  });

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.name && /-sku$/.test(target.name)) fillFromCatalogue(target);
    if (target.name === "payment_method") showPayment();
    if (target.name === "same_as_billing") {
      document.getElementById("shipping-address").hidden = target.checked;
    }
  });
  form.addEventListener("click", function (event) {
    if (event.target.closest("[data-add-line]")) addLine();
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".customer-pick");
    if (button) pickCustomer(button);
  });
  // The browser aborts a request still in flight when the page is left, and htmx logs that
  // as an error (htmx:sendAbort). So placing the order waits for the totals or customer request
  // that is running, and once the order is on its way no new one starts.
  var leaving = false;
  form.addEventListener("submit", function (event) {
    var running = document.querySelector(".htmx-request");
    if (!running) {
      leaving = true;
      return;
    }
    event.preventDefault();
    var submitter = event.submitter || null;
    running.addEventListener("htmx:afterRequest", function () {
      form.requestSubmit(submitter);
    }, { once: true });
  });
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (leaving) event.preventDefault();
  });
  window.addEventListener("pageshow", function () { leaving = false; });

  showPayment();
})();
