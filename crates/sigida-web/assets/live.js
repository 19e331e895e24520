// Refreshes the meeting's results every 3 seconds; without it the page still shows them
// as of its last load.
(function () {
  var box = document.getElementById("results");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-refresh");
  setInterval(function () {
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) { box.innerHTML = html; } })
      .catch(function () {});
  }, 3000);
})();
