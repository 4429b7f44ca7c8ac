// Countdowns on the payment page: data-deadline is an ISO time; the page's own htmx polling
// refreshes the status, this only keeps the seconds moving between polls.
function pekenTick() {
  document.querySelectorAll("[data-deadline]").forEach(function (el) {
    var left = Math.max(0, Math.floor((Date.parse(el.dataset.deadline) - Date.now()) / 1000));
    var m = Math.floor(left / 60), s = left % 60;
    el.textContent = m + ":" + (s < 10 ? "0" : "") + s;
  });
}
setInterval(pekenTick, 1000);
document.addEventListener("DOMContentLoaded", pekenTick);
if ("serviceWorker" in navigator) {
  window.addEventListener("load", function () { navigator.serviceWorker.register("/sw.js"); });
}
