// Starts Swagger UI on /docs from a file, not an inline script, so the page works under a
// Content-Security-Policy that allows only 'self' scripts. The spec URL comes from the
// page (data-openapi-url); no validator badge (it would call validator.swagger.io).
window.addEventListener("load", function () {
  var el = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: el.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
  });
});
