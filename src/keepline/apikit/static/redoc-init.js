// Starts ReDoc on /redoc from a file, not an inline script (see swagger-init.js). Search
// is off: ReDoc runs it in a Web Worker made from a blob: URL, which a
// Content-Security-Policy allowing only 'self' scripts refuses, and the page would fail.
window.addEventListener("load", function () {
  var el = document.getElementById("redoc");
  Redoc.init(el.dataset.openapiUrl, { disableSearch: true }, el);
});
