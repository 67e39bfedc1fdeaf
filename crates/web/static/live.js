// Live updates on a group page: new messages and the bot's new actions (replies, deletions, mutes,
// kicks) arrive as server-sent events and go at the top of their tables. Text goes in with
// textContent, never as HTML: members write it.
(function () {
  "use strict";
  var messages = document.getElementById("messages");
  var actions = document.getElementById("actions");
  if (!messages || !messages.dataset.live || !window.EventSource) { return; }

  function prepend(table, cells) {
    var row = document.createElement("tr");
    row.className = "live";
    cells.forEach(function (cell) {
      var td = document.createElement("td");
      if (cell[0]) { td.className = cell[0]; }
      td.textContent = cell[1];
      row.appendChild(td);
    });
    var body = table.tBodies[0];
    body.insertBefore(row, body.firstChild);
  }

  var source = new EventSource(messages.dataset.live);
  source.addEventListener("messages", function (event) {
    JSON.parse(event.data).forEach(function (line) {
      prepend(messages, [["wide", line.time], ["", line.author], ["", line.text]]);
    });
  });
  source.addEventListener("actions", function (event) {
    if (!actions) { return; }
    JSON.parse(event.data).forEach(function (action) {
      prepend(actions, [["", action.kind], ["", action.status], ["wide", action.detail]]);
    });
  });
})();
