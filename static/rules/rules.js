// The rule form: add and remove condition/action rows, and show the value inputs
// that fit the chosen field, operator or action type. The empty inputs come from
// <template> elements the server renders, so labels and choices stay translated.
(function () {
  "use strict";

  var form = document.getElementById("rule-form");
  if (!form) return;
  var next = 0;
  form.querySelectorAll("[name]").forEach(function (el) {
    var m = /^(?:cond|act)-(\d+)-/.exec(el.name);
    if (m) next = Math.max(next, Number(m[1]) + 1);
  });

  function fromTemplate(id, selector, n) {
    var t = document.getElementById(id);
    var node = selector ? t.content.querySelector(selector) : t.content.firstElementChild;
    var copy = node.cloneNode(true);
    copy.querySelectorAll("[name]").forEach(function (el) {
      el.name = el.name.replace("__n__", String(n));
    });
    return copy;
  }

  function rowNumber(row) {
    var named = row.querySelector("[name]");
    return /^(?:cond|act)-(\d+)-/.exec(named.name)[1];
  }

  function syncOperators(row) {
    var field = row.querySelector("[data-field-select]");
    var op = row.querySelector("[data-op-select]");
    var allowed = (field.selectedOptions[0].dataset.ops || "").split(" ");
    Array.prototype.forEach.call(op.options, function (o) {
      var ok = allowed.indexOf(o.value) !== -1;
      o.hidden = !ok; o.disabled = !ok;
    });
    if (allowed.indexOf(op.value) === -1) op.value = allowed[0];
    var select = row.querySelector(".rule-value select");
    if (select) select.multiple = op.value === "in";
  }

  function swapValue(row) {
    var field = row.querySelector("[data-field-select]").value;
    var fresh = fromTemplate("rule-value-bank", '[data-field="' + field + '"]', rowNumber(row));
    row.querySelector(".rule-value").replaceWith(fresh);
    syncOperators(row);
  }

  function swapAction(row) {
    var type = row.querySelector("[data-type-select]").value;
    var fresh = fromTemplate("rule-action-bank", '[data-type="' + type + '"]', rowNumber(row));
    row.querySelector(".rule-action-value").replaceWith(fresh);
  }

  function syncKind() {
    var checked = form.querySelector('input[name="kind"]:checked');
    var events = form.querySelector("[data-events]");
    if (events && checked) events.hidden = checked.value === "automation";
  }

  form.addEventListener("change", function (e) {
    var row = e.target.closest(".rule-row");
    if (e.target.matches("[data-field-select]")) swapValue(row);
    else if (e.target.matches("[data-op-select]")) syncOperators(row);
    else if (e.target.matches("[data-type-select]")) swapAction(row);
    else if (e.target.name === "kind") syncKind();
  });

  document.addEventListener("click", function (e) {
    var add = e.target.closest("[data-add-row]");
    if (add) {
      var kind = add.dataset.addRow;
      var row = fromTemplate(kind === "condition" ? "rule-new-condition" : "rule-new-action",
                             null, next++);
      form.querySelector('[data-rows="' + kind + '"]').appendChild(row);
      if (kind === "condition") syncOperators(row);
      var first = row.querySelector("select, input");
      if (first) first.focus();
      return;
    }
    var remove = e.target.closest("[data-remove-row]");
    if (remove) remove.closest(".rule-row").remove();
  });

  form.querySelectorAll('[data-row="condition"]').forEach(syncOperators);
  syncKind();
})();
