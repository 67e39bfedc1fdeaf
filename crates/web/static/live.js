// Live messages on a group page: new lines arrive as server-sent events and are put at the top of
// the table. Text goes in with textContent, never as HTML: members write it.
(function () {
  "use strict";
  var table = document.getElementById("messages");
  if (!table || !table.dataset.live || !window.EventSource) { return; }
  var source = new EventSource(table.dataset.live);
  source.addEventListener("messages", function (event) {
    var lines = JSON.parse(event.data);
    var body = table.tBodies[0];
    lines.forEach(function (line) {
      var row = document.createElement("tr");
      row.className = "live";
      [["wide", line.time], ["", line.author], ["", line.text]].forEach(function (cell) {
        var td = document.createElement("td");
        if (cell[0]) { td.className = cell[0]; }
        td.textContent = cell[1];
        row.appendChild(td);
      });
      body.insertBefore(row, body.firstChild);
    });
  });
})();
