// Starts ReDoc on /redoc from a file, not an inline script (see swagger-init.js).
window.addEventListener("load", function () {
  var el = document.getElementById("redoc");
  Redoc.init(el.dataset.openapiUrl, { disableSearch: false }, el);
});
