/* The planning board: drag a child to another assistant (or to "Not supported") in the same
 * period. A drop sends the same form as choosing the child's name and saving (the same
 * service, the same hard-rule check, the same edit version, so a stale board is refused);
 * the answer is the board, swapped in by htmx. Without JavaScript, or without a pointer,
 * the links and their small form are the way to change the plan. No framework: htmx only. */
(function () {
  "use strict";

  var MIME = "application/x-poolplan-chip";
  var dragged = null;

  // A refused edit answers 400 (hard rule) or 409 (someone else saved first) with the board
  // and its message: show it instead of htmx's default of ignoring error answers.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var target = event.detail.target;
    if ((status === 400 || status === 409) && target && target.id === "plan-board") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  function board() {
    return document.getElementById("plan-board");
  }

  function cellOf(node) {
    return node && node.closest ? node.closest("[data-drop-slot]") : null;
  }

  function accepts(cell) {
    return dragged !== null && cell !== null && cell.dataset.dropSlot === dragged.slot &&
      cell.dataset.dropAssistant !== dragged.from;
  }

  function clearMarks() {
    var marked = document.querySelectorAll(".is-drop-target, .is-drop-over, .is-dragging");
    Array.prototype.forEach.call(marked, function (node) {
      node.classList.remove("is-drop-target", "is-drop-over", "is-dragging");
    });
  }

  document.addEventListener("dragstart", function (event) {
    var chip = event.target.closest ? event.target.closest("[data-drag-child]") : null;
    if (!chip || !board() || !board().dataset.editUrl) {
      return;
    }
    dragged = {
      slot: chip.dataset.dragSlot,
      child: chip.dataset.dragChild,
      from: chip.dataset.dragFrom || "",
      pinned: chip.dataset.dragPinned || ""
    };
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData(MIME, JSON.stringify(dragged));
    event.dataTransfer.setData("text/plain", chip.textContent.trim());
    chip.classList.add("is-dragging");
    var cells = board().querySelectorAll("[data-drop-slot]");
    Array.prototype.forEach.call(cells, function (cell) {
      if (accepts(cell)) {
        cell.classList.add("is-drop-target");
      }
    });
  });

  document.addEventListener("dragover", function (event) {
    var cell = cellOf(event.target);
    if (accepts(cell)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      cell.classList.add("is-drop-over");
    }
  });

  document.addEventListener("dragleave", function (event) {
    var cell = cellOf(event.target);
    if (cell && !cell.contains(event.relatedTarget)) {
      cell.classList.remove("is-drop-over");
    }
  });

  document.addEventListener("dragend", function () {
    dragged = null;
    clearMarks();
  });

  document.addEventListener("drop", function (event) {
    var cell = cellOf(event.target);
    if (!accepts(cell)) {
      return;
    }
    event.preventDefault();
    var move = dragged;
    var root = board();
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    dragged = null;
    clearMarks();
    root.setAttribute("aria-busy", "true");
    var values = {
      version: root.dataset.version,
      edit_version: root.dataset.editVersion,
      slot: move.slot,
      child: move.child,
      assistant: cell.dataset.dropAssistant
    };
    if (move.pinned && cell.dataset.dropAssistant) {
      values.pinned = "on";
    }
    var headers = {};
    if (token) {
      headers["X-CSRFToken"] = token.value;
    }
    window.htmx.ajax("POST", root.dataset.editUrl, {
      source: root, target: "#plan-board", swap: "outerHTML", values: values, headers: headers
    });
  });
})();
